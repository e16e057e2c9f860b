import Foundation
import Testing
import TestSupport

@Suite struct IdempotencyTests {
    @Test func sameKeySameBodyReplaysByteForByte() throws {
        let s = try Stack()
        let body = #"{"product_id":106,"quantity":5}"#
        let first = try s.post("/api/ota/reserve", body, headers: [("Idempotency-Key", "order-42")])
        let second = try s.post("/api/ota/reserve", body, headers: [("Idempotency-Key", "order-42")])
        #expect(first.status == 201 && second.status == 201)
        #expect(first.body == second.body)
        #expect(second.header("Idempotent-Replayed") == "true")
        #expect(try s.otaPool().reserved == 5)
        // Another body with the same key: 422. Another partner's same key: its own hold.
        let other = try s.post("/api/ota/reserve", #"{"product_id":106,"quantity":6}"#, headers: [("Idempotency-Key", "order-42")])
        #expect(other.status == 422)
        #expect(other.json["code"] as? String == "idempotency_key_reused")
        let otherPartner = try s.post("/api/ota/reserve", body, key: Stack.otherKey, headers: [("Idempotency-Key", "order-42")])
        #expect(otherPartner.status == 201)
        #expect(otherPartner.json["reservation_id"] as? String != first.json["reservation_id"] as? String)
        #expect(try s.otaPool().reserved == 10)
    }

    @Test func businessErrorsReplayToo() throws {
        let s = try Stack()
        let first = try s.post("/api/ota/reserve", #"{"product_id":106,"quantity":3000}"#, headers: [("Idempotency-Key", "big")])
        #expect(first.status == 409)
        let again = try s.post("/api/ota/reserve", #"{"product_id":106,"quantity":3000}"#, headers: [("Idempotency-Key", "big")])
        #expect(again.status == 409)
        #expect(again.body == first.body)
    }

    @Test(arguments: [String(repeating: "k", count: 256), "has space", ""])
    func malformedKeysAre400(_ key: String) throws {
        let s = try Stack()
        let r = try s.post("/api/ota/reserve", #"{"product_id":106,"quantity":1}"#, headers: [("Idempotency-Key", key)])
        #expect(r.status == 400)
        #expect(try s.otaPool().reserved == 0)
    }

    @Test func fiftyConcurrentIdenticalRequestsMakeExactlyOneHold() async throws {
        let s = try Stack(environment: ["OTA_WORKERS": "8"])
        let results = Results()
        try await offThread { DispatchQueue.concurrentPerform(iterations: 50) { _ in
            let r = try? s.post("/api/ota/reserve", #"{"product_id":106,"quantity":7}"#, headers: [("Idempotency-Key", "burst-1")])
            results.add(r)
        } }
        let all = results.all
        #expect(all.count == 50)
        // Each either got the one hold (first or replayed) or was told the key is in progress.
        let ids = Set(all.filter { $0.status == 201 }.compactMap { $0.json["reservation_id"] as? String })
        #expect(ids.count == 1)
        #expect(all.allSatisfy { $0.status == 201 || $0.status == 409 })
        #expect(all.filter { $0.status == 409 }.allSatisfy { $0.json["code"] as? String == "idempotency_key_in_use" })
        #expect(try s.otaPool().reserved == 7)
        #expect(try s.sql("SELECT count(*) AS n FROM reservations").first?.decode("n", as: Int.self) == 1)
    }
}

final class Results: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var items: [TestResponse] = []
    func add(_ r: TestResponse?) { lock.lock(); if let r { items.append(r) }; lock.unlock() }
    var all: [TestResponse] { lock.lock(); defer { lock.unlock() }; return items }
}
