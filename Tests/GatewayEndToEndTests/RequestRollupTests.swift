import Foundation
import Testing
import Postgres
import TestSupport

/// Two real gateway processes on one database: the per-minute request counts they flush
/// to PostgreSQL add up to exactly what both served, per route and status class, each
/// under its own instance name (the console's request figures are the fleet's).
@Suite struct RequestRollupTests {
    @Test func twoGatewaysFlushWhatTheyServed() throws {
        let database = try TestDatabase()
        let env = ["OTA_RATE_LIMITS": "off", "OTA_REQUEST_FLUSH_SECONDS": "1", "OTA_REQUEST_LOG": "0"]
        let a = try GatewayProcess(databaseURL: database.url, environment: env.merging(["OTA_INSTANCE_NAME": "gw-a"]) { $1 })
        let b = try GatewayProcess(databaseURL: database.url, environment: env.merging(["OTA_INSTANCE_NAME": "gw-b"]) { $1 })
        let key = [("X-API-Key", "ota_test_key_12345")]
        for _ in 0..<7 { #expect(try a.client.request("GET", "/livez").status == 200) }
        for _ in 0..<3 { #expect(try a.client.request("GET", "/api/ota/inventory", headers: key).status == 200) }
        for _ in 0..<2 { #expect(try a.client.request("GET", "/api/ota/inventory").status == 401) }
        for _ in 0..<5 { #expect(try b.client.request("GET", "/livez").status == 200) }
        for _ in 0..<4 { #expect(try b.client.request("GET", "/api/ota/inventory", headers: key).status == 200) }
        #expect(try b.client.request("GET", "/no/such/route").status == 404)
        // SIGTERM: each drains and writes what it has not written yet.
        #expect(a.stop() == 0)
        #expect(b.stop() == 0)

        let db = try database.connect()
        defer { db.close() }
        var totals: [String: Int] = [:]
        for row in try db.query("""
            SELECT route || ' ' || status_class AS k, sum(requests)::int AS n FROM request_minutes GROUP BY 1
            """) {
            totals[try row.decode("k")] = try row.decode("n")
        }
        #expect(totals == ["livez 2xx": 12, "getInventory 2xx": 7, "getInventory 4xx": 2, "unmatched 4xx": 1])
        let perInstance = try db.query("""
            SELECT instance, sum(requests)::int AS n FROM request_minutes GROUP BY 1 ORDER BY 1
            """).map { (try $0.decode("instance", as: String.self), try $0.decode("n", as: Int.self)) }
        #expect(perInstance.map(\.0) == ["gw-a", "gw-b"])
        #expect(perInstance.map(\.1) == [12, 10])
        // Every request lies in the histogram: the last bucket (10 s) holds them all here.
        let unbucketed = try db.query("""
            SELECT count(*)::int AS n FROM request_minutes WHERE buckets[cardinality(buckets)] <> requests
            """).first?.decode("n", as: Int.self)
        #expect(unbucketed == 0)
    }
}
