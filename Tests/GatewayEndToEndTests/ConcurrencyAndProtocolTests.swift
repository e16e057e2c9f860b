import Foundation
import Testing
import TestSupport

@Suite struct ConcurrentHoldTests {
    @Test func sixtyFourClientsNeverOversell() async throws {
        let s = try Stack(environment: ["OTA_WORKERS": "8"])
        let held = Results()
        try await offThread { DispatchQueue.concurrentPerform(iterations: 64) { _ in
            var rng = SystemRandomNumberGenerator()
            for _ in 0..<200 {
                let q = Int.random(in: 1...60, using: &rng)
                guard let r = try? s.post("/api/ota/reserve", #"{"product_id":108,"quantity":\#(q)}"#) else { continue }
                if r.status == 201 { held.add(r) }
                if r.status == 409, r.json["available"] as? Int == 0 { return }
            }
        } }
        let total = held.all.compactMap { $0.json["quantity"] as? Int }.reduce(0, +)
        let pool = try s.otaPool(108)
        #expect(total <= 1500)
        #expect(total == 1500, "the pool should have been drained exactly")
        #expect(pool.reserved == total)
        #expect(pool.activeHolds == pool.reserved)
        let inv = try s.get("/api/ota/inventory?product_ids=108")
        #expect((inv.json["available_quantities"] as? [String: Int])?["108"] == 0)
    }
}

@Suite struct ProtocolTests {
    @Test func malformedRequestIs400AndCloses() throws {
        let s = try Stack()
        let r = try s.client.raw(Array("GARBAGE\r\n\r\n".utf8))
        #expect(r.status == 400)
    }

    @Test func unknownRouteIs404AndWrongMethodIs405() throws {
        let s = try Stack()
        #expect(try s.get("/api/ota/nothing").status == 404)
        let r = try s.client.request("DELETE", "/api/ota/inventory", headers: [("X-API-Key", Stack.testKey)])
        #expect(r.status == 405)
        #expect(r.header("Allow") == "GET, HEAD")
    }

    @Test func echoesOrGeneratesARequestId() throws {
        let s = try Stack()
        #expect(try s.get("/livez", key: nil, headers: [("X-Request-ID", "trace-123")]).header("X-Request-ID") == "trace-123")
        #expect(try s.get("/livez", key: nil).header("X-Request-ID")?.hasPrefix("req_") == true)
    }

    @Test func sigtermStopsTheGatewayCleanly() throws {
        let s = try Stack()
        #expect(try s.get("/livez", key: nil).status == 200)
        #expect(s.gateway.stop(within: 10) == 0)
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
