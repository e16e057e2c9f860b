import Foundation
import Testing
@testable import OTACrypto

/// Standard Webhooks 1.0 signing and the sealing of stored secrets.
@Suite struct StandardWebhooksTests {
    /// The example of the Standard Webhooks specification (and of its libraries' tests).
    @Test func theSpecificationsExampleSignsAlike() throws {
        let secret = try #require(StandardWebhooks.secretBytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = try StandardWebhooks.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330,
                                                       body: Array(#"{"test": 2432232314}"#.utf8), secret: secret)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func twoSecretsGiveTwoSpaceSeparatedSignaturesNewestFirst() throws {
        let a = [UInt8](repeating: 1, count: 32), b = [UInt8](repeating: 2, count: 32)
        let body = Array("{}".utf8)
        let header = try StandardWebhooks.signatureHeader(id: "evt_1", timestamp: 10, body: body, secrets: [a, b])
        let parts = header.split(separator: " ").map(String.init)
        #expect(parts.count == 2)
        #expect(parts[0] == (try StandardWebhooks.signature(id: "evt_1", timestamp: 10, body: body, secret: a)))
        #expect(parts[1] == (try StandardWebhooks.signature(id: "evt_1", timestamp: 10, body: body, secret: b)))
    }

    @Test func aNewSecretIsWhsecAndBase64Of32RandomBytes() throws {
        let (text, bytes) = try StandardWebhooks.newSecret()
        #expect(text.hasPrefix("whsec_"))
        #expect(bytes.count == 32)
        // Foundation's decoder, not ours: the text is standard base64.
        #expect(Data(base64Encoded: String(text.dropFirst(6))).map { [UInt8]($0) } == bytes)
        #expect(try StandardWebhooks.newSecret().bytes != bytes)
        #expect(StandardWebhooks.secretBytes("sk_abc") == nil)
    }

    @Test func aSealedSecretOpensOnlyWithItsKeyAndRow() throws {
        let master = [UInt8](repeating: 7, count: 32)
        let box = try SecretBox(masterKey: master, purpose: SecretBox.webhookSecretPurpose)
        let secret = [UInt8](repeating: 9, count: 32)
        let sealed = try box.seal(secret, associatedData: Array("we_a".utf8))
        #expect(sealed.count == 60)
        #expect(!sealed.indices.dropLast(31).contains { Array(sealed[$0..<($0 + 32)]) == secret }, "not in plain text")
        #expect(box.open(sealed, associatedData: Array("we_a".utf8)) == secret)
        #expect(box.open(sealed, associatedData: Array("we_b".utf8)) == nil, "bound to its endpoint")
        let other = try SecretBox(masterKey: [UInt8](repeating: 8, count: 32), purpose: SecretBox.webhookSecretPurpose)
        #expect(other.open(sealed, associatedData: Array("we_a".utf8)) == nil)
        #expect(other.keyId != box.keyId)
        let answers = try SecretBox(masterKey: master, purpose: SecretBox.storedAnswerPurpose)
        #expect(answers.open(sealed, associatedData: Array("we_a".utf8)) == nil, "one key per purpose")
        #expect(!"\(box)".contains("7"), "the description names the key id only: \(box)")
        #expect(SecretBox.masterKey(fromText: "00112233") == nil, "too short")
        #expect(SecretBox.masterKey(fromText: String(repeating: "ab", count: 32))?.count == 32)
    }
}
