import Foundation
import Testing
import OTACrypto
import OTAStore
import Postgres
import TestSupport
import OTADomain

/// `ota-admin partner ...` and `key ...`, run as the built binary against a clone of the
/// seeded template (partners 'ota-test-partner' and 'ota251103' with their dev keys).
@Suite struct PartnerAndKeyTests {
    @Test func partnerCreateListShowDisable() throws {
        let t = try TestDatabase()
        let admin = AdminTool(databaseURL: t.url)
        let db = try t.connect()

        let created = try admin.run("partner", "create", "--code", "acme", "--name", "Acme Travel",
                                    "--permissions", "inventory:read,reservations:write", "--rate-limit", "500", "--max-per-hold", "40")
        #expect(created.status == 0, "\(created.err)")
        #expect(created.out.contains("created partner acme"))
        #expect(try db.int("SELECT rate_limit_per_minute FROM partners WHERE code = 'acme'") == 500)
        #expect(try db.int("SELECT max_units_per_hold FROM partners WHERE code = 'acme'") == 40)
        #expect(try db.int("""
            SELECT count(*) FROM partner_permissions pp JOIN partners p USING (partner_id) WHERE p.code = 'acme'
            """) == 2)

        // The same code again: a failure, and nothing written.
        let again = try admin.run("partner", "create", "--code", "acme", "--name", "Other")
        #expect(again.status == 1)
        #expect(again.err.contains("exists already"))
        #expect(try db.int("SELECT count(*) FROM partners WHERE name = 'Other'") == 0)

        let list = try admin.run("partner", "list")
        #expect(list.status == 0)
        let lines = list.out.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("live keys") == true)
        let acme = try #require(lines.first { $0.contains(" acme ") })
        #expect(acme.contains("Acme Travel") && acme.contains("active") && acme.contains("500/min"))
        #expect(acme.contains("inventory:read,reservations:write"))
        #expect(acme.hasSuffix(" 0"))  // no key yet
        let dev = try #require(lines.first { $0.contains("ota-test-partner") })
        #expect(dev.contains(" all ") && dev.hasSuffix(" 1"))

        let disabled = try admin.run("partner", "disable", "acme")
        #expect(disabled.status == 0)
        #expect(try db.query("SELECT status FROM partners WHERE code = 'acme'").first?.decode("status", as: String.self) == "disabled")
        #expect(try admin.run("partner", "show", "acme").out.contains("disabled"))
        #expect(try admin.run("partner", "enable", "acme").status == 0)

        let set = try admin.run("partner", "set", "acme", "--max-hold-seconds", "3600", "--name", "Acme Travel Ltd")
        #expect(set.status == 0, "\(set.err)")
        #expect(try db.int("SELECT max_hold_seconds FROM partners WHERE code = 'acme'") == 3600)

        let perms = try admin.run("partner", "permissions", "acme", "--set", "all")
        #expect(perms.status == 0)
        #expect(try db.int("SELECT count(*) FROM partner_permissions pp JOIN partners p USING (partner_id) WHERE p.code = 'acme'") == 8, "every permission, webhooks included")
        #expect(try admin.run("partner", "permissions", "acme", "--revoke", "billing:read,operators").status == 0)
        #expect(try db.int("SELECT count(*) FROM partner_permissions pp JOIN partners p USING (partner_id) WHERE p.code = 'acme'") == 6)

        #expect(try admin.run("partner", "disable", "nobody").status == 1)
    }

    @Test func badArgumentsExit2AndNameTheArgument() throws {
        let t = try TestDatabase()
        let admin = AdminTool(databaseURL: t.url)
        let cases: [([String], String)] = [
            (["partner", "create", "--code", "zz", "--name", "Z", "--rate-limit", "50"], "--rate-limit"),
            (["partner", "create", "--code", "zz", "--name", "Z", "--max-hold-seconds", "10"], "--max-hold-seconds"),
            (["partner", "create", "--code", "Bad Code", "--name", "Z"], "--code"),
            (["partner", "create", "--code", "zz"], "--name"),
            (["partner", "create", "--code", "zz", "--name", "Z", "--permissions", "tickets:fly"], "tickets:fly"),
            (["partner", "create", "--code", "zz", "--name", "Z", "--colour", "red"], "--colour"),
            (["partner", "permissions", "zz", "--grant", "all", "--revoke", "operators"], "exactly one"),
            (["key", "rotate", "ota-test-partner"], "--overlap-hours"),
            (["key", "revoke", "abc"], "KEY_ID"),
            (["allocation", "set", "106", "web", "10"], "CHANNEL"),
            (["allocation", "move", "106", "--from", "ota", "--to", "ota", "1"], "different"),
            (["allotment", "set", "ota-test-partner", "106", "-3"], "UNITS"),
            (["partner", "frobnicate"], "frobnicate"),
        ]
        for (args, named) in cases {
            let r = try admin.run(args)
            #expect(r.status == 2, "\(args): \(r.err)")
            #expect(r.err.contains(named), "\(args): \(r.err)")
        }
        #expect(try admin.run("partner", "create", "--help").out.contains("Usage: ota-admin partner create"))
        #expect(try admin.run("verify", "--help").status == 0)
    }

    @Test func keyIssuePrintsAKeyThatAuthenticatesOnce() throws {
        let t = try TestDatabase()
        let admin = AdminTool(databaseURL: t.url)
        let db = try t.connect()
        let issued = try admin.run("key", "issue", "ota251103", "--label", "ops laptop")
        #expect(issued.status == 0, "\(issued.err)")
        let key = issued.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("ota_") && !key.contains("\n"))
        // Only the hash is stored, and it authenticates as the partner.
        #expect(try db.query("""
            SELECT p.code FROM api_keys k JOIN partners p USING (partner_id)
             WHERE k.key_hash = sha256(convert_to(\(key), 'UTF8')) AND k.revoked_at IS NULL AND k.expires_at IS NULL
            """).first?.decode("code", as: String.self) == "ota251103")
        #expect(try PartnerStore(db).authenticate(keyHash: APIKey.hash(key))?.code == "ota251103")
        #expect(try db.int("SELECT count(*) FROM api_keys WHERE position(\(key) IN label) > 0 OR prefix = \(key)") == 0)

        // The listing shows the prefix and label, never the secret.
        let list = try admin.run("key", "list", "ota251103")
        #expect(list.status == 0)
        #expect(list.out.contains("ops laptop") && list.out.contains(APIKey.displayPrefix(key)))
        #expect(!list.out.contains(key))

        let id = try db.int("SELECT api_key_id FROM api_keys WHERE key_hash = sha256(convert_to(\(key), 'UTF8'))")
        let revoked = try admin.run("key", "revoke", "\(id)")
        #expect(revoked.status == 0, "\(revoked.err)")
        #expect(try PartnerStore(db).authenticate(keyHash: APIKey.hash(key)) == nil)
        #expect(try admin.run("key", "revoke", "999999").status == 1)
        #expect(try admin.run("key", "issue", "nobody").status == 1)
    }

    @Test func keyRotateIssuesANewKeyAndSetsTheOverlap() throws {
        let t = try TestDatabase()
        let admin = AdminTool(databaseURL: t.url)
        let db = try t.connect()
        let rotated = try admin.run("key", "rotate", "ota-test-partner", "--overlap-hours", "2")
        #expect(rotated.status == 0, "\(rotated.err)")
        let key = rotated.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try PartnerStore(db).authenticate(keyHash: APIKey.hash(key))?.code == "ota-test-partner")
        // The old (development) key still works, for two more hours.
        #expect(try db.bool("""
            SELECT expires_at BETWEEN now() + interval '119 minutes' AND now() + interval '121 minutes' AS ok
              FROM api_keys WHERE key_hash = sha256(convert_to('ota_test_key_12345', 'UTF8'))
            """))
        #expect(try PartnerStore(db).authenticate(keyHash: APIKey.hash("ota_test_key_12345"))?.code == "ota-test-partner")
        #expect(try db.bool("SELECT expires_at IS NULL AS ok FROM api_keys WHERE key_hash = sha256(convert_to(\(key), 'UTF8'))"))
        // The other partner's key is untouched.
        #expect(try db.bool("SELECT expires_at IS NULL AS ok FROM api_keys WHERE key_hash = sha256(convert_to('ota251103_key_67890', 'UTF8'))"))

        // Overlap 0 ends the previous keys at once.
        let now = try admin.run("key", "rotate", "ota-test-partner", "--overlap-hours", "0")
        #expect(now.status == 0)
        #expect(try PartnerStore(db).authenticate(keyHash: APIKey.hash(key)) == nil)
        #expect(try PartnerStore(db).authenticate(keyHash: APIKey.hash("ota_test_key_12345")) == nil)
    }
}
