import Foundation
import Testing
@testable import OTAGateway

/// GET /api/ota/orders/{id}/redemptions: the venue scans of an order's tickets.
@Suite struct OrderRedemptionsTests {
    @Test func anOrdersScansAreListedNewestFirstPageByPage() throws {
        let g = try InProcessGateway()
        let hold = g.send("POST", "/api/ota/reserve", body: #"{"product_id":106,"quantity":2}"#)
        let reservation = try #require(hold.json["reservation_id"] as? String)
        let order = g.send("POST", "/api/ota/reservations/\(reservation)/activate",
                           body: #"{"customer":{"name":"Li"},"units":[{"customer_type":"adult"},{"customer_type":"child"}]}"#)
        let orderId = try #require(order.json["order_id"] as? String)
        let codes = try #require((order.json["tickets"] as? [[String: Any]])?.compactMap { $0["ticket_code"] as? String })
        #expect(codes.count == 2)
        #expect(g.send("GET", "/api/ota/orders/\(orderId)/redemptions").json["redemptions"] as? [Any] != nil)
        #expect((g.send("GET", "/api/ota/orders/\(orderId)/redemptions").json["redemptions"] as? [Any])?.isEmpty == true)

        _ = g.send("POST", "/api/ota/operators", body: #"{"username":"pier.scan","password":"correct horse battery","display_name":"Pier"}"#)
        let login = g.send("POST", "/operators/login", key: nil, body: #"{"partner":"ota-test-partner","username":"pier.scan","password":"correct horse battery"}"#)
        let bearer = [("Authorization", "Bearer \(try #require(login.json["token"] as? String))")]
        for (code, function) in [(codes[0], "boarding"), (codes[0], "dinner"), (codes[1], "boarding")] {
            let scan = g.send("POST", "/venue/scan", key: nil, headers: bearer,
                              body: #"{"ticket_code":"\#(code)","venue_id":"TEST-PIER-1","function_code":"\#(function)"}"#)
            #expect(scan.status == 200, "\(scan.text)")
        }

        let first = g.send("GET", "/api/ota/orders/\(orderId)/redemptions?limit=2")
        #expect(first.status == 200)
        let page1 = try #require(first.json["redemptions"] as? [[String: Any]])
        #expect(page1.map { $0["ticket_code"] as? String } == [codes[1], codes[0]])
        #expect(page1.first?["function_code"] as? String == "boarding")
        let cursor = try #require(first.json["next_cursor"] as? String)
        let second = g.send("GET", "/api/ota/orders/\(orderId)/redemptions?limit=2&cursor=\(cursor)")
        let page2 = try #require(second.json["redemptions"] as? [[String: Any]])
        #expect(page2.map { $0["function_code"] as? String } == ["boarding"])
        #expect(second.json["next_cursor"] is NSNull)
        // Ids across the two pages are distinct and newest first.
        let ids = (page1 + page2).compactMap { $0["redemption_id"] as? Int }
        #expect(ids == ids.sorted(by: >) && Set(ids).count == 3)

        // A cursor of another listing (a ticket code for an id) is refused, not a 500.
        let ticketsPage = g.send("GET", "/api/ota/orders/\(orderId)/tickets?limit=1")
        let foreign = try #require(ticketsPage.json["next_cursor"] as? String)
        #expect(g.send("GET", "/api/ota/orders/\(orderId)/redemptions?cursor=\(foreign)").status == 422)
        #expect(g.send("GET", "/api/ota/orders/ord_unknown/redemptions").status == 404)
    }
}
