import Foundation
import Testing
import OTACrypto
import OTADomain
import OTAStore
@testable import OTAGateway
import Postgres
import TestSupport

/// The console through the pipeline: who gets in (console accounts, never partner keys),
/// the cookie, CSRF, logout, the page and the API, and the page with the database away.
@Suite struct ConsoleTests {
    static let password = "harbour lights 2026"

    func gateway(_ env: [String: String] = [:]) throws -> InProcessGateway {
        let g = try InProcessGateway(environment: env)
        let db = try g.database.connect()
        defer { db.close() }
        _ = try ConsoleUserStore(db).create(username: "ops.lead", passwordHash: try PasswordHash.hash(Self.password))
        return g
    }

    func login(_ g: InProcessGateway, _ body: String = "username=ops.lead&password=harbour+lights+2026",
               headers: [(String, String)] = []) -> InProcessGateway.Answer {
        g.send("POST", "/console/login", key: nil, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers, body: body)
    }

    /// The `ota_console=...` pair of a login's Set-Cookie.
    func cookie(_ a: InProcessGateway.Answer) throws -> String {
        try #require(a.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
    }

    @Test func partnerKeysGet403OnEveryConsoleRoute() throws {
        let g = try gateway()
        for (method, path) in [("GET", "/console"), ("GET", "/console/login"), ("POST", "/console/login"), ("POST", "/console/logout"),
                               ("GET", "/api/admin/kpis"), ("GET", "/api/admin/kpis/series?metric=holds")] {
            let a = g.send(method, path, body: method == "POST" ? "username=ops.lead&password=x" : nil)
            #expect(a.status == 403, "\(method) \(path)")
            #expect(a.code == "console_for_staff_only", "\(method) \(path)")
        }
        // Even with a valid console session beside it.
        let session = try cookie(login(g))
        #expect(g.send("GET", "/api/admin/kpis", headers: [("Cookie", session)]).status == 403)
    }

    @Test func aFormLoginAnswers303WithAStrictHttpOnlyCookie() throws {
        let g = try gateway()
        let a = login(g)
        #expect(a.status == 303)
        #expect(a.header("Location") == "/console")
        let setCookie = try #require(a.header("Set-Cookie"))
        #expect(setCookie.hasPrefix("ota_console=ocs_"))
        #expect(setCookie.contains("; HttpOnly") && setCookie.contains("; SameSite=Strict") && setCookie.contains("; Path=/"))
        #expect(setCookie.contains("Max-Age=43200"), "12 hours")
        #expect(!setCookie.contains("Secure"), "not behind TLS unless configured")
        let token = String(try cookie(a).dropFirst("ota_console=".count))
        let stored = try g.sql("SELECT count(*)::int AS n FROM console_sessions WHERE token_hash = \(Digest.sha256(token))").first?.decode("n", as: Int.self)
        #expect(stored == 1, "only the hash is stored")

        let page = g.send("GET", "/console", key: nil, headers: [("Cookie", "theme=dark; " + (try cookie(a)))])
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.text.contains("data-kpi=\"activation_rate\""))
        #expect(!page.text.contains("http://") && !page.text.contains("https://"), "nothing loaded from elsewhere")
        let api = g.send("GET", "/api/admin/kpis?window=today", key: nil, headers: [("Cookie", try cookie(a))])
        #expect(api.status == 200)
        #expect(api.json["invariants"] != nil)

