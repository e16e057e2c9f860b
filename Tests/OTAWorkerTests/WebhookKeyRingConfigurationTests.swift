import Testing
import OTACrypto
@testable import OTAWorker

/// The worker reads the same key ring as the gateway: during a rotation it opens secrets
/// sealed by the retired key as well as by the active one.
@Suite struct WebhookKeyRingConfigurationTests {
    static let oldKey = WebhookWorld.masterKey
    static let newKey = String(repeating: "5a", count: 32)

    @Test func theWorkerOpensSecretsOfTheActiveAndTheRetiredKey() throws {
        let row = Array("we_ring00001".utf8), secret = [UInt8](repeating: 3, count: 32)
        let legacy = try SecretBox(masterKey: try #require(SecretBox.masterKey(fromText: Self.oldKey)), purpose: SecretBox.webhookSecretPurpose)
        let sealedBefore = try legacy.seal(secret, associatedData: row)
        let config = try #require(try WebhookDeliveryConfiguration.from(environment: ["OTA_WEBHOOK_SECRET_KEY": Self.newKey,
                                                                                      "OTA_WEBHOOK_SECRET_OLD_KEYS": Self.oldKey]))
        #expect(config.secrets.open(sealedBefore, associatedData: row) == secret, "sealed by the old key before the ring")
        let sealedNow = try config.secrets.seal(secret, associatedData: row)
        #expect(config.secrets.open(sealedNow, associatedData: row) == secret)
        #expect(config.secrets.keyIds == [config.secrets.activeKeyId, legacy.keyId])

        let newOnly = try #require(try WebhookDeliveryConfiguration.from(environment: ["OTA_WEBHOOK_SECRET_KEY": Self.newKey]))
        #expect(newOnly.secrets.open(sealedBefore, associatedData: row) == nil)
        #expect(try WebhookDeliveryConfiguration.from(environment: [:]) == nil, "no key: no deliveries")
    }

    @Test func aBadRingIsRefusedNamingTheVariable() {
        for (env, text) in [(["OTA_WEBHOOK_SECRET_OLD_KEYS": Self.oldKey], "OTA_WEBHOOK_SECRET_KEY is not set"),
                            (["OTA_WEBHOOK_SECRET_KEY": Self.newKey, "OTA_WEBHOOK_SECRET_OLD_KEYS": "xyz"], "OTA_WEBHOOK_SECRET_OLD_KEYS entry 1"),
                            (["OTA_WEBHOOK_SECRET_KEY": "short"], "OTA_WEBHOOK_SECRET_KEY must be hex or base64")] {
            do {
                _ = try WebhookDeliveryConfiguration.from(environment: env)
                Issue.record("accepted \(env.keys.sorted())")
            } catch {
                #expect(error.description.contains(text), "\(error.description)")
            }
        }
    }
}
