import Foundation
import Testing
import TestSupport
import Postgres

@Suite struct IdempotencyTests {
    @Test func sameKeySameBodyReplaysByteForByte() throws {
        let g = try InProcessGateway()
        let body = #"{"product_id":106,"quantity":5}"#
        let first = g.post("/api/ota/reserve", body, headers: [("Idempotency-Key", "order-42")])
        let second = g.post("/api/ota/reserve", body, headers: [("Idempotency-Key", "order-42")])
        #expect(first.status == 201 && second.status == 201)
        #expect(first.body == second.body)
        #expect(second.header("Idempotent-Replayed") == "true")
        #expect(try g.otaPool().reserved == 5)
        // Another body with the same key: 422. Another partner's same key: its own hold.
        let other = g.post("/api/ota/reserve", #"{"product_id":106,"quantity":6}"#, headers: [("Idempotency-Key", "order-42")])
        #expect(other.status == 422)
        #expect(other.json["code"] as? String == "idempotency_key_reused")
        let otherPartner = g.post("/api/ota/reserve", body, key: InProcessGateway.otherKey, headers: [("Idempotency-Key", "order-42")])
        #expect(otherPartner.status == 201)
        #expect(otherPartner.json["reservation_id"] as? String != first.json["reservation_id"] as? String)
        #expect(try g.otaPool().reserved == 10)
    }

    @Test func businessErrorsReplayToo() throws {
        let g = try InProcessGateway()
        let first = g.post("/api/ota/reserve", #"{"product_id":106,"quantity":3000}"#, headers: [("Idempotency-Key", "big")])
        #expect(first.status == 409)
        let again = g.post("/api/ota/reserve", #"{"product_id":106,"quantity":3000}"#, headers: [("Idempotency-Key", "big")])
        #expect(again.status == 409)
        #expect(again.body == first.body)
    }

    @Test(arguments: [String(repeating: "k", count: 256), "has space", ""])
    func malformedKeysAre400(_ key: String) throws {
        let g = try InProcessGateway()
        let r = g.post("/api/ota/reserve", #"{"product_id":106,"quantity":1}"#, headers: [("Idempotency-Key", key)])
        #expect(r.status == 400)
        #expect(try g.otaPool().reserved == 0)
    }

    /// 50 identical requests over 8 gateways on one database (the binary's OTA_WORKERS=8).
    @Test func fiftyConcurrentIdenticalRequestsMakeExactlyOneHold() async throws {
        let g = try InProcessGateway()
        let all = try await InProcessGateway.concurrently(threads: 8, iterations: 50, databaseURL: g.database.url) { c, _ in
            c.post("/api/ota/reserve", #"{"product_id":106,"quantity":7}"#, headers: [("Idempotency-Key", "burst-1")])
        }
        #expect(all.count == 50)
        // Each either got the one hold (first or replayed) or was told the key is in progress.
        let ids = Set(all.filter { $0.status == 201 }.compactMap { $0.json["reservation_id"] as? String })
        #expect(ids.count == 1)
        #expect(all.allSatisfy { $0.status == 201 || $0.status == 409 })
        #expect(all.filter { $0.status == 409 }.allSatisfy { $0.json["code"] as? String == "idempotency_key_in_use" })
        #expect(try g.otaPool().reserved == 7)
        #expect(try g.sql("SELECT count(*) AS n FROM reservations").first?.decode("n", as: Int.self) == 1)
    }
}
