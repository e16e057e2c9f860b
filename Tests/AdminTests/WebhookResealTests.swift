import Foundation
import Testing
import OTACrypto
import OTADomain
import OTAStore
import Postgres
import TestSupport

/// Master-key rotation of sealed webhook secrets: values sealed under key A still open once
/// B is active and A is retired, and `ota-admin webhook reseal` moves every one under B.
@Suite struct WebhookResealTests {
    static let keyA = String(repeating: "a1", count: 32)
    static let keyB = String(repeating: "b2", count: 32)
    static let keyC = String(repeating: "c3", count: 32)
    static let requestHash = [UInt8](repeating: 7, count: 32)

    static func ring(_ active: String, old: String? = nil, purpose: String = SecretBox.webhookSecretPurpose) throws -> SecretKeyring {
        try #require(try SecretKeyring.parse(active: active, oldKeys: old, purpose: purpose))
    }

    /// Every stored sealed value: endpoint id or answer key -> sealed bytes and key id column.
    static func snapshot(_ db: PostgresConnection) throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try db.query("""
            SELECT endpoint_id, encode(secret_sealed, 'hex') || '/' || secret_key_id || '/' ||
                   coalesce(encode(previous_secret_sealed, 'hex') || '/' || previous_secret_key_id, '-') AS v FROM webhook_endpoints
            UNION ALL SELECT idempotency_key, encode(body, 'hex') FROM idempotency_records
            """) {
            out[try row.decode("endpoint_id")] = try row.decode("v")
        }
        return out
    }

    struct World {
        let t: TestDatabase
        let db: PostgresConnection
        let partner: Int64
        /// Endpoint id -> (current, previous) plaintext secrets; answer key -> plaintext.
        var secrets: [String: ([UInt8], [UInt8]?)] = [:]
        var answers: [String: [UInt8]] = [:]

        init() throws {
            t = try TestDatabase()
            db = try t.connect()
            partner = try db.query("SELECT partner_id FROM partners WHERE code = 'ota-test-partner'").first!.decode("partner_id", as: Int64.self)
        }

        /// An endpoint whose secret `seal` seals (and, with `previous`, a rotation overlap).
        mutating func endpoint(_ id: String, seal: ([UInt8], [UInt8]) throws -> WebhookStore.SealedSecret,
                               previous: (([UInt8], [UInt8]) throws -> WebhookStore.SealedSecret)? = nil) throws {
            let ad = Array(id.utf8)
            let first = try StandardWebhooks.newSecret().bytes
            _ = try WebhookStore(db).create(endpointId: id, partnerId: partner, url: "https://203.0.113.10/hooks",
                                            description: nil, events: [.ticketUsed],
                                            secret: try previous.map { try $0(first, ad) } ?? seal(first, ad))
            guard previous != nil else { return secrets[id] = (first, nil) }
            let second = try StandardWebhooks.newSecret().bytes
            _ = try WebhookStore(db).rotate(endpointId: id, partnerId: partner, secret: try seal(second, ad), overlapSeconds: 3600)
            secrets[id] = (second, first)
        }

        mutating func answer(_ key: String, _ ring: SecretKeyring) throws {
            let plain = Array("application/json\n{\"secret\":\"\(key)\"}".utf8)
            let sealed = try ring.seal(plain, associatedData: SealedAnswer.associatedData(partnerId: partner, key: key))
            try db.query("""
                INSERT INTO idempotency_records (partner_id, idempotency_key, request_hash, status_code, content_type, body)
                VALUES (\(partner), \(key), \(WebhookResealTests.requestHash), 201, \(SealedAnswer.contentType), \(sealed))
                """)
            answers[key] = plain
        }

        /// Whether every stored value opens under `ring` to what was sealed.
        func allOpen(_ ring: SecretKeyring, answersRing: SecretKeyring) throws -> Bool {
            for row in try db.query("SELECT endpoint_id, secret_sealed, previous_secret_sealed FROM webhook_endpoints") {
                let id: String = try row.decode("endpoint_id")
                guard let expected = secrets[id],
                      ring.open(try row.decode("secret_sealed"), associatedData: Array(id.utf8)) == expected.0 else { return false }
                if let previous = try row.decodeIfPresent("previous_secret_sealed", as: [UInt8].self) {
                    guard ring.open(previous, associatedData: Array(id.utf8)) == expected.1 else { return false }
                }
            }
            for row in try db.query("SELECT idempotency_key, body FROM idempotency_records") {
                let key: String = try row.decode("idempotency_key")
                let ad = SealedAnswer.associatedData(partnerId: partner, key: key)
                guard answersRing.open(try row.decode("body"), associatedData: ad) == answers[key] else { return false }
            }
            return true
        }
    }

    @Test func afterARotationOldValuesOpenAndResealMovesThemAllUnderTheNewKey() throws {
        var w = try World()
        let a = try Self.ring(Self.keyA)
        let legacyA = try SecretBox(masterKey: try #require(SecretBox.masterKey(fromText: Self.keyA)), purpose: SecretBox.webhookSecretPurpose)
        // Sealed as before the key ring (no prefix), as the ring does, and a rotation overlap.
        try w.endpoint("we_reseal0001") { WebhookStore.SealedSecret(sealed: try legacyA.seal($0, associatedData: $1), keyId: legacyA.keyId) }
        try w.endpoint("we_reseal0002") { WebhookStore.SealedSecret(sealed: try a.seal($0, associatedData: $1), keyId: a.activeKeyId) }
        try w.endpoint("we_reseal0003", seal: { WebhookStore.SealedSecret(sealed: try a.seal($0, associatedData: $1), keyId: a.activeKeyId) },
                       previous: { WebhookStore.SealedSecret(sealed: try legacyA.seal($0, associatedData: $1), keyId: legacyA.keyId) })
        let answersA = try Self.ring(Self.keyA, purpose: SecretBox.storedAnswerPurpose)
        try w.answer("wh-key-1", answersA)
        try w.answer("wh-key-2", answersA)

        let rotated = try Self.ring(Self.keyB, old: Self.keyA)
        let rotatedAnswers = try Self.ring(Self.keyB, old: Self.keyA, purpose: SecretBox.storedAnswerPurpose)
        let bOnly = try Self.ring(Self.keyB), bOnlyAnswers = try Self.ring(Self.keyB, purpose: SecretBox.storedAnswerPurpose)
        #expect(try w.allOpen(rotated, answersRing: rotatedAnswers), "B active, A retired: everything still opens")
        #expect(try !w.allOpen(bOnly, answersRing: bOnlyAnswers), "B alone does not open A's values yet")

        let admin = AdminTool(databaseURL: w.t.url, environment: ["OTA_WEBHOOK_SECRET_KEY": Self.keyB, "OTA_WEBHOOK_SECRET_OLD_KEYS": Self.keyA])
        // Without the fleet's key id, or with another one, nothing is done.
        let unnamed = try admin.run("webhook", "reseal")
        #expect(unnamed.status == 2 && unnamed.err.contains("--key-id"), "\(unnamed.err)")
        let mistyped = try admin.run("webhook", "reseal", "--key-id", a.activeKeyId)
        #expect(mistyped.status == 1 && mistyped.err.contains("has id \(bOnly.activeKeyId), not \(a.activeKeyId)"), "\(mistyped.err)")
        #expect(try !w.allOpen(bOnly, answersRing: bOnlyAnswers), "a refused run changes nothing")
        let first = try admin.run("webhook", "reseal", "--key-id", bOnly.activeKeyId, "--batch-size", "2")
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out.contains("endpoint secrets: 3 checked, 3 re-sealed under \(bOnly.activeKeyId), 0 already under it"), "\(first.out)")
        #expect(first.out.contains("sealed idempotent answers: 2 checked, 2 re-sealed"), "\(first.out)")
        #expect(try w.allOpen(bOnly, answersRing: bOnlyAnswers), "after reseal B alone opens everything")
        for row in try w.db.query("SELECT secret_sealed, secret_key_id, previous_secret_sealed, previous_secret_key_id FROM webhook_endpoints") {
            #expect(SecretKeyring.sealingKeyId(try row.decode("secret_sealed")) == bOnly.activeKeyId)
            #expect(try row.decode("secret_key_id", as: String.self) == bOnly.activeKeyId)
            if let previous = try row.decodeIfPresent("previous_secret_sealed", as: [UInt8].self) {
                #expect(SecretKeyring.sealingKeyId(previous) == bOnly.activeKeyId)
                #expect(try row.decode("previous_secret_key_id", as: String.self) == bOnly.activeKeyId)
            }
        }
        #expect(try w.db.int("SELECT count(*)::int FROM webhook_endpoints WHERE previous_secret_expires_at > now()") == 1, "the overlap stays")

        let before = try Self.snapshot(w.db)
        let second = try admin.run("webhook", "reseal", "--key-id", bOnly.activeKeyId)
        #expect(second.status == 0, "\(second.err)")
        #expect(second.out.contains("endpoint secrets: 3 checked, 0 re-sealed under \(bOnly.activeKeyId), 3 already under it"), "\(second.out)")
        #expect(second.out.contains("sealed idempotent answers: 2 checked, 0 re-sealed"), "\(second.out)")
        #expect(try Self.snapshot(w.db) == before, "a second run changes nothing")
    }

    @Test func aValueNoConfiguredKeyOpensIsNamedAndLeftUnchanged() throws {
        var w = try World()
        let a = try Self.ring(Self.keyA), c = try Self.ring(Self.keyC)
        try w.endpoint("we_reseal0010") { WebhookStore.SealedSecret(sealed: try a.seal($0, associatedData: $1), keyId: a.activeKeyId) }
        try w.endpoint("we_reseal0011") { WebhookStore.SealedSecret(sealed: try c.seal($0, associatedData: $1), keyId: c.activeKeyId) }
        try w.answer("wh-key-c", try Self.ring(Self.keyC, purpose: SecretBox.storedAnswerPurpose))
        let before = try Self.snapshot(w.db)

        let admin = AdminTool(databaseURL: w.t.url, environment: ["OTA_WEBHOOK_SECRET_KEY": Self.keyB, "OTA_WEBHOOK_SECRET_OLD_KEYS": Self.keyA])
        let run = try admin.run("webhook", "reseal", "--key-id", try Self.ring(Self.keyB).activeKeyId)
        #expect(run.status == 1, "\(run.out) \(run.err)")
        #expect(run.err.contains("we_reseal0011") && run.err.contains(c.activeKeyId), "\(run.err)")
        #expect(run.err.contains("wh-key-c"), "\(run.err)")
        #expect(!run.err.contains("we_reseal0010"))
        let after = try Self.snapshot(w.db)
        #expect(after["we_reseal0011"] == before["we_reseal0011"] && after["wh-key-c"] == before["wh-key-c"], "refused rows unchanged")
        #expect(after["we_reseal0010"] != before["we_reseal0010"], "the others are still re-sealed")
        #expect(run.err.components(separatedBy: "refused: ").count - 1 == 2, "each refused row named once: \(run.err)")
        let b = try Self.ring(Self.keyB)
        #expect(b.open(try w.db.query("SELECT secret_sealed FROM webhook_endpoints WHERE endpoint_id = 'we_reseal0010'").first!.decode("secret_sealed"),
                       associatedData: Array("we_reseal0010".utf8)) == w.secrets["we_reseal0010"]?.0)

        let unset = try AdminTool(databaseURL: w.t.url, environment: ["OTA_WEBHOOK_SECRET_KEY": ""]).run("webhook", "reseal", "--key-id", "k00000000")
        #expect(unset.status == 2 && unset.err.contains("OTA_WEBHOOK_SECRET_KEY"), "\(unset.err)")
        let bad = try AdminTool(databaseURL: w.t.url, environment: ["OTA_WEBHOOK_SECRET_KEY": Self.keyB, "OTA_WEBHOOK_SECRET_OLD_KEYS": "nope"])
            .run("webhook", "reseal", "--key-id", "k00000000")
        #expect(bad.status == 2 && bad.err.contains("OTA_WEBHOOK_SECRET_OLD_KEYS entry 1"), "\(bad.err)")
        #expect(try Self.snapshot(w.db) == after, "a configuration error changes nothing")

        // Many refusals (a wrong key) are counted, not all printed; a partner's key is shown escaped.
        let cAnswers = try Self.ring(Self.keyC, purpose: SecretBox.storedAnswerPurpose)
        for i in 0..<25 { try w.answer("wh-many-\(i)", cAnswers) }
        try w.answer("wh-\u{1B}[2Jclear", cAnswers)
        let many = try admin.run("webhook", "reseal", "--key-id", try Self.ring(Self.keyB).activeKeyId)
        #expect(many.status == 1 && many.err.contains("28 sealed value(s)"), "\(many.err)")
        #expect(many.err.components(separatedBy: "refused: ").count - 1 == 20 + 1, "\(many.err)")
        #expect(many.err.contains("refused: 8 more"), "\(many.err)")
        #expect(!many.err.contains("\u{1B}"), "no control character reaches the terminal")
        #expect(SealedSecretStore.AnswerKey(partnerId: 1, key: "a\u{1B}b").description == #"idempotency record (partner 1, key a\u{1B}b)"#)
        #expect(SealedSecretStore.AnswerKey(partnerId: 1, key: String(repeating: "x", count: 70)).description
                == "idempotency record (partner 1, key \(String(repeating: "x", count: 64))…)")
        #expect(try admin.run("webhook", "--help").out.contains("reseal"))
    }
}
