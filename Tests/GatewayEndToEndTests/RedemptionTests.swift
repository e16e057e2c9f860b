import Foundation
import Testing
import OTACrypto
import TestSupport

/// Batch -> activate -> QR -> operator login -> decrypt -> scan -> USED -> billing.
@Suite struct RedemptionTests {
    /// An operator of the given partner key, logged in; returns its bearer token.
    func operatorToken(_ s: Stack, username: String, key: String = Stack.testKey, venues: [String] = []) throws -> String {
        let venueList = venues.map { "\"\($0)\"" }.joined(separator: ",")
        let created = try s.post("/api/ota/operators",
                                 #"{"username":"\#(username)","password":"correct horse battery","display_name":"Gate staff","venue_ids":[\#(venueList)]}"#,
                                 key: key)
        #expect(created.status == 201, "\(created.text)")
        let partner = key == Stack.testKey ? "ota-test-partner" : "ota251103"
        let login = try s.post("/operators/login", #"{"partner":"\#(partner)","username":"\#(username)","password":"correct horse battery"}"#, key: nil)
        #expect(login.status == 200, "\(login.text)")
        return try #require(login.json["token"] as? String)
    }

    func activeBatchTicket(_ s: Stack, key: String = Stack.testKey, batch: String = "RB-1", body: String? = nil) throws -> String {
        let r = try s.post("/api/ota/tickets/bulk-generate", body ?? #"""
            {"product_id":106,"quantity":2,"batch_id":"\#(batch)","distribution_mode":"reseller_batch",
             "special_pricing":{"base_price":200},"reseller_metadata":{"reseller_id":"R-9","reseller_name":"Bay Tours","commission_rate":0.15}}
            """#, key: key)
        #expect(r.status == 201, "\(r.text)")
        let code = try #require((r.json["ticket_codes"] as? [String])?.first)
        #expect(try s.post("/api/ota/tickets/\(code)/activate", #"{"customer":{"name":"Mei"},"customer_type":"adult","travel_date":"\#(s.nextWeekday(3))"}"#, key: key).status == 200)
        return code
    }

    func qr(_ s: Stack, _ code: String, key: String = Stack.testKey, minutes: Int = 30) throws -> String {
        let r = try s.post("/api/ota/tickets/\(code)/qr", #"{"expiry_minutes":\#(minutes)}"#, key: key)
        #expect(r.status == 200, "\(r.text)")
        #expect((r.json["svg"] as? String)?.hasPrefix("<svg") == true || (r.json["svg"] as? String)?.contains("<svg") == true)
        return try #require(r.json["qr_token"] as? String)
    }

    func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    @Test func theWholeJourneyEndsInOneBillingLine() throws {
        let s = try Stack()
        let code = try activeBatchTicket(s)
        let token = try qr(s, code)
        let op = try operatorToken(s, username: "gate.one")
        let venues = try s.get("/operators/venues", key: nil, headers: bearer(op))
        #expect(venues.status == 200)
        #expect((venues.json["venues"] as? [[String: Any]])?.compactMap { $0["venue_id"] as? String }.sorted() == ["TEST-LOUNGE", "TEST-PIER-1"])
        let decrypted = try s.post("/qr/decrypt", #"{"qr_token":"\#(token)"}"#, key: nil, headers: bearer(op))
        #expect(decrypted.status == 200, "\(decrypted.text)")
        #expect((decrypted.json["ticket"] as? [String: Any])?["ticket_code"] as? String == code)
        var last: TestResponse?
        for (i, function) in ["boarding", "dinner", "lounge"].enumerated() {
            let scan = try s.post("/venue/scan", #"{"qr_token":"\#(token)","venue_id":"TEST-PIER-1","function_code":"\#(function)","scan_id":"s-\#(i)"}"#,
                                  key: nil, headers: bearer(op))
            #expect(scan.status == 200, "\(scan.text)")
            #expect(scan.json["billed"] as? Bool == (i == 0), "billed once, at the first redemption")
            last = scan
        }
        #expect((last?.json["ticket"] as? [String: Any])?["status"] as? String == "USED")
        let used = try s.get("/api/ota/tickets/\(code)")
        #expect(used.json["status"] as? String == "USED")
        let again = try s.post("/venue/scan", #"{"ticket_code":"\#(code)","venue_id":"TEST-PIER-1","function_code":"boarding"}"#, key: nil, headers: bearer(op))
        #expect(again.status == 409)

        let today = ISO8601DateFormatter().string(from: Date()).prefix(10)
        let summary = try s.get("/api/ota/billing/summary?from=\(today)&to=\(today)&group_by=batch")
        #expect(summary.status == 200, "\(summary.text)")
        let groups = try #require(summary.json["groups"] as? [[String: Any]])
        #expect(groups.count == 1)
        #expect(groups.first?["key"] as? String == "RB-1")
        #expect(groups.first?["tickets"] as? Int == 1)
        #expect(groups.first?["gross"] as? Double == 200)
        #expect(groups.first?["commission"] as? Double == 30)
        #expect(groups.first?["net"] as? Double == 170)
        let byReseller = try s.get("/api/ota/billing/summary?from=\(today)&to=\(today)&group_by=reseller")
        #expect((byReseller.json["groups"] as? [[String: Any]])?.first?["key"] as? String == "R-9")
        let lines = try s.get("/api/ota/billing/redemptions")
        #expect((lines.json["redemptions"] as? [[String: Any]])?.first?["ticket_code"] as? String == code)
        #expect(try s.get("/api/ota/billing/redemptions", key: Stack.otherKey).json["redemptions"] as? [Any] != nil)
        #expect((try s.get("/api/ota/billing/redemptions", key: Stack.otherKey).json["redemptions"] as? [Any])?.isEmpty == true)
        #expect(try s.get("/api/ota/billing/summary?group_by=batch").status == 422)

        // The operator's CSV export has the same line.
        let export = Process()
        export.executableURL = URL(fileURLWithPath: GatewayProcess.binDirectory() + "/ota-admin")
        export.arguments = ["billing", "export", "--from", String(today), "--to", String(today)]
        export.environment = ["OTA_DATABASE_URL": s.database.url, "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        export.standardOutput = pipe
        try export.run()
        let csv = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        export.waitUntilExit()
        #expect(export.terminationStatus == 0)
        let rows = csv.split(separator: "\n")
        #expect(rows.first == "partner_code,ticket_code,product_id,batch_id,reseller_id,amount,commission_rate,commission,net,currency,billed_at")
        #expect(rows.count == 2)
        #expect(rows.last?.hasPrefix("ota-test-partner,\(code),106,RB-1,R-9,200.00,0.15,30.00,170.00,CNY,") == true, "\(csv)")
    }

    @Test func aHundredParallelScansOfAOneUseEntitlementRedeemExactlyOnce() async throws {
        let s = try Stack(environment: ["OTA_WORKERS": "8"])
        let code = try activeBatchTicket(s)
        let op = try operatorToken(s, username: "gate.race")
        let results = Results()
        let headers = bearer(op)
        try await offThread { DispatchQueue.concurrentPerform(iterations: 100) { _ in
            results.add(try? s.post("/venue/scan", #"{"ticket_code":"\#(code)","venue_id":"TEST-PIER-1","function_code":"boarding"}"#,
                                    key: nil, headers: headers))
        } }
        let statuses = results.all.map(\.status)
        #expect(statuses.count == 100)
        #expect(statuses.filter { $0 == 200 }.count == 1)
        #expect(statuses.filter { $0 == 409 }.count == 99)
        #expect(try s.sql("SELECT count(*) AS n FROM redemptions").first?.decode("n", as: Int.self) == 1)
        #expect(try s.sql("SELECT count(*) AS n FROM billing_lines").first?.decode("n", as: Int.self) == 1)
    }

    @Test func aScanIdReplaysInsteadOfRedeemingTwice() throws {
        let s = try Stack()
        let code = try activeBatchTicket(s)
        let op = try operatorToken(s, username: "gate.replay")
        let body = #"{"ticket_code":"\#(code)","venue_id":"TEST-LOUNGE","function_code":"lounge","scan_id":"dev-7-0001"}"#
        let a = try s.post("/venue/scan", body, key: nil, headers: bearer(op))
        let b = try s.post("/venue/scan", body, key: nil, headers: bearer(op))
        #expect(a.status == 200 && b.status == 200)
        #expect(b.header("Idempotent-Replayed") == "true")
        #expect((a.json["redemption"] as? [String: Any])?["redemption_id"] as? Int == (b.json["redemption"] as? [String: Any])?["redemption_id"] as? Int)
        #expect(try s.sql("SELECT count(*) AS n FROM redemptions").first?.decode("n", as: Int.self) == 1)
    }

    @Test func anotherPartnersOperatorCanNeitherDecryptNorScan() throws {
        let s = try Stack()
        let code = try activeBatchTicket(s)
        let token = try qr(s, code)
        let other = try operatorToken(s, username: "other.gate", key: Stack.otherKey)
        #expect(try s.post("/qr/decrypt", #"{"qr_token":"\#(token)"}"#, key: nil, headers: bearer(other)).status == 404)
        #expect(try s.post("/venue/scan", #"{"qr_token":"\#(token)","venue_id":"G251103-GATE-A","function_code":"boarding"}"#,
                           key: nil, headers: bearer(other)).status == 404)
        #expect(try s.post("/venue/scan", #"{"ticket_code":"\#(code)","venue_id":"G251103-GATE-A","function_code":"boarding"}"#,
                           key: nil, headers: bearer(other)).status == 404)
        // A venue outside the operator's partner: 403.
        #expect(try s.post("/venue/scan", #"{"ticket_code":"\#(code)","venue_id":"TEST-PIER-1","function_code":"boarding"}"#,
                           key: nil, headers: bearer(other)).status == 403)
        // An operator limited to one venue may not scan at another.
        let limited = try operatorToken(s, username: "lounge.only", venues: ["TEST-LOUNGE"])
        #expect(try s.post("/venue/scan", #"{"ticket_code":"\#(code)","venue_id":"TEST-PIER-1","function_code":"boarding"}"#,
                           key: nil, headers: bearer(limited)).status == 403)
        #expect(try s.sql("SELECT count(*) AS n FROM redemptions").first?.decode("n", as: Int.self) == 0)
    }

    @Test func tamperedAndExpiredTokensAreRefused() throws {
        let s = try Stack()
        let code = try activeBatchTicket(s)
        let token = try qr(s, code)
        let op = try operatorToken(s, username: "gate.check")
        var chars = Array(token)
        let i = chars.count / 2
        chars[i] = chars[i] == "A" ? "B" : "A"
        let tampered = try s.post("/qr/decrypt", #"{"qr_token":"\#(String(chars))"}"#, key: nil, headers: bearer(op))
        #expect(tampered.status == 422)
        #expect(tampered.json["code"] as? String == "invalid_qr_token")
        let partnerId = try s.sql("SELECT partner_id FROM partners WHERE code = 'ota-test-partner'").first!.decode("partner_id", as: Int64.self)
        let ring = try QRKeyring.parse(active: Stack.qrKeyId, keys: "\(Stack.qrKeyId):\(Stack.qrSecretHex)")
        let now = Int64(Date().timeIntervalSince1970)
        let expired = try QRToken.seal(QRTokenClaims(ticketCode: code, partnerId: partnerId, issuedAt: now - 3600, expiresAt: now - 60,
                                                     tokenId: try SecureRandom.bytes(16)), keyring: ring)
        let gone = try s.post("/qr/decrypt", #"{"qr_token":"\#(expired)"}"#, key: nil, headers: bearer(op))
        #expect(gone.status == 410)
        #expect(try s.post("/venue/scan", #"{"qr_token":"\#(expired)","venue_id":"TEST-PIER-1","function_code":"boarding"}"#,
                           key: nil, headers: bearer(op)).status == 410)
        #expect(try s.post("/qr/decrypt", #"{"qr_token":"\#(token)"}"#, key: nil).status == 401)
    }

    @Test func qrOnlyForActiveTicketsAndAsAnSVGImage() throws {
        let s = try Stack()
        let r = try s.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale"}"#)
        let code = try #require((r.json["ticket_codes"] as? [String])?.first)
        #expect(try s.post("/api/ota/tickets/\(code)/qr", nil).status == 409)
        #expect(try s.post("/api/ota/tickets/\(code)/activate", #"{"customer":{"name":"A"}}"#).status == 200)
        let svg = try s.post("/api/ota/tickets/\(code)/qr?format=svg", nil)
        #expect(svg.status == 200)
        #expect(svg.header("Content-Type") == "image/svg+xml")
        #expect(svg.text.contains("<svg") && svg.text.contains("</svg>"))
        #expect(svg.header("X-QR-Token")?.isEmpty == false)
        #expect(try s.post("/api/ota/tickets/\(code)/qr", #"{"expiry_minutes":0}"#).status == 422)
        #expect(try s.post("/api/ota/tickets/\(code)/qr", #"{"expiry_minutes":1441}"#).status == 422)
        #expect(try s.post("/api/ota/tickets/\(code)/qr", nil, key: Stack.otherKey).status == 404)
    }

    @Test func twentyWrongPasswordsLockTheUsernameOut() throws {
        let s = try Stack()
        _ = try operatorToken(s, username: "gate.lock")
        var statuses: [Int] = []
        for _ in 0..<20 {
            statuses.append(try s.post("/operators/login", #"{"partner":"ota-test-partner","username":"gate.lock","password":"wrong password!!"}"#, key: nil).status)
        }
        #expect(statuses.prefix(5).allSatisfy { $0 == 401 })
        #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 })
        let right = try s.post("/operators/login", #"{"partner":"ota-test-partner","username":"gate.lock","password":"correct horse battery"}"#, key: nil)
        #expect(right.status == 429)
        #expect(right.json["code"] as? String == "login_locked")
        #expect(Int(right.header("Retry-After") ?? "0") ?? 0 >= 60, "locked for a while, not a moment")
    }

    @Test func operatorsAreManagedByTheirPartnerOnly() throws {
        let s = try Stack()
        let weak = try s.post("/api/ota/operators", #"{"username":"weak.one","password":"short","display_name":"W"}"#)
        #expect(weak.status == 422)
        #expect(weak.json["field"] as? String == "password")
        let badVenue = try s.post("/api/ota/operators", #"{"username":"venue.x","password":"correct horse battery","display_name":"V","venue_ids":["G251103-GATE-A"]}"#)
        #expect(badVenue.status == 422)
        let token = try operatorToken(s, username: "staff.a")
        let dup = try s.post("/api/ota/operators", #"{"username":"staff.a","password":"correct horse battery","display_name":"Again"}"#)
        #expect(dup.status == 409)
        let list = try s.get("/api/ota/operators")
        let id = try #require((list.json["operators"] as? [[String: Any]])?.first?["operator_id"] as? Int)
        #expect(try s.get("/api/ota/operators/\(id)", key: Stack.otherKey).status == 404)
        #expect(try s.post("/api/ota/operators/\(id)/disable", nil, key: Stack.otherKey).status == 404)
        let renamed = try s.client.request("PATCH", "/api/ota/operators/\(id)", headers: [("X-API-Key", Stack.testKey)], body: #"{"display_name":"Pier staff"}"#)
        #expect(renamed.json["display_name"] as? String == "Pier staff")
        #expect(try s.post("/api/ota/operators/\(id)/disable", nil).json["status"] as? String == "disabled")
        #expect(try s.get("/operators/venues", key: nil, headers: bearer(token)).status == 401, "disabling ends the sessions")
        // A disabled operator is answered as a wrong password: the answer never confirms a password.
        let disabledLogin = try s.post("/operators/login", #"{"partner":"ota-test-partner","username":"staff.a","password":"correct horse battery"}"#, key: nil)
        #expect(disabledLogin.status == 401)
        #expect(disabledLogin.json["code"] as? String == "invalid_credentials")
    }
}
