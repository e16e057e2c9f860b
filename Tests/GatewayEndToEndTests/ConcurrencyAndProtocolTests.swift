import Foundation
import Testing
import TestSupport

/// The one load test through the binary: its workers, each with a connection of its own,
/// under 64 clients at once (the API's concurrency rules are tested in process, in
/// OTAGatewayTests, with several gateways on one database).
@Suite struct ConcurrentHoldTests {
    @Test func sixtyFourClientsNeverOversell() async throws {
        let s = try Stack(environment: ["OTA_WORKERS": "8"])
        let held = SharedList<TestResponse>()
        try await offThread { DispatchQueue.concurrentPerform(iterations: 64) { i in
            var rng = SeededGenerator("sixtyFourClientsNeverOversell", i)
            for _ in 0..<200 {
                let q = Int.random(in: 1...60, using: &rng)
                guard let r = try? s.post("/api/ota/reserve", #"{"product_id":108,"quantity":\#(q)}"#) else { continue }
                if r.status == 201 { held.append(r) }
                if r.status == 409, r.json["available"] as? Int == 0 { return }
            }
        } }
        let total = held.all.compactMap { $0.json["quantity"] as? Int }.reduce(0, +)
        let pool = try s.otaPool(108)
        #expect(total <= 1500, "\(TestSeed.replay)")
        #expect(total == 1500, "the pool should have been drained exactly; \(TestSeed.replay)")
        #expect(pool.reserved == total)
        #expect(pool.activeHolds == pool.reserved)
        let inv = try s.get("/api/ota/inventory?product_ids=108")
        #expect((inv.json["available_quantities"] as? [String: Int])?["108"] == 0)
    }
}

/// What needs the process: bytes on a socket, a signal, the log it writes.
@Suite struct ProtocolTests {
    @Test func malformedRequestIs400AndCloses() throws {
        let s = try Stack()
        let r = try s.client.raw(Array("GARBAGE\r\n\r\n".utf8))
        #expect(r.status == 400)
    }

    @Test func sigtermStopsTheGatewayCleanly() throws {
        let s = try Stack()
        #expect(try s.get("/livez", key: nil).status == 200)
        // Generous: SIGTERM must end it (exit 0), not the SIGKILL after 30 s.
        #expect(s.gateway.stop(within: 30) == 0)
        #expect(s.gateway.output.contains("gateway.stopped"))
    }

    @Test func theApiKeyNeverReachesTheLog() throws {
        let s = try Stack()
        _ = try s.get("/api/ota/inventory")
        _ = try s.post("/api/ota/reserve", #"{"product_id":106,"quantity":1}"#)
        s.gateway.stop()
        #expect(s.gateway.output.contains("\"http.request\""))
        #expect(!s.gateway.output.contains(Stack.testKey))
    }
}
