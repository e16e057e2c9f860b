import Foundation
import Testing
@testable import OTAGateway

/// Issue 13, item 11: numbers are read exactly, whatever their JSON spelling.
@Suite struct NumberLiteralTests {
    @Test func moneyInExponentFormIsReadExactly() throws {
        let g = try InProcessGateway()
        for (literal, expected) in [("1e2", 100.0), ("12.3456e2", 1234.56), ("5e-1", 0.5), ("1.005e2", 100.5), ("0.0E0", 0.0)] {
            let r = g.send("POST", "/api/ota/tickets/bulk-generate",
                           body: #"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","special_pricing":{"base_price":\#(literal)}}"#)
            #expect(r.status == 201, "\(literal): \(r.text.prefix(300))")
            let snapshot = r.json["pricing_snapshot"] as? [String: Any]
            #expect(snapshot?["base_price"] as? Double == expected, "\(literal)")
        }
        // Still exact: a third decimal is refused, however it is written.
        for literal in ["1e-3", "100.001", "1.00001e2"] {
            let r = g.send("POST", "/api/ota/tickets/bulk-generate",
                           body: #"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","special_pricing":{"base_price":\#(literal)}}"#)
            #expect(r.status == 422, "\(literal)")
            #expect(r.json["field"] as? String == "special_pricing.base_price")
        }
    }

    @Test func aHugeQuantityIs409AndTheDetailSaysWhatWasAsked() throws {
        let g = try InProcessGateway()
        let huge = String(repeating: "9", count: 100)
        let r = g.send("POST", "/api/ota/reserve", body: #"{"product_id":106,"quantity":\#(huge)}"#)
        #expect(r.status == 409)
        #expect(r.code == "insufficient_inventory")
        #expect(r.json["available"] as? Int == 2000)
        let detail = r.json["detail"] as? String ?? ""
        #expect(!detail.contains("2147483647"), "the detail does not invent a number: \(detail)")
        #expect(detail.contains("999999"), "it names what was asked (shortened): \(detail)")
        #expect(g.send("POST", "/api/ota/reserve", body: #"{"product_id":106,"quantity":2e0}"#).status == 201, "2e0 is the integer 2")
    }
}
