import Foundation
import Testing
import OTACrypto
import TestSupport
import Postgres

/// Batch -> activate -> QR -> operator login -> decrypt -> scan -> USED -> billing.
@Suite struct RedemptionTests {
    /// An operator of the given partner key, logged in; returns its bearer token.
    func operatorToken(_ g: InProcessGateway, username: String, key: String = InProcessGateway.testKey, venues: [String] = []) throws -> String {
        let venueList = venues.map { "\"\($0)\"" }.joined(separator: ",")
        let created = g.post("/api/ota/operators",
                                 #"{"username":"\#(username)","password":"correct horse battery","display_name":"Gate staff","venue_ids":[\#(venueList)]}"#,
                                 key: key)
        #expect(created.status == 201, "\(created.text)")
        let partner = key == InProcessGateway.testKey ? "ota-test-partner" : "ota251103"
        let login = g.post("/operators/login", #"{"partner":"\#(partner)","username":"\#(username)","password":"correct horse battery"}"#, key: nil)
        #expect(login.status == 200, "\(login.text)")
        return try #require(login.json["token"] as? String)
    }

    func activeBatchTicket(_ g: InProcessGateway, key: String = InProcessGateway.testKey, batch: String = "RB-1", body: String? = nil) throws -> String {
        let r = g.post("/api/ota/tickets/bulk-generate", body ?? #"""
            {"product_id":106,"quantity":2,"batch_id":"\#(batch)","distribution_mode":"reseller_batch",
             "special_pricing":{"base_price":200},"reseller_metadata":{"reseller_id":"R-9","reseller_name":"Bay Tours","commission_rate":0.15}}
            """#, key: key)
        #expect(r.status == 201, "\(r.text)")
        let code = try #require((r.json["ticket_codes"] as? [String])?.first)
        #expect(g.post("/api/ota/tickets/\(code)/activate", #"{"customer":{"name":"Mei"},"customer_type":"adult","travel_date":"\#(g.nextWeekday(3))"}"#, key: key).status == 200)
        return code
    }

    func qr(_ g: InProcessGateway, _ code: String, key: String = InProcessGateway.testKey, minutes: Int = 30) throws -> String {
        let r = g.post("/api/ota/tickets/\(code)/qr", #"{"expiry_minutes":\#(minutes)}"#, key: key)
        #expect(r.status == 200, "\(r.text)")
        #expect((r.json["svg"] as? String)?.hasPrefix("<svg") == true || (r.json["svg"] as? String)?.contains("<svg") == true)
        return try #require(r.json["qr_token"] as? String)
    }

    func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    @Test func theWholeJourneyEndsInOneBillingLine() throws {
        let g = try InProcessGateway()
        let code = try activeBatchTicket(g)
        let token = try qr(g, code)
        let op = try operatorToken(g, username: "gate.one")
        let venues = g.get("/operators/venues", key: nil, headers: bearer(op))
        #expect(venues.status == 200)
        #expect((venues.json["venues"] as? [[String: Any]])?.compactMap { $0["venue_id"] as? String }.sorted() == ["TEST-LOUNGE", "TEST-PIER-1"])
        let decrypted = g.post("/qr/decrypt", #"{"qr_token":"\#(token)"}"#, key: nil, headers: bearer(op))
        #expect(decrypted.status == 200, "\(decrypted.text)")
        #expect((decrypted.json["ticket"] as? [String: Any])?["ticket_code"] as? String == code)
        var last: InProcessGateway.Answer?
        for (i, function) in ["boarding", "dinner", "lounge"].enumerated() {
            let scan = g.post("/venue/scan", #"{"qr_token":"\#(token)","venue_id":"TEST-PIER-1","function_code":"\#(function)","scan_id":"s-\#(i)"}"#,
                                  key: nil, headers: bearer(op))
            #expect(scan.status == 200, "\(scan.text)")
            #expect(scan.json["billed"] as? Bool == (i == 0), "billed once, at the first redemption")
            last = scan
        }
        #expect((last?.json["ticket"] as? [String: Any])?["status"] as? String == "USED")
        let used = g.get("/api/ota/tickets/\(code)")
        #expect(used.json["status"] as? String == "USED")
        let again = g.post("/venue/scan", #"{"ticket_code":"\#(code)","venue_id":"TEST-PIER-1","function_code":"boarding"}"#, key: nil, headers: bearer(op))
        #expect(again.status == 409)

        let today = ISO8601DateFormatter().string(from: Date()).prefix(10)
        let summary = g.get("/api/ota/billing/summary?from=\(today)&to=\(today)&group_by=batch")
        #expect(summary.status == 200, "\(summary.text)")
        let groups = try #require(summary.json["groups"] as? [[String: Any]])
        #expect(groups.count == 1)
        #expect(groups.first?["key"] as? String == "RB-1")
        #expect(groups.first?["tickets"] as? Int == 1)
        #expect(groups.first?["gross"] as? Double == 200)
        #expect(groups.first?["commission"] as? Double == 30)
        #expect(groups.first?["net"] as? Double == 170)
        let byReseller = g.get("/api/ota/billing/summary?from=\(today)&to=\(today)&group_by=reseller")
        #expect((byReseller.json["groups"] as? [[String: Any]])?.first?["key"] as? String == "R-9")
        let lines = g.get("/api/ota/billing/redemptions")
        #expect((lines.json["redemptions"] as? [[String: Any]])?.first?["ticket_code"] as? String == code)
        #expect(g.get("/api/ota/billing/redemptions", key: InProcessGateway.otherKey).json["redemptions"] as? [Any] != nil)
        #expect((g.get("/api/ota/billing/redemptions", key: InProcessGateway.otherKey).json["redemptions"] as? [Any])?.isEmpty == true)
        #expect(g.get("/api/ota/billing/summary?group_by=batch").status == 422)

        // The operator's CSV export has the same line.
        let export = try AdminTool(databaseURL: g.database.url).run("billing", "export", "--from", String(today), "--to", String(today))
        let csv = export.out
        #expect(export.status == 0)
        let rows = csv.split(separator: "\n")
        #expect(rows.first == "partner_code,ticket_code,product_id,batch_id,reseller_id,amount,commission_rate,commission,net,currency,billed_at")
        #expect(rows.count == 2)
        #expect(rows.last?.hasPrefix("ota-test-partner,\(code),106,RB-1,R-9,200.00,0.15,30.00,170.00,CNY,") == true, "\(csv)")
    }

    /// 100 scans over 8 gateways on one database (the binary's OTA_WORKERS=8).
    @Test func aHundredParallelScansOfAOneUseEntitlementRedeemExactlyOnce() async throws {
        let g = try InProcessGateway()
        let code = try activeBatchTicket(g)
        let op = try operatorToken(g, username: "gate.race")
        let headers = bearer(op)
        let statuses = try await InProcessGateway.concurrently(threads: 8, iterations: 100, databaseURL: g.database.url) { c, _ in
            c.post("/venue/scan", #"{"ticket_code":"\#(code)","venue_id":"TEST-PIER-1","function_code":"boarding"}"#,
                   key: nil, headers: headers).status
        }
        #expect(statuses.count == 100)
        #expect(statuses.filter { $0 == 200 }.count == 1)
        #expect(statuses.filter { $0 == 409 }.count == 99)
        #expect(try g.sql("SELECT count(*) AS n FROM redemptions").first?.decode("n", as: Int.self) == 1)
        #expect(try g.sql("SELECT count(*) AS n FROM billing_lines").first?.decode("n", as: Int.self) == 1)
    }

    @Test func aScanIdReplaysInsteadOfRedeemingTwice() throws {
        let g = try InProcessGateway()
        let code = try activeBatchTicket(g)
        let op = try operatorToken(g, username: "gate.replay")
        let body = #"{"ticket_code":"\#(code)","venue_id":"TEST-LOUNGE","function_code":"lounge","scan_id":"dev-7-0001"}"#
        let a = g.post("/venue/scan", body, key: nil, headers: bearer(op))
        let b = g.post("/venue/scan", body, key: nil, headers: bearer(op))
        #expect(a.status == 200 && b.status == 200)
        #expect(b.header("Idempotent-Replayed") == "true")
        #expect((a.json["redemption"] as? [String: Any])?["redemption_id"] as? Int == (b.json["redemption"] as? [String: Any])?["redemption_id"] as? Int)
        #expect(try g.sql("SELECT count(*) AS n FROM redemptions").first?.decode("n", as: Int.self) == 1)
    }

    @Test func anotherPartnersOperatorCanNeitherDecryptNorScan() throws {
        let g = try InProcessGateway()
        let code = try activeBatchTicket(g)
        let token = try qr(g, code)
        let other = try operatorToken(g, username: "other.gate", key: InProcessGateway.otherKey)
        #expect(g.post("/qr/decrypt", #"{"qr_token":"\#(token)"}"#, key: nil, headers: bearer(other)).status == 404)
        #expect(g.post("/venue/scan", #"{"qr_token":"\#(token)","venue_id":"G251103-GATE-A","function_code":"boarding"}"#,
                           key: nil, headers: bearer(other)).status == 404)
        #expect(g.post("/venue/scan", #"{"ticket_code":"\#(code)","venue_id":"G251103-GATE-A","function_code":"boarding"}"#,
                           key: nil, headers: bearer(other)).status == 404)
        // A venue outside the operator's partner: 403.
        #expect(g.post("/venue/scan", #"{"ticket_code":"\#(code)","venue_id":"TEST-PIER-1","function_code":"boarding"}"#,
                           key: nil, headers: bearer(other)).status == 403)
        // An operator limited to one venue may not scan at another.
        let limited = try operatorToken(g, username: "lounge.only", venues: ["TEST-LOUNGE"])
        #expect(g.post("/venue/scan", #"{"ticket_code":"\#(code)","venue_id":"TEST-PIER-1","function_code":"boarding"}"#,
                           key: nil, headers: bearer(limited)).status == 403)
        #expect(try g.sql("SELECT count(*) AS n FROM redemptions").first?.decode("n", as: Int.self) == 0)
    }

    @Test func tamperedAndExpiredTokensAreRefused() throws {
        let g = try InProcessGateway()
        let code = try activeBatchTicket(g)
        let token = try qr(g, code)
        let op = try operatorToken(g, username: "gate.check")
        var chars = Array(token)
        let i = chars.count / 2
        chars[i] = chars[i] == "A" ? "B" : "A"
        let tampered = g.post("/qr/decrypt", #"{"qr_token":"\#(String(chars))"}"#, key: nil, headers: bearer(op))
        #expect(tampered.status == 422)
        #expect(tampered.json["code"] as? String == "invalid_qr_token")
        let partnerId = try g.sql("SELECT partner_id FROM partners WHERE code = 'ota-test-partner'").first!.decode("partner_id", as: Int64.self)
        let ring = try QRKeyring.parse(active: InProcessGateway.qrKeyId, keys: InProcessGateway.qrKeys)
        let now = Int64(Date().timeIntervalSince1970)
        let expired = try QRToken.seal(QRTokenClaims(ticketCode: code, partnerId: partnerId, issuedAt: now - 3600, expiresAt: now - 60,
                                                     tokenId: try SecureRandom.bytes(16)), keyring: ring)
        let gone = g.post("/qr/decrypt", #"{"qr_token":"\#(expired)"}"#, key: nil, headers: bearer(op))
        #expect(gone.status == 410)
        #expect(g.post("/venue/scan", #"{"qr_token":"\#(expired)","venue_id":"TEST-PIER-1","function_code":"boarding"}"#,
                           key: nil, headers: bearer(op)).status == 410)
        #expect(g.post("/qr/decrypt", #"{"qr_token":"\#(token)"}"#, key: nil).status == 401)
    }

    @Test func qrOnlyForActiveTicketsAndAsAnSVGImage() throws {
        let g = try InProcessGateway()
        let r = g.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale"}"#)
        let code = try #require((r.json["ticket_codes"] as? [String])?.first)
        #expect(g.post("/api/ota/tickets/\(code)/qr", nil).status == 409)
        #expect(g.post("/api/ota/tickets/\(code)/activate", #"{"customer":{"name":"A"}}"#).status == 200)
        let svg = g.post("/api/ota/tickets/\(code)/qr?format=svg", nil)
        #expect(svg.status == 200)
        #expect(svg.header("Content-Type") == "image/svg+xml")
        #expect(svg.text.contains("<svg") && svg.text.contains("</svg>"))
        #expect(svg.header("X-QR-Token")?.isEmpty == false)
        #expect(g.post("/api/ota/tickets/\(code)/qr", #"{"expiry_minutes":0}"#).status == 422)
        #expect(g.post("/api/ota/tickets/\(code)/qr", #"{"expiry_minutes":1441}"#).status == 422)
        #expect(g.post("/api/ota/tickets/\(code)/qr", nil, key: InProcessGateway.otherKey).status == 404)
    }

    @Test func twentyWrongPasswordsLockTheUsernameOut() throws {
        let g = try InProcessGateway()
        _ = try operatorToken(g, username: "gate.lock")
        var statuses: [Int] = []
        for _ in 0..<20 {
            statuses.append(g.post("/operators/login", #"{"partner":"ota-test-partner","username":"gate.lock","password":"wrong password!!"}"#, key: nil).status)
        }
        #expect(statuses.prefix(5).allSatisfy { $0 == 401 })
        #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 })
        let right = g.post("/operators/login", #"{"partner":"ota-test-partner","username":"gate.lock","password":"correct horse battery"}"#, key: nil)
        #expect(right.status == 429)
        #expect(right.json["code"] as? String == "login_locked")
        #expect(Int(right.header("Retry-After") ?? "0") ?? 0 >= 60, "locked for a while, not a moment")
    }

    @Test func operatorsAreManagedByTheirPartnerOnly() throws {
        let g = try InProcessGateway()
        let weak = g.post("/api/ota/operators", #"{"username":"weak.one","password":"short","display_name":"W"}"#)
        #expect(weak.status == 422)
        #expect(weak.json["field"] as? String == "password")
        let badVenue = g.post("/api/ota/operators", #"{"username":"venue.x","password":"correct horse battery","display_name":"V","venue_ids":["G251103-GATE-A"]}"#)
        #expect(badVenue.status == 422)
        let token = try operatorToken(g, username: "staff.a")
        let dup = g.post("/api/ota/operators", #"{"username":"staff.a","password":"correct horse battery","display_name":"Again"}"#)
        #expect(dup.status == 409)
        let list = g.get("/api/ota/operators")
        let id = try #require((list.json["operators"] as? [[String: Any]])?.first?["operator_id"] as? Int)
        #expect(g.get("/api/ota/operators/\(id)", key: InProcessGateway.otherKey).status == 404)
        #expect(g.post("/api/ota/operators/\(id)/disable", nil, key: InProcessGateway.otherKey).status == 404)
        let renamed = g.send("PATCH", "/api/ota/operators/\(id)", body: #"{"display_name":"Pier staff"}"#)
        #expect(renamed.json["display_name"] as? String == "Pier staff")
        #expect(g.post("/api/ota/operators/\(id)/disable", nil).json["status"] as? String == "disabled")
        #expect(g.get("/operators/venues", key: nil, headers: bearer(token)).status == 401, "disabling ends the sessions")
        // A disabled operator is answered as a wrong password: the answer never confirms a password.
        let disabledLogin = g.post("/operators/login", #"{"partner":"ota-test-partner","username":"staff.a","password":"correct horse battery"}"#, key: nil)
        #expect(disabledLogin.status == 401)
        #expect(disabledLogin.json["code"] as? String == "invalid_credentials")
    }
}
