import Foundation
import Testing
import TestSupport

/// Disagreements between the gateway and its OpenAPI document that schemathesis found
/// (scripts/contract.sh), each fixed in the code and kept fixed here.
@Suite struct ContractRegressionTests {
    /// One letter and 250 combining accents: one character as a person counts, 251 as
    /// PostgreSQL's length() and JSON Schema's maxLength count.
    static let zalgo = "e" + String(repeating: "\u{0301}", count: 250)

    /// Was 500: the length limit counted grapheme clusters, so the username passed it and
    /// the login throttle's CHECK (length <= 200) refused the row.
    @Test func aLoginUsernameOfManyCombiningMarksIs422() throws {
        let s = try Stack()
        let r = try s.post("/operators/login", #"{"partner":"ota-test-partner","username":"\#(Self.zalgo)","password":"correct horse battery"}"#, key: nil)
        #expect(r.status == 422, "\(r.text)")
        #expect(r.json["field"] as? String == "username")
    }

    /// Was 500 for the same reason, at the orders' CHECK on customer_name.
    @Test func aCustomerNameOfManyCombiningMarksIs422AndChangesNothing() throws {
        let s = try Stack()
        let hold = try s.post("/api/ota/reserve", #"{"product_id":106,"quantity":1}"#)
        let id = try #require(hold.json["reservation_id"] as? String)
        let r = try s.post("/api/ota/reservations/\(id)/activate",
                           #"{"customer":{"name":"\#(Self.zalgo)"},"units":[{"customer_type":"adult"}]}"#)
        #expect(r.status == 422, "\(r.text)")
        #expect(r.json["field"] as? String == "customer.name")
        #expect(try s.otaPool().sold == 0)
    }

    /// Was 200 with JSON: an unknown format was silently answered as JSON.
    @Test func aQRFormatOtherThanJSONOrSVGIs422() throws {
        let s = try Stack()
        let batch = try s.post("/api/ota/tickets/bulk-generate", #"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale"}"#)
        let code = try #require((batch.json["ticket_codes"] as? [String])?.first)
        #expect(try s.post("/api/ota/tickets/\(code)/activate", #"{"customer":{"name":"Mei"}}"#).status == 200)
        let png = try s.post("/api/ota/tickets/\(code)/qr?format=png", nil)
        #expect(png.status == 422)
        #expect(png.json["field"] as? String == "format")
        let svg = try s.post("/api/ota/tickets/\(code)/qr?format=svg", nil)
        #expect(svg.status == 200)
        #expect(svg.header("Content-Type") == "image/svg+xml")
        #expect(try s.post("/api/ota/tickets/\(code)/qr?format=json", nil).json["qr_token"] is String)
    }

    /// Was `Allow: GET, HEAD, POST`: "bulk-generate" was also taken as a ticket code, so the
    /// 405 advertised GET for a path the API does not have.
    @Test func bulkGenerateIsNotATicketCode() throws {
        let s = try Stack()
        let options = try s.client.request("OPTIONS", "/api/ota/tickets/bulk-generate", headers: [("X-API-Key", Stack.testKey)])
        #expect(options.status == 405)
        #expect(options.header("Allow") == "POST")
        let get = try s.get("/api/ota/tickets/bulk-generate")
        #expect(get.status == 405)
        // A real ticket code beside it still routes.
        #expect(try s.get("/api/ota/tickets/TKT-NOSUCHTICKET000000").status == 404)
    }
}

@Suite struct ForgedCursorTests {
    /// A cursor is opaque but not secret: "c1" + hex of "<microseconds>:<id>".
    static func cursor(_ text: String) -> String {
        "c1" + text.utf8.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    }

    /// Was a crash of the whole gateway (arithmetic overflow formatting the instant): any
    /// partner could take every gateway down with one request.
    @Test(arguments: ["-9223372036854775808:res_a", "9223372036854775807:res_a", "-1:res_a"])
    func aCursorOutsideTheTimesOfCreatedAtIs422(_ forged: String) throws {
        let s = try Stack()
        for list in ["/api/ota/reservations", "/api/ota/orders", "/api/ota/batches", "/api/ota/billing/redemptions"] {
            let r = try s.get("\(list)?cursor=\(Self.cursor(forged))")
            #expect(r.status == 422, "\(list): \(r.text)")
            #expect(r.json["field"] as? String == "cursor")
        }
        #expect(try s.get("/livez", key: nil).status == 200)
        #expect(s.gateway.isRunning)
    }
}

/// PostgreSQL text and jsonb cannot hold U+0000, so a NUL that reached a query was a 500.
@Suite struct NULCharacterTests {
    @Test func aNULInABodyStringIs422NamingTheMember() throws {
        let s = try Stack()
        let login = try s.post("/operators/login", #"{"partner":"ota-test-partner","username":"gate\u0000one","password":"correct horse battery"}"#, key: nil)
        #expect(login.status == 422, "\(login.text)")
        #expect(login.json["field"] as? String == "username")
        let batch = try s.post("/api/ota/tickets/bulk-generate",
                               #"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","reseller_metadata":{"note":"a\u0000b"}}"#)
        #expect(batch.status == 422, "\(batch.text)")
        #expect(batch.json["field"] as? String == "reseller_metadata.note")
        let units = try s.post("/api/ota/reservations/res_x/activate", #"{"customer":{"name":"Li"},"units":[{"customer_type":"adult\u0000"}]}"#)
        #expect(units.json["field"] as? String == "units[0].customer_type")
        #expect(try s.otaPool().sold == 0)
    }

    @Test func aNULInAPathIdIs404() throws {
        let s = try Stack()
        for path in ["/api/ota/reservations/a%00b", "/api/ota/orders/a%00b/tickets", "/api/ota/tickets/a%00b", "/api/ota/batches/a%00b"] {
            let r = try s.get(path)
            #expect(r.status == 404, "\(path): \(r.text)")
            #expect(r.header("Content-Type") == "application/problem+json")
        }
        #expect(try s.post("/api/ota/tickets/a%00b/activate", #"{"customer":{"name":"Li"}}"#).status == 404)
    }
}