        let secure = try gateway(["OTA_CONSOLE_SECURE_COOKIE": "1"])
        #expect(login(secure).header("Set-Cookie")?.hasSuffix("; Secure") == true)
    }

    @Test func jsonLoginsAndFailures() throws {
        let g = try gateway()
        let ok = g.send("POST", "/console/login", key: nil, body: #"{"username":"OPS.LEAD","password":"harbour lights 2026"}"#)
        #expect(ok.status == 303)
        let wrong = g.send("POST", "/console/login", key: nil, body: #"{"username":"ops.lead","password":"not the password"}"#)
        #expect(wrong.status == 401)
        #expect(wrong.code == "invalid_credentials")
        let form = login(g, "username=ops.lead&password=nope+nope+nope")
        #expect(form.status == 401)
        #expect(form.header("Content-Type") == "text/html; charset=utf-8")
        #expect(form.text.contains("Unknown username or wrong password."))
        #expect(login(g, "username=ops.lead").status == 422)
        // Locked out like operators (under keys of its own), and the lock answers 429.
        for _ in 0..<6 { _ = login(g, "username=ops.lead&password=wrong+again+1") }
        let locked = login(g)
        #expect(locked.status == 429)
        #expect(locked.header("Retry-After") != nil)
        #expect(try g.sql("SELECT count(*)::int AS n FROM login_throttle WHERE throttle_key = 'u:ops.lead'").first?.decode("n", as: Int.self) == 0,
                "operator logins are not locked by console failures")
    }

    @Test func withoutASessionThePageRedirectsAndTheAPIAnswers401() throws {
        let g = try gateway()
        let page = g.send("GET", "/console", key: nil)
        #expect(page.status == 303)
        #expect(page.header("Location") == "/console/login")
        let forged = g.send("GET", "/console", key: nil, headers: [("Cookie", "ota_console=ocs_" + String(repeating: "A", count: 43))])
        #expect(forged.status == 303)
        #expect(forged.header("Set-Cookie")?.contains("Max-Age=0") == true)
        for path in ["/api/admin/kpis", "/api/admin/kpis/series?metric=rates"] {
            let a = g.send("GET", path, key: nil)
            #expect(a.status == 401)
            #expect(a.code == "console_login_required")
        }
        #expect(g.send("GET", "/console/login", key: nil).status == 200)
    }

    @Test func consoleSessionsNeverReachPartnerRoutes() throws {
        let g = try gateway()
        let session = try cookie(login(g))
        let a = g.send("GET", "/api/ota/inventory", key: nil, headers: [("Cookie", session)])
        #expect(a.status == 401)
        #expect(a.code == "missing_api_key")
    }

    @Test func crossSitePostsAreRefused() throws {
        let g = try gateway()
        #expect(login(g, headers: [("Origin", "https://evil.example")]).code == "cross_site_request")
        #expect(login(g, headers: [("Sec-Fetch-Site", "cross-site")]).status == 403)
        #expect(login(g, headers: [("Origin", "null")]).status == 403)
        #expect(login(g, headers: [("Origin", "http://127.0.0.1:8080"), ("Sec-Fetch-Site", "same-origin")]).status == 303)
    }

    @Test func logoutAndDisablingEndSessions() throws {
        let g = try gateway()
        let session = try cookie(login(g))
        let out = g.send("POST", "/console/logout", key: nil, headers: [("Cookie", session)])
        #expect(out.status == 303)
        #expect(out.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(g.send("GET", "/api/admin/kpis", key: nil, headers: [("Cookie", session)]).status == 401)

        let again = try cookie(login(g))
        #expect(g.send("GET", "/api/admin/kpis", key: nil, headers: [("Cookie", again)]).status == 200)
        let db = try g.database.connect()
        defer { db.close() }
        #expect(try ConsoleUserStore(db).setActive(username: "ops.lead", false) != nil)
        #expect(g.send("GET", "/api/admin/kpis", key: nil, headers: [("Cookie", again)]).status == 401)
        #expect(login(g).status == 401, "a disabled account is refused like a wrong password")
    }

    @Test func theAPIValidatesItsQuery() throws {
        let g = try gateway()
        let session = [("Cookie", try cookie(login(g)))]
        for (query, field) in [("window=week", "window"), ("product_id=999", "product_id"), ("partner_id=0", "partner_id"),
                               ("from=2026-01-10&to=2026-01-09", "to"), ("from=2024-01-01&to=2026-01-01", "to"),
                               ("window=7d&from=2026-01-01", "window"), ("to=2026-01-01", "from")] {
            let a = g.send("GET", "/api/admin/kpis?" + query, key: nil, headers: session)
            #expect(a.status == 422, "\(query)")
            #expect(a.json["field"] as? String == field, "\(query)")
        }
        #expect(g.send("GET", "/api/admin/kpis/series", key: nil, headers: session).status == 422)
        #expect(g.send("GET", "/api/admin/kpis/series?metric=holds&step=hour&window=30d", key: nil, headers: session).status == 200)
        #expect(g.send("GET", "/api/admin/kpis/series?metric=holds&step=hour&from=2026-01-01&to=2026-12-01", key: nil, headers: session).status == 422)
        #expect(g.send("GET", "/api/admin/kpis/series?metric=nope", key: nil, headers: session).status == 422)
    }

    @Test func theAPICountsTrafficMadeThroughThePartnerAPI() throws {
        let g = try gateway()
        let session = [("Cookie", try cookie(login(g)))]
        let first = g.send("POST", "/api/ota/reserve", body: #"{"product_id": 107, "quantity": 4}"#)
        #expect(first.status == 201)
        #expect(g.send("POST", "/api/ota/reserve", body: #"{"product_id": 107, "quantity": 6}"#).status == 201)
        let id = try #require(first.json["reservation_id"] as? String)
        #expect(g.send("POST", "/api/ota/reservations/\(id)/cancel").status == 200)
        let a = g.send("GET", "/api/admin/kpis?window=today&product_id=107", key: nil, headers: session)
        #expect(a.status == 200)
        let holds = try #require((a.json["totals"] as? [String: Any])?["holds"] as? [String: Any])
        #expect(holds["made"] as? Int == 2 && holds["made_units"] as? Int == 10)
        #expect(holds["cancelled"] as? Int == 1 && holds["ended"] as? Int == 1)
        #expect(holds["activation_rate"] as? Double == 0 && holds["expiry_rate"] as? Double == 0)
        let pools = try #require((a.json["utilisation"] as? [String: Any])?["pools"] as? [[String: Any]])
        let ota = try #require(pools.first { $0["channel"] as? String == "ota" })
        #expect(ota["reserved"] as? Int == 6)
        let series = g.send("GET", "/api/admin/kpis/series?metric=holds&step=hour&window=today", key: nil, headers: session)
        let made = (series.json["series"] as? [[String: Any]])?.first { $0["name"] as? String == "made" }?["values"] as? [Int]
        #expect(made?.reduce(0, +) == 2)
        let page = g.send("GET", "/console?window=today", key: nil, headers: session)
        #expect(page.text.contains("data-kpi=\"holds_made\">2<"))
        // The as-of time reads to the second; the exact instant is in its datetime attribute.
        let asOf = try #require(page.text.range(of: #"data-kpi="as_of" datetime="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z">[^<]+<"#,
                                                options: .regularExpression))
        #expect(page.text[asOf].range(of: #">\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC<$"#, options: .regularExpression) != nil,
                "\(page.text[asOf])")
    }

    @Test func timesOnThePageReadToTheSecond() {
        #expect(ConsolePage.shown(Timestamp(microseconds: 1_796_139_184_987_654)) == "2026-12-01 15:33:04 UTC")
        #expect(ConsolePage.shown(Timestamp(microseconds: 1_796_139_184_000_000)) == "2026-12-01 15:33:04 UTC")
        #expect(ConsolePage.shown(Timestamp(microseconds: -1)) == "1969-12-31 23:59:59 UTC")
        #expect(ConsolePage.machineReadable(Timestamp(microseconds: 1_796_139_184_987_654)) == "2026-12-01T15:33:04.987Z")
        #expect(ConsolePage.machineReadable(Timestamp(microseconds: 1_796_139_184_000_900)) == "2026-12-01T15:33:04Z")
    }

    @Test func thePageShowsABannerWhenTheDatabaseIsAway() throws {
        let g = try InProcessGateway(databaseURL: "postgresql://ota@127.0.0.1:1/none?connect_timeout=2")
        let page = g.send("GET", "/console", key: nil, headers: [("Cookie", "ota_console=ocs_" + String(repeating: "A", count: 43))])
        #expect(page.status == 503)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.text.contains("data-kpi=\"database_unavailable\""))
        #expect(page.text.contains("The database cannot be reached"))
        let api = g.send("GET", "/api/admin/kpis", key: nil, headers: [("Cookie", "ota_console=ocs_" + String(repeating: "A", count: 43))])
        #expect(api.status == 503)
        #expect(api.code == "service_unavailable")
        #expect(g.send("GET", "/console/login", key: nil).status == 200, "the form needs no database")
    }
}
