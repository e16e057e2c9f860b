import Foundation
import Testing
import TestSupport
import Postgres

@Suite struct BatchTests {
    @Test func fiveThousandTicketsInOneCallRaiseSoldByExactlyFiveThousand() throws {
        let g = try InProcessGateway()
        try g.raiseOTAAllocation(product: 107, to: 6000)
        let started = Date()
        let r = g.post("/api/ota/tickets/bulk-generate",
                           #"{"product_id":107,"quantity":5000,"distribution_mode":"reseller_batch","reseller_metadata":{"reseller_id":"R-1","reseller_name":"Harbour Tours","commission_rate":0.15,"region":"south"}}"#)
        let elapsed = Date().timeIntervalSince(started)
        print("bulk-generate of 5000 tickets answered in \(String(format: "%.3f", elapsed)) s (debug build, in process)")
        #expect(r.status == 201, "\(r.text.prefix(300))")
        let codes = try #require(r.json["ticket_codes"] as? [String])
        #expect(codes.count == 5000 && Set(codes).count == 5000)
        #expect(r.json["distribution_mode"] as? String == "reseller_batch")
        let pool = try g.otaPool(107)
        #expect(pool.sold == 5000 && pool.reserved == 0)
        #expect(pool.reserved + pool.sold <= pool.allocated)
        let issued = try g.sql("SELECT count(*) AS n FROM tickets WHERE product_id = 107 AND status <> 'CANCELLED'").first!.decode("n", as: Int.self)
        #expect(issued == pool.sold)
        let batchId = try #require(r.json["batch_id"] as? String)
        let shown = g.get("/api/ota/batches/\(batchId)")
        #expect((shown.json["ticket_counts"] as? [String: Int])?["PRE_GENERATED"] == 5000)
        #expect((shown.json["reseller_metadata"] as? [String: Any])?["region"] as? String == "south")
        // 30 days of reference validity, not enforced.
        #expect(shown.json["reference_expires_at"] is String)
    }

    @Test func aPriceChangeAfterGenerationChangesNeitherSnapshotNorTicketPrice() throws {
        let g = try InProcessGateway()
        let r = g.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":2,"batch_id":"spring-1","distribution_mode":"direct_sale"}"#)
        #expect(r.status == 201)
        let code = try #require((r.json["ticket_codes"] as? [String])?.first)
        _ = try g.sql("UPDATE products SET weekday_price = 999, weekend_price = 1099 WHERE product_id = 106")
        let batch = g.get("/api/ota/batches/spring-1")
        #expect((batch.json["pricing_snapshot"] as? [String: Any])?["base_price"] as? Double == 288)
        #expect(g.get("/api/ota/tickets/\(code)").json["price"] as? Double == 288)
        // Activating for a Monday prices from the snapshot, not from today's product prices.
        let act = g.post("/api/ota/tickets/\(code)/activate", #"{"customer":{"name":"Z"},"customer_type":"child","travel_date":"\#(g.nextWeekday(2))"}"#)
        #expect(act.status == 200, "\(act.text)")
        #expect(act.json["price"] as? Double == 188)
        #expect(act.json["status"] as? String == "ACTIVE")
    }

    @Test func specialPricingIsValidatedAndFrozen() throws {
        let g = try InProcessGateway()
        let bad = g.post("/api/ota/tickets/bulk-generate",
                             #"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","special_pricing":{"base_price":100,"customer_discounts":{"martian":5}}}"#)
        #expect(bad.status == 422)
        let negative = g.post("/api/ota/tickets/bulk-generate",
                                  #"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","special_pricing":{"base_price":-1}}"#)
        #expect(negative.status == 422)
        let ok = g.post("/api/ota/tickets/bulk-generate",
                            #"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","special_pricing":{"base_price":199.5,"customer_discounts":{"child":20}}}"#)
        #expect(ok.status == 201)
        #expect(ok.json["special_pricing"] as? Bool == true)
        let code = try #require((ok.json["ticket_codes"] as? [String])?.first)
        #expect(g.get("/api/ota/tickets/\(code)").json["price"] as? Double == 199.5)
        let rate = g.post("/api/ota/tickets/bulk-generate",
                              #"{"product_id":106,"quantity":1,"distribution_mode":"reseller_batch","reseller_metadata":{"commission_rate":1.5}}"#)
        #expect(rate.status == 422)
        #expect(try g.otaPool().sold == 1)
    }

    @Test func aBatchIdReplaysTheSameBodyAndRefusesAnother() throws {
        let g = try InProcessGateway()
        let body = #"{"product_id":106,"quantity":3,"batch_id":"B-42","distribution_mode":"direct_sale"}"#
        let a = g.post("/api/ota/tickets/bulk-generate", body)
        let b = g.post("/api/ota/tickets/bulk-generate", body)
        #expect(a.status == 201 && b.status == 201)
        #expect(a.body == b.body)
        let c = g.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":4,"batch_id":"B-42","distribution_mode":"direct_sale"}"#)
        #expect(c.status == 409)
        #expect(c.json["code"] as? String == "batch_id_taken")
        #expect(try g.otaPool().sold == 3)
        // Another partner's batch_id space is its own.
        #expect(g.post("/api/ota/tickets/bulk-generate", body, key: InProcessGateway.otherKey).status == 201)
        #expect(g.get("/api/ota/batches/B-42", key: InProcessGateway.otherKey).json["quantity"] as? Int == 3)
        #expect(try g.otaPool().sold == 6)
    }

    @Test func shortPoolIs409AndBadRequestsAre4xx() throws {
        let g = try InProcessGateway()
        let short = g.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":2001,"distribution_mode":"direct_sale"}"#)
        #expect(short.status == 409)
        #expect(short.json["available"] as? Int == 2000)
        #expect(g.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":5001,"distribution_mode":"direct_sale"}"#).status == 422)
        #expect(g.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":1,"distribution_mode":"gift"}"#).status == 422)
        #expect(g.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","batch_id":"bad id!"}"#).status == 422)
        #expect(g.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":"1","distribution_mode":"direct_sale"}"#).status == 400)
        #expect(try g.otaPool().sold == 0)
    }

    @Test func listsBatchesAndPagesTheirTicketsByStatus() throws {
        let g = try InProcessGateway()
        let r = g.post("/api/ota/tickets/bulk-generate", #"{"product_id":108,"quantity":7,"batch_id":"page-me","distribution_mode":"direct_sale"}"#)
        let codes = try #require(r.json["ticket_codes"] as? [String])
        #expect(g.post("/api/ota/tickets/\(codes[0])/activate", #"{"customer":{"name":"Q"}}"#).status == 200)
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = g.get("/api/ota/batches/page-me/tickets?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
            #expect(page.status == 200)
            seen += (page.json["tickets"] as? [[String: Any]] ?? []).compactMap { $0["ticket_code"] as? String }
            cursor = page.json["next_cursor"] as? String
        } while cursor != nil
        #expect(seen == codes)
        let active = g.get("/api/ota/batches/page-me/tickets?status=ACTIVE")
        #expect((active.json["tickets"] as? [[String: Any]])?.compactMap { $0["ticket_code"] as? String } == [codes[0]])
        let list = g.get("/api/ota/batches")
        #expect((list.json["batches"] as? [[String: Any]])?.first?["batch_id"] as? String == "page-me")
        #expect((g.get("/api/ota/batches/page-me").json["ticket_counts"] as? [String: Int]) == ["PRE_GENERATED": 6, "ACTIVE": 1, "USED": 0, "CANCELLED": 0])
        #expect(g.get("/api/ota/batches/page-me", key: InProcessGateway.otherKey).status == 404)
        #expect(g.get("/api/ota/batches/page-me/tickets", key: InProcessGateway.otherKey).status == 404)
        #expect(g.get("/api/ota/tickets/\(codes[1])", key: InProcessGateway.otherKey).status == 404)
    }
}

@Suite struct TicketLifecycleTests {
    @Test func everyIllegalTransitionIsRefusedWith409() throws {
        let g = try InProcessGateway()
        let r = g.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":3,"distribution_mode":"direct_sale"}"#)
        let codes = try #require(r.json["ticket_codes"] as? [String])
        let activate = #"{"customer":{"name":"Q"}}"#
        #expect(g.post("/api/ota/tickets/\(codes[0])/activate", activate).status == 200)
        // ACTIVE -> ACTIVE
        let twice = g.post("/api/ota/tickets/\(codes[0])/activate", activate)
        #expect(twice.status == 409)
        #expect(twice.json["ticket_status"] as? String == "ACTIVE")
        // PRE_GENERATED -> CANCELLED returns the unit; CANCELLED -> ACTIVE / CANCELLED refused.
        #expect(g.post("/api/ota/tickets/\(codes[1])/cancel", nil).status == 200)
        #expect(try g.otaPool().sold == 2)
        #expect(g.post("/api/ota/tickets/\(codes[1])/activate", activate).status == 409)
        #expect(g.post("/api/ota/tickets/\(codes[1])/cancel", nil).status == 409)
        // ACTIVE -> CANCELLED is allowed.
        #expect(g.post("/api/ota/tickets/\(codes[0])/cancel", nil).status == 200)
        #expect(try g.otaPool().sold == 1)
        // An order's ticket is born ACTIVE: activating it is refused.
        let hold = g.post("/api/ota/reserve", #"{"product_id":106,"quantity":1}"#)
        let id = try #require(hold.json["reservation_id"] as? String)
        let order = g.post("/api/ota/reservations/\(id)/activate", #"{"customer":{"name":"A"},"units":[{"customer_type":"adult"}]}"#)
        let orderTicket = try #require((order.json["tickets"] as? [[String: Any]])?.first?["ticket_code"] as? String)
        #expect(g.post("/api/ota/tickets/\(orderTicket)/activate", activate).status == 409)
        #expect(g.post("/api/ota/tickets/TKT-DOESNOTEXIST0000000/activate", activate).status == 404)
    }

    @Test func theDatabaseRefusesIllegalTransitionsWrittenInSQL() throws {
        let g = try InProcessGateway()
        let r = g.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":2,"distribution_mode":"direct_sale"}"#)
        let codes = try #require(r.json["ticket_codes"] as? [String])
        for (from, to) in [("PRE_GENERATED", "USED")] {
            #expect(throws: (any Error).self, "\(from) -> \(to)") {
                try g.sql("UPDATE tickets SET status = \(to) WHERE ticket_code = \(codes[0])")
            }
        }
        _ = try g.sql("UPDATE tickets SET status = 'ACTIVE' WHERE ticket_code = \(codes[0])")
        _ = try g.sql("UPDATE tickets SET status = 'USED' WHERE ticket_code = \(codes[0])")
        for to in ["ACTIVE", "PRE_GENERATED", "CANCELLED"] {
            #expect(throws: (any Error).self, "USED -> \(to)") { try g.sql("UPDATE tickets SET status = \(to) WHERE ticket_code = \(codes[0])") }
        }
        _ = try g.sql("UPDATE tickets SET status = 'CANCELLED' WHERE ticket_code = \(codes[1])")
        for to in ["ACTIVE", "PRE_GENERATED", "USED"] {
            #expect(throws: (any Error).self, "CANCELLED -> \(to)") { try g.sql("UPDATE tickets SET status = \(to) WHERE ticket_code = \(codes[1])") }
        }
        #expect(throws: (any Error).self, "insert as USED") {
            let rows = try g.sql("INSERT INTO tickets (ticket_code, partner_id, product_id, batch_key, status, price) SELECT 'TKT-AAAAAAAAAAAAAAAAAAAA', partner_id, 106, batch_key, 'USED', 1 FROM ticket_batches LIMIT 1")
            Issue.record("inserted \(rows.affectedRows) ticket(g) born USED")
        }
        #expect(throws: (any Error).self, "delete") { try g.sql("DELETE FROM tickets WHERE ticket_code = \(codes[0])") }
        #expect(throws: (any Error).self, "price of a used ticket") { try g.sql("UPDATE tickets SET price = 1 WHERE ticket_code = \(codes[0])") }
        let pool = try g.otaPool()
        #expect(pool.sold == 1, "one USED ticket is still sold; the cancelled one returned its unit")
    }

    /// 24 clients over 8 gateways on one database (the binary's OTA_WORKERS=8).
    @Test func concurrentBatchesAndHoldsNeverOversell() async throws {
        let g = try InProcessGateway()
        let outcomes = try await InProcessGateway.concurrently(threads: 8, iterations: 24, databaseURL: g.database.url) { c, i in
            var rng = SeededGenerator("concurrentBatchesAndHoldsNeverOversell", i)
            var answers: [InProcessGateway.Answer] = []
            for _ in 0..<30 {
                let r: InProcessGateway.Answer
                if i % 3 == 0 {
                    r = c.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":\#(Int.random(in: 20...150, using: &rng)),"distribution_mode":"direct_sale"}"#)
                } else {
                    r = c.post("/api/ota/reserve", #"{"product_id":106,"quantity":\#(Int.random(in: 1...60, using: &rng))}"#)
                }
                answers.append(r)
                if r.status == 409, r.json["available"] as? Int == 0 { break }
            }
            return answers
        }.flatMap { $0 }
        let pool = try g.otaPool()
        #expect(pool.reserved + pool.sold <= pool.allocated, "\(TestSeed.replay)")
        #expect(pool.reserved == pool.activeHolds)
        let tickets = try g.sql("SELECT count(*) AS n FROM tickets WHERE product_id = 106 AND status <> 'CANCELLED'").first!.decode("n", as: Int.self)
        #expect(pool.sold == tickets)
        #expect(outcomes.allSatisfy { [201, 409].contains($0.status) }, "\(Set(outcomes.map(\.status))) \(TestSeed.replay)")
        #expect(outcomes.contains { $0.status == 409 }, "the pool should run dry")
    }

    @Test func ticketWritesNeedTicketsWrite() throws {
        let g = try InProcessGateway()
        try g.partner(code: "viewer", permissions: ["tickets:read"], key: "viewer_key_0000001")
        let r = g.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale"}"#, key: "viewer_key_0000001")
        #expect(r.status == 403)
        #expect(g.get("/api/ota/batches", key: "viewer_key_0000001").status == 200)
    }
}
