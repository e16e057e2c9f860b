import Foundation
import Testing
import TestSupport
import Postgres

/// Reserve -> activate -> order with priced tickets; cancel; expiry; partner scope.
@Suite struct ReservationLifecycleTests {
    func hold(_ g: InProcessGateway, quantity: Int = 3, product: Int = 106, key: String = InProcessGateway.testKey) throws -> String {
        let r = g.post("/api/ota/reserve", #"{"product_id":\#(product),"quantity":\#(quantity)}"#, key: key)
        #expect(r.status == 201)
        return try #require(r.json["reservation_id"] as? String)
    }

    let activation = #"""
        {"customer": {"name": "Li Wei", "email": "li.wei@example.com", "phone": "+86 138 0000 0000"},
         "units": [{"customer_type": "adult", "travel_date": "TRAVEL"},
                   {"customer_type": "child", "travel_date": "TRAVEL"},
                   {"customer_type": "elderly"}]}
        """#

    /// A Saturday a few weeks ahead, so the weekend price applies.
    func nextSaturday() -> String {
        var d = Date().addingTimeInterval(14 * 86_400)
        let cal = Calendar(identifier: .gregorian)
        var utc = cal
        utc.timeZone = TimeZone(identifier: "UTC")!
        while utc.component(.weekday, from: d) != 7 { d.addTimeInterval(86_400) }
        let f = DateFormatter()
        f.calendar = utc
        f.timeZone = utc.timeZone
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: d)
    }

    @Test func activationCreatesAnOrderWithPricedTicketsAndMovesUnitsToSold() throws {
        let g = try InProcessGateway()
        let id = try hold(g)
        let saturday = nextSaturday()
        let r = g.post("/api/ota/reservations/\(id)/activate", activation.replacingOccurrences(of: "TRAVEL", with: saturday))
        #expect(r.status == 201, "\(r.text)")
        let orderId = try #require(r.json["order_id"] as? String)
        #expect(r.header("Location") == "/api/ota/orders/\(orderId)")
        let tickets = try #require(r.json["tickets"] as? [[String: Any]])
        #expect(tickets.count == 3)
        #expect(Set(tickets.compactMap { $0["ticket_code"] as? String }).count == 3)
        #expect(tickets.allSatisfy { $0["status"] as? String == "ACTIVE" })
        // Saturday: 318 adult, 318 - 100 child; the undated elderly unit is priced for today.
        let byType = Dictionary(uniqueKeysWithValues: tickets.map { ($0["customer_type"] as! String, $0["price"] as! Double) })
        #expect(byType["adult"] == 318)
        #expect(byType["child"] == 218)
        #expect(byType["elderly"] == 238 || byType["elderly"] == 268, "weekday 288-50 or weekend 318-50")
        let entitlements = try #require(tickets.first?["entitlements"] as? [[String: Any]])
        #expect(Set(entitlements.compactMap { $0["function_code"] as? String }) == ["boarding", "lounge", "dinner"])
        #expect(entitlements.allSatisfy { $0["uses_left"] as? Int == 1 })
        #expect(r.json["total_amount"] as? Double == 318 + 218 + byType["elderly"]!)

        let pool = try g.otaPool()
        #expect(pool.reserved == 0 && pool.sold == 3)
        #expect(g.get("/api/ota/reservations/\(id)").json["status"] as? String == "activated")

        let order = g.get("/api/ota/orders/\(orderId)")
        #expect(order.status == 200)
        #expect(order.json["reservation_id"] as? String == id)
        #expect((order.json["customer"] as? [String: Any])?["name"] as? String == "Li Wei")
        let listed = g.get("/api/ota/orders/\(orderId)/tickets")
        #expect((listed.json["tickets"] as? [Any])?.count == 3)
        // Activating again: 409; another partner sees nothing.
        let again = g.post("/api/ota/reservations/\(id)/activate", activation.replacingOccurrences(of: "TRAVEL", with: saturday))
        #expect(again.status == 409)
        #expect(again.json["code"] as? String == "reservation_activated")
        #expect(g.get("/api/ota/orders/\(orderId)", key: InProcessGateway.otherKey).status == 404)
        #expect(g.get("/api/ota/orders/\(orderId)/tickets", key: InProcessGateway.otherKey).status == 404)
        #expect(g.post("/api/ota/reservations/\(id)/cancel", nil, key: InProcessGateway.otherKey).status == 404)
    }

    @Test func activationWithAnIdempotencyKeyReplaysTheSameOrder() throws {
        let g = try InProcessGateway()
        let id = try hold(g)
        let body = activation.replacingOccurrences(of: "TRAVEL", with: nextSaturday())
        let a = g.post("/api/ota/reservations/\(id)/activate", body, headers: [("Idempotency-Key", "act-1")])
        let b = g.post("/api/ota/reservations/\(id)/activate", body, headers: [("Idempotency-Key", "act-1")])
        #expect(a.status == 201 && b.status == 201)
        #expect(a.body == b.body)
        #expect(try g.otaPool().sold == 3)
    }

    @Test func activationValidatesUnitsAgainstTheHold() throws {
        let g = try InProcessGateway()
        let id = try hold(g, quantity: 2)
        let wrongCount = g.post("/api/ota/reservations/\(id)/activate",
                                    #"{"customer":{"name":"A"},"units":[{"customer_type":"adult"}]}"#)
        #expect(wrongCount.status == 422)
        #expect(wrongCount.json["field"] as? String == "units")
        let badType = g.post("/api/ota/reservations/\(id)/activate",
                                 #"{"customer":{"name":"A"},"units":[{"customer_type":"adult"},{"customer_type":"alien"}]}"#)
        #expect(badType.status == 422)
        #expect(badType.json["field"] as? String == "units[1].customer_type")
        let noCustomer = g.post("/api/ota/reservations/\(id)/activate", #"{"units":[{"customer_type":"adult"}]}"#)
        #expect(noCustomer.status == 422)
        let wrongType = g.post("/api/ota/reservations/\(id)/activate", #"{"customer":{"name":"A"},"units":"two"}"#)
        #expect(wrongType.status == 400)
        // Nothing changed: the hold is still active and its units still reserved.
        #expect(g.get("/api/ota/reservations/\(id)").json["status"] as? String == "active")
        #expect(try g.otaPool().reserved == 2)
    }

    @Test func cancelReturnsTheUnitsAndOnlyOnce() throws {
        let g = try InProcessGateway()
        let id = try hold(g, quantity: 40)
        #expect(try g.otaPool().reserved == 40)
        let r = g.post("/api/ota/reservations/\(id)/cancel", nil)
        #expect(r.status == 200)
        #expect(r.json["status"] as? String == "cancelled")
        let inv = g.get("/api/ota/inventory?product_ids=106")
        #expect((inv.json["available_quantities"] as? [String: Int])?["106"] == 2000)
        let again = g.post("/api/ota/reservations/\(id)/cancel", nil)
        #expect(again.status == 409)
        #expect(again.json["reservation_status"] as? String == "cancelled")
        let activate = g.post("/api/ota/reservations/\(id)/activate", #"{"customer":{"name":"A"},"units":[{"customer_type":"adult"}]}"#)
        #expect(activate.status == 409)
        #expect(try g.otaPool().reserved == 0)
    }

    @Test func aHoldPastItsExpiryIsNeverActivatedEvenBeforeTheWorkerRan() throws {
        let g = try InProcessGateway()
        let id = try hold(g, quantity: 1)
        _ = try g.sql("UPDATE reservations SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 second' WHERE reservation_id = \(id)")
        let r = g.post("/api/ota/reservations/\(id)/activate", #"{"customer":{"name":"A"},"units":[{"customer_type":"adult"}]}"#)
        #expect(r.status == 409)
        #expect(r.json["code"] as? String == "reservation_expired")
        let pool = try g.otaPool()
        #expect(pool.sold == 0 && pool.reserved == 1, "still counted until released")
    }

    @Test func listsAreNewestFirstScopedAndPaged() throws {
        let g = try InProcessGateway()
        var ids: [String] = []
        for _ in 0..<5 { ids.append(try hold(g, quantity: 1)) }
        _ = try hold(g, quantity: 1, key: InProcessGateway.otherKey)
        var seen: [String] = []
        var cursor: String?
        repeat {
            let path = "/api/ota/reservations?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = g.get(path)
            #expect(page.status == 200)
            let items = try #require(page.json["reservations"] as? [[String: Any]])
            #expect(items.count <= 2)
            seen += items.compactMap { $0["reservation_id"] as? String }
            cursor = page.json["next_cursor"] as? String
        } while cursor != nil
        #expect(seen == ids.reversed())
        _ = g.post("/api/ota/reservations/\(ids[0])/cancel", nil)
        let cancelled = g.get("/api/ota/reservations?status=cancelled")
        #expect((cancelled.json["reservations"] as? [[String: Any]])?.compactMap { $0["reservation_id"] as? String } == [ids[0]])
        #expect(g.get("/api/ota/reservations?status=bogus").status == 422)
        #expect(g.get("/api/ota/reservations?limit=501").status == 422)
        #expect(g.get("/api/ota/reservations?cursor=nonsense").status == 422)
    }

    @Test func ordersFilterByStatusAndCreationTime() throws {
        let g = try InProcessGateway()
        for _ in 0..<3 {
            let id = try hold(g, quantity: 1)
            #expect(g.post("/api/ota/reservations/\(id)/activate", #"{"customer":{"name":"A"},"units":[{"customer_type":"adult"}]}"#).status == 201)
        }
        let all = g.get("/api/ota/orders")
        #expect((all.json["orders"] as? [Any])?.count == 3)
        #expect(all.json["next_cursor"] is NSNull)
        let paged = g.get("/api/ota/orders?limit=2")
        #expect((paged.json["orders"] as? [Any])?.count == 2)
        let next = try #require(paged.json["next_cursor"] as? String)
        #expect((g.get("/api/ota/orders?limit=2&cursor=\(next)").json["orders"] as? [Any])?.count == 1)
        #expect((g.get("/api/ota/orders?created_from=2000-01-01&created_to=2000-01-02").json["orders"] as? [Any])?.count == 0)
        #expect((g.get("/api/ota/orders?status=confirmed").json["orders"] as? [Any])?.count == 3)
        #expect((g.get("/api/ota/orders", key: InProcessGateway.otherKey).json["orders"] as? [Any])?.count == 0)
        #expect(g.get("/api/ota/orders?created_from=yesterday").status == 422)
    }
}
