import Foundation
import Testing
import TestSupport

/// An allotment set with the admin tool, seen by a partner through the gateway: 409
/// `allotment_exhausted` with the partner's remaining units in `available`.
@Suite struct AllotmentGatewayTests {
    @Test func holdsAndBatchesPastTheAllotmentAnswer409AllotmentExhausted() throws {
        let g = try InProcessGateway()
        let admin = AdminTool(databaseURL: g.database.url)
        #expect(try admin.run("allotment", "set", "ota-test-partner", "106", "10").status == 0)

        let first = g.send("POST", "/api/ota/reserve", body: #"{"product_id": 106, "quantity": 7}"#)
        #expect(first.status == 201, "\(first.text)")
        let over = g.send("POST", "/api/ota/reserve", body: #"{"product_id": 106, "quantity": 4}"#)
        #expect(over.status == 409, "\(over.text)")
        #expect(over.json["code"] as? String == "allotment_exhausted")
        #expect(over.json["available"] as? Int == 3)

        let batch = g.send("POST", "/api/ota/tickets/bulk-generate",
                           body: #"{"product_id": 106, "quantity": 5, "distribution_mode": "reseller_batch"}"#)
        #expect(batch.status == 409, "\(batch.text)")
        #expect(batch.json["code"] as? String == "allotment_exhausted")
        #expect(batch.json["available"] as? Int == 3)

        // The other partner shares the pool without a cap.
        let other = g.send("POST", "/api/ota/reserve", key: InProcessGateway.otherKey, body: #"{"product_id": 106, "quantity": 50}"#)
        #expect(other.status == 201, "\(other.text)")
    }
}
