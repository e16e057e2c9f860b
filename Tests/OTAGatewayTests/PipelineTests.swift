import Foundation
import HTTP
import Postgres
import Testing
import TestSupport
@testable import OTAGateway

/// The steps every route shares, in process: authentication, permission, rate limit,
/// idempotency, problem mapping, metrics labels.
@Suite struct PipelineTests {
    @Test func authenticationAnswersWithGuidanceAndRefusesTwoKeys() throws {
        let g = try InProcessGateway()
        let missing = g.send("GET", "/api/ota/inventory", key: nil)
        #expect(missing.status == 401)
        #expect(missing.code == "missing_api_key")
        #expect(missing.header("WWW-Authenticate")?.contains("X-API-Key") == true)
        #expect(missing.header("Content-Type") == "application/problem+json")
        #expect(g.send("GET", "/api/ota/inventory", key: "ota_not_a_key_000000").code == "invalid_api_key")
        // Two X-API-Key headers: refused, never "the first wins" (issue 13, item 9).
        let two = g.send("GET", "/api/ota/inventory", headers: [("X-API-Key", InProcessGateway.otherKey)])
        #expect(two.status == 400)
        #expect(two.code == "duplicate_header")
        #expect(two.json["header"] as? String == "X-API-Key")
        #expect(g.send("GET", "/api/ota/inventory").status == 200)
    }

