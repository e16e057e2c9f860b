import Foundation
import Testing
import TestSupport
import Postgres

/// A revoked key or a disabled partner stops working on every gateway at once, even with
/// a long key cache (issue 13, item 8: it worked on for the cache period).
@Suite struct AuthRevocationTests {
    /// Polls until `done` or 3 s; returns the seconds it took, nil if never.
    func within(_ body: () throws -> Bool) rethrows -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < 3 {
            if try body() { return Date().timeIntervalSince(start) }
            usleep(20_000)
        }
        return nil
    }

    @Test func revocationAndDisablingReachTwoGatewaysAtOnce() throws {
        let database = try TestDatabase()
        let env = ["OTA_RATE_LIMITS": "off", "OTA_AUTH_CACHE_SECONDS": "60", "OTA_WORKERS": "2"]
        let a = try GatewayProcess(databaseURL: database.url, environment: env)
        let b = try GatewayProcess(databaseURL: database.url, environment: env)
        defer { a.stop(); b.stop() }
        let key = [("X-API-Key", "ota_test_key_12345")]
        // Warm every worker's cache on both gateways.
        for g in [a, b] { for _ in 0..<8 { #expect(try g.client.request("GET", "/api/ota/inventory", headers: key).status == 200) } }

        let db = try database.connect()
        defer { db.close() }
        try db.execute(unescaped: "UPDATE partners SET status = 'disabled' WHERE code = 'ota-test-partner'")
        for g in [a, b] {
            let t = try within { try (0..<4).allSatisfy { _ in try g.client.request("GET", "/api/ota/inventory", headers: key).status == 403 } }
            #expect(t != nil, "a disabled partner is refused by every worker within moments, not after 60 s")
        }
        try db.execute(unescaped: "UPDATE partners SET status = 'active' WHERE code = 'ota-test-partner'")
        for g in [a, b] {
            #expect(try within { try g.client.request("GET", "/api/ota/inventory", headers: key).status == 200 } != nil)
        }
        try db.execute(unescaped: "UPDATE api_keys SET revoked_at = now() WHERE key_hash = sha256(convert_to('ota_test_key_12345', 'UTF8'))")
        for g in [a, b] {
            let t = try within { try (0..<4).allSatisfy { _ in try g.client.request("GET", "/api/ota/inventory", headers: key).status == 401 } }
            #expect(t != nil, "a revoked key is refused by every worker within moments, not after 60 s")
        }
    }
}
