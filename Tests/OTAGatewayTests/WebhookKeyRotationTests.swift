import Foundation
import Testing
import OTACrypto
import TestSupport
import Postgres
@testable import OTAGateway

/// A rotation of OTA_WEBHOOK_SECRET_KEY as the gateway sees it: with the new key active and
/// the old one in OTA_WEBHOOK_SECRET_OLD_KEYS, what the old key sealed keeps working; new
/// secrets are sealed under the new key; after `ota-admin webhook reseal` the new key alone
/// is enough.
@Suite struct WebhookKeyRotationTests {
    static let hook = #"{"url":"https://203.0.113.10/ota","events":["ticket.used"]}"#
    static let newKey = String(repeating: "5a", count: 32)

    @Test func aGatewayWithTheNewKeyActiveReplaysWhatTheOldKeySealedAndSealsUnderTheNewOne() throws {
        let old = try InProcessGateway()
        let first = old.send("POST", "/api/ota/webhooks", headers: [("Idempotency-Key", "rot-1")], body: Self.hook)
        #expect(first.status == 201)
        let secret = try #require(first.json["secret"] as? String)
        let url = old.database.url

        let rotated = try InProcessGateway(environment: ["OTA_WEBHOOK_SECRET_KEY": Self.newKey,
                                                         "OTA_WEBHOOK_SECRET_OLD_KEYS": InProcessGateway.webhookKey], databaseURL: url)
        let replay = rotated.send("POST", "/api/ota/webhooks", headers: [("Idempotency-Key", "rot-1")], body: Self.hook)
        #expect(replay.status == 201 && replay.header("Idempotent-Replayed") == "true", "\(replay.text)")
        #expect(replay.json["secret"] as? String == secret, "the old key still opens the sealed answer")

        let created = rotated.send("POST", "/api/ota/webhooks", headers: [("Idempotency-Key", "rot-2")], body: Self.hook)
        #expect(created.status == 201)
        let id = try #require(created.json["endpoint_id"] as? String)
        let ring = try #require(try SecretKeyring.parse(active: Self.newKey, oldKeys: nil, purpose: SecretBox.webhookSecretPurpose))
        let row = try #require(try old.sql("SELECT secret_sealed, secret_key_id FROM webhook_endpoints WHERE endpoint_id = \(id)").first)
        let sealed = try row.decode("secret_sealed", as: [UInt8].self)
        #expect(sealed.count == 65 && SecretKeyring.sealingKeyId(sealed) == ring.activeKeyId)
        #expect(try row.decode("secret_key_id", as: String.self) == ring.activeKeyId)
        #expect(ring.open(sealed, associatedData: Array(id.utf8)).map(StandardWebhooks.secretText) == created.json["secret"] as? String)

        let newOnly = try InProcessGateway(environment: ["OTA_WEBHOOK_SECRET_KEY": Self.newKey], databaseURL: url)
        let refused = newOnly.send("POST", "/api/ota/webhooks", headers: [("Idempotency-Key", "rot-1")], body: Self.hook)
        #expect(refused.status != 201 && !refused.text.contains(secret), "without the old key the old answer is unreadable")

        let reseal = try AdminTool(databaseURL: url, environment: ["OTA_WEBHOOK_SECRET_KEY": Self.newKey,
                                                                   "OTA_WEBHOOK_SECRET_OLD_KEYS": InProcessGateway.webhookKey])
            .run("webhook", "reseal", "--key-id", try #require(try SecretKeyring.parse(active: Self.newKey, oldKeys: nil,
                                                                                    purpose: SecretBox.webhookSecretPurpose)).activeKeyId)
        #expect(reseal.status == 0, "\(reseal.err)")
        let after = newOnly.send("POST", "/api/ota/webhooks", headers: [("Idempotency-Key", "rot-1")], body: Self.hook)
        #expect(after.status == 201 && after.json["secret"] as? String == secret, "after reseal the new key alone opens it")
    }

    @Test func aBadOldKeyStopsTheStartNamingTheVariable() {
        do {
            _ = try GatewayConfiguration(environment: ["OTA_DATABASE_URL": "postgresql://ota@127.0.0.1/ota", "OTA_WEBHOOK_SECRET_KEY": Self.newKey,
                                                       "OTA_WEBHOOK_SECRET_OLD_KEYS": "\(InProcessGateway.webhookKey),short"])
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("OTA_WEBHOOK_SECRET_OLD_KEYS entry 2") && !"\(error)".contains(InProcessGateway.webhookKey))
        }
    }
}