    @Test func permissionsAndDisabledPartnersAre403() throws {
        let g = try InProcessGateway()
        _ = try g.sql("INSERT INTO partners (code, name) VALUES ('reader', 'Reader')")
        _ = try g.sql("INSERT INTO partner_permissions (partner_id, permission) SELECT partner_id, 'inventory:read' FROM partners WHERE code = 'reader'")
        _ = try g.sql("""
            INSERT INTO api_keys (partner_id, prefix, key_hash)
            SELECT partner_id, 'test', sha256(convert_to('ota_reader_key_000001', 'UTF8')) FROM partners WHERE code = 'reader'
            """)
        #expect(g.send("GET", "/api/ota/inventory", key: "ota_reader_key_000001").status == 200)
        let denied = g.send("POST", "/api/ota/reserve", key: "ota_reader_key_000001", body: #"{"product_id":106,"quantity":1}"#)
        #expect(denied.status == 403)
        #expect(denied.code == "permission_denied")
        #expect(denied.json["required_permission"] as? String == "reservations:write")
        _ = try g.sql("UPDATE partners SET status = 'disabled' WHERE code = 'reader'")
        let fresh = try InProcessGateway(databaseURL: g.database.url)
        #expect(fresh.send("GET", "/api/ota/inventory", key: "ota_reader_key_000001").code == "partner_disabled")
    }

    @Test func everyPartnerAnswerCarriesRateLimitHeadersAndThe429IsAProblem() throws {
        let g = try InProcessGateway(environment: ["OTA_RATE_LIMITS": "on"])
        _ = try g.sql("UPDATE partners SET rate_limit_per_minute = 100 WHERE code = 'ota-test-partner'")
        let ok = g.send("GET", "/api/ota/inventory")
        #expect(ok.status == 200)
        #expect(ok.header("RateLimit-Policy") == #""partner";q=100;w=60"#)
        #expect(ok.header("RateLimit")?.hasPrefix(#""partner";r="#) == true)
        var limited: InProcessGateway.Answer?
        for _ in 0..<10 {
            let r = g.send("GET", "/api/ota/inventory")
            if r.status == 429 { limited = r; break }
        }
        let r = try #require(limited, "100 a minute with a one-second burst refuses the burst of 10")
        #expect(r.code == "rate_limited")
        #expect(Int(r.header("Retry-After") ?? "") ?? 0 >= 1)
        #expect(r.header("RateLimit-Policy") != nil, "a refusal carries the headers too")
        // Routes without partner authentication are not counted or labelled.
        #expect(g.send("GET", "/livez", key: nil).header("RateLimit-Policy") == nil)
    }

    @Test func anIdempotentRouteReplaysByteForByteAndRefusesAnotherBody() throws {
        let g = try InProcessGateway()
        let body = #"{"product_id":106,"quantity":3}"#
        let first = g.send("POST", "/api/ota/reserve", headers: [("Idempotency-Key", "k-1")], body: body)
        #expect(first.status == 201)
        let again = g.send("POST", "/api/ota/reserve", headers: [("Idempotency-Key", "k-1")], body: body)
        #expect(again.status == 201)
        #expect(again.body == first.body)
        #expect(again.header("Idempotent-Replayed") == "true")
        #expect(again.header("Location") == first.header("Location"))
        let other = g.send("POST", "/api/ota/reserve", headers: [("Idempotency-Key", "k-1")], body: #"{"product_id":106,"quantity":4}"#)
        #expect(other.status == 422)
        #expect(other.code == "idempotency_key_reused")
        #expect(g.send("POST", "/api/ota/reserve", headers: [("Idempotency-Key", "bad key")], body: body).code == "invalid_idempotency_key")
        let twice = g.send("POST", "/api/ota/reserve", headers: [("Idempotency-Key", "k-2"), ("Idempotency-Key", "k-3")], body: body)
        #expect(twice.code == "duplicate_header")
        #expect(try g.sql("SELECT count(*) AS n FROM reservations").first?.decode("n", as: Int.self) == 1)
    }

    /// PATCH and POST .../disable of an operator honour Idempotency-Key as the document
    /// promises for every change (issue 9): the replay is the first answer, not a second change.
    @Test func operatorChangesHonourIdempotencyKeys() throws {
        let g = try InProcessGateway()
        let created = g.send("POST", "/api/ota/operators", body: #"{"username":"pier.idem","password":"correct horse battery","display_name":"Pier"}"#)
        #expect(created.status == 201)
        let id = try #require(created.json["operator_id"] as? Int)
        let renamed = g.send("PATCH", "/api/ota/operators/\(id)", headers: [("Idempotency-Key", "rename-1")], body: #"{"display_name":"One"}"#)
        #expect(renamed.status == 200)
        _ = g.send("PATCH", "/api/ota/operators/\(id)", body: #"{"display_name":"Two"}"#)
        let replay = g.send("PATCH", "/api/ota/operators/\(id)", headers: [("Idempotency-Key", "rename-1")], body: #"{"display_name":"One"}"#)
        #expect(replay.header("Idempotent-Replayed") == "true")
        #expect(replay.body == renamed.body)
        #expect(g.send("GET", "/api/ota/operators/\(id)").json["display_name"] as? String == "Two", "the replay changed nothing")
        let disabled = g.send("POST", "/api/ota/operators/\(id)/disable", headers: [("Idempotency-Key", "off-1")])
        #expect(disabled.json["status"] as? String == "disabled")
        #expect(g.send("POST", "/api/ota/operators/\(id)/disable", headers: [("Idempotency-Key", "off-1")]).header("Idempotent-Replayed") == "true")
    }

    /// Issue 13, item 5: the stored answer is found before the body is checked against the
    /// clock, so a hold whose custom expiry has come within a minute still replays.
    @Test func aReplayDoesNotDependOnTheClock() throws {
        let g = try InProcessGateway()
        let expires = Date().addingTimeInterval(61.5)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let body = #"{"product_id":106,"quantity":2,"reservation_expires_at":"\#(f.string(from: expires))"}"#
        let first = g.send("POST", "/api/ota/reserve", headers: [("Idempotency-Key", "near-1")], body: body)
        #expect(first.status == 201)
        // The same body sent fresh now would be refused: under a minute ahead.
        while Date().addingTimeInterval(60) < expires { usleep(100_000) }
        #expect(g.send("POST", "/api/ota/reserve", body: body).status == 422)
        let replay = g.send("POST", "/api/ota/reserve", headers: [("Idempotency-Key", "near-1")], body: body)
        #expect(replay.status == 201)
        #expect(replay.body == first.body)
    }

    /// A database that fails during authentication is a 503 with Retry-After on every
    /// authenticated path, the operator's included (issue 9: it was a 401).
    @Test func aDatabaseFailureDuringOperatorAuthenticationIs503() throws {
        let g = try InProcessGateway(environment: ["OTA_LOCK_TIMEOUT_MS": "50"])
        let created = g.send("POST", "/api/ota/operators", body: #"{"username":"pier.lock","password":"correct horse battery","display_name":"Pier"}"#)
        #expect(created.status == 201)
        let login = g.send("POST", "/operators/login", key: nil, body: #"{"partner":"ota-test-partner","username":"pier.lock","password":"correct horse battery"}"#)
        let token = try #require(login.json["token"] as? String)
        let bearer = [("Authorization", "Bearer \(token)")]
        #expect(g.send("GET", "/operators/venues", key: nil, headers: bearer).status == 200)
        // Another session holds the sessions table: the lookup cannot finish in time.
        let blocker = try g.database.connect()
        defer { blocker.close() }
        try blocker.execute(unescaped: "BEGIN; LOCK TABLE operator_sessions IN ACCESS EXCLUSIVE MODE")
        let r = g.send("GET", "/operators/venues", key: nil, headers: bearer)
        #expect(r.status == 503)
        #expect(r.header("Retry-After") != nil)
        try blocker.execute(unescaped: "ROLLBACK")
        #expect(g.send("GET", "/operators/venues", key: nil, headers: bearer).status == 200)
    }

    @Test func anUnreachableDatabaseIs503OnPartnerAndOperatorRoutes() throws {
        let g = try InProcessGateway(databaseURL: "postgresql://ota@127.0.0.1:1/none?connect_timeout=2")
        for (target, headers) in [("/api/ota/inventory", [(String, String)]()), ("/operators/venues", [("Authorization", "Bearer opt_x")])] {
            let r = g.send("GET", target, key: target.hasPrefix("/api") ? InProcessGateway.testKey : nil, headers: headers)
            #expect(r.status == 503, "\(target)")
            #expect(r.code == "service_unavailable")
            #expect(r.header("Retry-After") != nil)
        }
        #expect(g.send("GET", "/livez", key: nil).status == 200, "liveness needs no database")
    }

    /// Issue 9 and 13: any token is a method; as a metrics label it is one bounded value.
    @Test func unknownMethodsAreOneMetricsLabel() throws {
        let g = try InProcessGateway()
        for i in 0..<20 { _ = g.send("FOO\(i)", "/livez", key: nil) }
        let long = String(repeating: "M", count: 5_000)
        let r = g.send(long, "/livez", key: nil)
        #expect(r.status == 405)
        #expect(r.text.count < 1_000, "the method is not echoed whole")
        let text = g.send("GET", "/metrics", key: nil).text
        #expect(text.contains(#"ota_http_requests_total{route="unmatched",method="other",status="405"} 21"#))
        #expect(!text.contains("FOO"))
        #expect(!text.contains("MMMM"))
    }

    @Test func problemTypesResolveToTheirMeaning() throws {
        let g = try InProcessGateway()
        let refused = g.send("POST", "/api/ota/reserve", body: #"{"product_id":106,"quantity":999999}"#)
        #expect(refused.json["type"] as? String == "/problems/insufficient-inventory")
        let doc = g.send("GET", "/problems/insufficient-inventory", key: nil)
        #expect(doc.status == 200)
        #expect(doc.json["code"] as? String == "insufficient_inventory")
        #expect(doc.json["status"] as? Int == 409)
        for type in ProblemType.all {
            #expect(g.send("GET", type.typeURI, key: nil).json["code"] as? String == type.code, "\(type.code)")
        }
        #expect(g.send("GET", "/problems/no-such-thing", key: nil).status == 404)
        // One code, one title: the catalog never repeats a code.
        #expect(Set(ProblemType.all.map(\.code)).count == ProblemType.all.count)
    }
}

/// Issue 13, item 13: /metrics can be closed to anyone without the deployment's token.
@Suite struct MetricsTokenTests {
    @Test func aConfiguredTokenGuardsMetrics() throws {
        let g = try InProcessGateway(environment: ["OTA_METRICS_TOKEN": "scrape-token-0123456789"])
        let anonymous = g.send("GET", "/metrics", key: nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.code == "scrape_token_required")
        #expect(!anonymous.text.contains("ota_pool_units"))
        #expect(g.send("GET", "/metrics", key: nil, headers: [("Authorization", "Bearer wrong-token-0123456789")]).status == 401)
        let scraper = g.send("GET", "/metrics", key: nil, headers: [("Authorization", "Bearer scrape-token-0123456789")])
        #expect(scraper.status == 200)
        #expect(scraper.text.contains("ota_pool_units"))
        #expect(g.send("GET", "/livez", key: nil).status == 200, "health stays open")
        #expect(throws: GatewayConfiguration.Invalid.self) { try GatewayConfiguration(environment: ["OTA_DATABASE_URL": "x", "OTA_METRICS_TOKEN": "short"]) }
    }
}
