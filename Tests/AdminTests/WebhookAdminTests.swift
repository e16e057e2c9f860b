import Foundation
import Testing
import OTADomain
import OTAStore
import Postgres
import TestSupport
import JSON

/// `ota-admin webhook list|disable|enable`, for the operator's ops team.
@Suite struct WebhookAdminTests {
    @Test func listDisableAndEnableAnyPartnersEndpoint() throws {
        let t = try TestDatabase()
        let admin = AdminTool(databaseURL: t.url)
        let db = try t.connect()
        let partner = try db.query("SELECT partner_id FROM partners WHERE code = 'ota-test-partner'").first!.decode("partner_id", as: Int64.self)
        let sealed = WebhookStore.SealedSecret(sealed: [UInt8](repeating: 0, count: 60), keyId: "k0")
        _ = try WebhookStore(db).create(endpointId: "we_admin00001", partnerId: partner, url: "https://203.0.113.10/hooks",
                                        description: nil, events: [.ticketUsed, .batchGenerated], secret: sealed)
        _ = try WebhookStore(db).enqueueTest(endpointId: "we_admin00001", partnerId: partner, data: .object([]))

        let listed = try admin.run("webhook", "list")
        #expect(listed.status == 0, "\(listed.err)")
        #expect(listed.out.contains("we_admin00001") && listed.out.contains("ota-test-partner") && listed.out.contains("enabled"))
        #expect(listed.out.contains("ticket.used,batch.generated") && listed.out.contains("https://203.0.113.10/hooks"))
        #expect(!listed.out.contains("k0"), "nothing of the secret")
        #expect(try admin.run("webhook", "list", "ota251103").out.contains("we_admin00001") == false)
        #expect(try admin.run("webhook", "list", "nobody").status == 1)

        let off = try admin.run("webhook", "disable", "we_admin00001", "--reason", "abuse report 42")
        #expect(off.status == 0, "\(off.err)")
        let row = try #require(try db.query("SELECT status, disabled_reason FROM webhook_endpoints").first)
        #expect(try row.decode("status", as: String.self) == "disabled")
        #expect(try row.decode("disabled_reason", as: String.self) == "abuse report 42")
        #expect(try admin.run("webhook", "list").out.contains("abuse report 42"))

        #expect(try admin.run("webhook", "enable", "we_admin00001").status == 0)
        #expect(try db.query("SELECT status FROM webhook_endpoints").first?.decode("status", as: String.self) == "enabled")
        let missing = try admin.run("webhook", "disable", "we_nope")
        #expect(missing.status == 1 && missing.err.contains("no webhook endpoint"))
        #expect(try admin.run("webhook", "frobnicate").status == 2)
        #expect(try admin.run("help").out.contains("webhook ..."))
    }
}
