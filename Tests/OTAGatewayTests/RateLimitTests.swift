import Foundation
import Testing
import OTACrypto
import TestSupport
import Postgres

/// Partner and login rate limits of one gateway, in process (moved from
/// GatewayEndToEndTests; two gateways sharing the state stay there).
@Suite struct RateLimitTests {
    @Test func pastTheLimitIs429WithRetryAfterAndHeadersEverywhere() throws {
        let g = try InProcessGateway(environment: ["OTA_RATE_LIMITS": "on"])
        _ = try g.sql("UPDATE partners SET rate_limit_per_minute = 100 WHERE code = 'ota-test-partner'")
        var statuses: [Int] = []
        var refused: InProcessGateway.Answer?
        for _ in 0..<8 {
            let r = g.get("/api/ota/inventory?product_ids=106")
            statuses.append(r.status)
            #expect(r.header("RateLimit-Policy") == "\"partner\";q=100;w=60")
            #expect(r.header("RateLimit")?.hasPrefix("\"partner\";r=") == true)
            if r.status == 429 { refused = r }
        }
        #expect(statuses.first == 200)
        let no = try #require(refused)
        let wait = try #require(no.header("Retry-After").flatMap(Int.init))
        #expect(wait == 1, "100/min with a burst of 1: the next slot is under a second away")
        #expect(no.json["code"] as? String == "rate_limited")
        #expect(no.header("Content-Type") == "application/problem+json")
        // The other partner has its own allowance.
        #expect(g.get("/api/ota/inventory", key: InProcessGateway.otherKey).status == 200)
        // A refused hold changed nothing.
        var holds = 0
        for _ in 0..<5 where g.post("/api/ota/reserve", #"{"product_id":106,"quantity":1}"#).status == 201 { holds += 1 }
        #expect(try g.otaPool().reserved == holds)
        // Obeying Retry-After is enough.
        Thread.sleep(forTimeInterval: Double(wait) + 0.05)
        #expect(g.get("/api/ota/inventory").status == 200)
    }
}

@Suite struct LoginRateLimitTests {
    @Test func loginsFromOneAddressHaveTheirOwnStricterLimit() throws {
        let g = try InProcessGateway(environment: ["OTA_RATE_LIMITS": "on"])
        // The limit refills one login every 2 s: eleven logins at full scrypt cost (tenths of
        // a second each, more on a busy machine) could outlast a refill and make this a race
        // against the clock. Operators whose hashes are the cheapest scrypt accepted keep
        // the eleven well inside it; the answers are the same 401s.
        let cheap = try PasswordHash.hash("the right password", parameters: .init(logN: 10, r: 1, p: 1))
        _ = try g.sql("""
            INSERT INTO operators (partner_id, username, password_hash, display_name)
            SELECT partner_id, 'nobody' || i, \(cheap), 'Nobody' FROM partners, generate_series(0, 13) AS i
             WHERE code = 'ota-test-partner'
            """)
        var statuses: [Int] = []
        for i in 0..<14 {
            statuses.append(g.post("/operators/login", #"{"partner":"ota-test-partner","username":"nobody\#(i)","password":"whatever password"}"#, key: nil).status)
        }
        // A burst of 10, then refused before any password is checked.
        #expect(statuses.prefix(10).allSatisfy { $0 == 401 }, "\(statuses)")
        #expect(statuses.suffix(3).allSatisfy { $0 == 429 }, "\(statuses)")
        // Then a burst at once, faster than any refill: refused before any password is checked.
        let burst = (0..<5).map { i in
            g.post("/operators/login", #"{"partner":"ota-test-partner","username":"again\#(i)","password":"whatever password"}"#, key: nil).status
        }
        #expect(burst.filter { $0 == 429 }.count >= 4, "\(burst)")
    }
}
