import Testing
@testable import OTACrypto

/// The master-key ring of webhook secrets: the active key seals, retired keys only open.
@Suite struct SecretKeyringTests {
    static let keyA = String(repeating: "a1", count: 32)
    static let keyB = String(repeating: "b2", count: 32)
    static let keyC = String(repeating: "c3", count: 32)
    static let row = Array("we_row1".utf8)

    static func ring(_ active: String, old: String? = nil) throws -> SecretKeyring {
        let ring = try SecretKeyring.parse(active: active, oldKeys: old, purpose: SecretBox.webhookSecretPurpose)
        return try #require(ring)
    }

    @Test func sealsWithTheActiveKeyAndSaysWhichKeySealed() throws {
        let ring = try Self.ring(Self.keyB, old: Self.keyA)
        let b = try Self.ring(Self.keyB)
        let a = try Self.ring(Self.keyA)
        #expect(ring.activeKeyId == b.activeKeyId && ring.activeKeyId != a.activeKeyId)
        #expect(ring.keyIds == [b.activeKeyId, a.activeKeyId])
        let secret = [UInt8](repeating: 9, count: 32)
        let sealed = try ring.seal(secret, associatedData: Self.row)
        #expect(sealed.count == SecretKeyring.prefixLength + SecretBox.overhead + 32)
        #expect(SecretKeyring.sealingKeyId(sealed) == ring.activeKeyId)
        #expect(b.open(sealed, associatedData: Self.row) == secret, "the active key alone opens it")
        #expect(a.open(sealed, associatedData: Self.row) == nil, "an old key does not")
        let opened = try #require(ring.opening(sealed, associatedData: Self.row))
        #expect(opened.plaintext == secret && opened.keyId == ring.activeKeyId && opened.isCurrent)
        #expect(ring.open(sealed, associatedData: Array("we_row2".utf8)) == nil, "bound to its row")
    }

    @Test func opensValuesSealedByAnOldKey() throws {
        let secret = Array("old secret".utf8)
        let underA = try Self.ring(Self.keyA).seal(secret, associatedData: Self.row)
        let ring = try Self.ring(Self.keyB, old: "\(Self.keyC), \(Self.keyA)")
        let opened = try #require(ring.opening(underA, associatedData: Self.row))
        #expect(opened.plaintext == secret && !opened.isCurrent)
        #expect(opened.keyId == (try Self.ring(Self.keyA)).activeKeyId)
        #expect(try Self.ring(Self.keyB).open(underA, associatedData: Self.row) == nil, "gone once A leaves the ring")
    }

    @Test func opensALegacyUnprefixedValueWithAnyKeyInTheRing() throws {
        let secret = [UInt8](repeating: 5, count: 32)
        let boxA = try SecretBox(masterKey: [UInt8](repeating: 0xa1, count: 32), purpose: SecretBox.webhookSecretPurpose)
        let legacy = try boxA.seal(secret, associatedData: Self.row)
        #expect(legacy.count == 60, "nonce + ciphertext + tag, as stored before the ring")
        let asActive = try #require(try Self.ring(Self.keyA).opening(legacy, associatedData: Self.row))
        #expect(asActive.plaintext == secret && !asActive.isCurrent, "legacy form: to be resealed even under the active key")
        let asOld = try #require(try Self.ring(Self.keyB, old: Self.keyA).opening(legacy, associatedData: Self.row))
        #expect(asOld.plaintext == secret && asOld.keyId == boxA.keyId && !asOld.isCurrent)
    }

    @Test func refusesAnUnknownKeyATamperedValueAndABadConfiguration() throws {
        let secret = [UInt8](repeating: 1, count: 32)
        let underC = try Self.ring(Self.keyC).seal(secret, associatedData: Self.row)
        let ring = try Self.ring(Self.keyB, old: Self.keyA)
        #expect(ring.opening(underC, associatedData: Self.row) == nil, "a key not in the ring")
        var tampered = try ring.seal(secret, associatedData: Self.row)
        tampered[tampered.count - 20] ^= 0x01
        #expect(ring.open(tampered, associatedData: Self.row) == nil)
        var relabelled = try ring.seal(secret, associatedData: Self.row)
        relabelled[1] ^= 0x01
        #expect(ring.open(relabelled, associatedData: Self.row) == nil, "the key id is bound into the seal")
        let stripped = Array(try ring.seal(secret, associatedData: Self.row).dropFirst(SecretKeyring.prefixLength))
        #expect(ring.open(stripped, associatedData: Self.row) == nil, "a stripped prefix does not pass for a legacy value")
        #expect(ring.open([1, 2, 3], associatedData: Self.row) == nil)

        #expect(try SecretKeyring.parse(active: nil, oldKeys: nil, purpose: SecretBox.webhookSecretPurpose) == nil)
        #expect(throws: SecretKeyringError.missingVariable("OTA_WEBHOOK_SECRET_KEY")) {
            try SecretKeyring.parse(active: "", oldKeys: Self.keyA, purpose: SecretBox.webhookSecretPurpose)
        }
        #expect(throws: SecretKeyringError.undecodableActiveKey) {
            try SecretKeyring.parse(active: "00112233", oldKeys: nil, purpose: SecretBox.webhookSecretPurpose)
        }
        #expect(throws: SecretKeyringError.undecodableOldKey(position: 2)) {
            try SecretKeyring.parse(active: Self.keyB, oldKeys: "\(Self.keyA),zz", purpose: SecretBox.webhookSecretPurpose)
        }
        #expect(throws: SecretKeyringError.duplicateKey(position: 1)) {
            try SecretKeyring.parse(active: Self.keyB, oldKeys: Self.keyB, purpose: SecretBox.webhookSecretPurpose)
        }
        #expect(!"\(ring)".contains("a1a1") && "\(ring)".contains(ring.activeKeyId), "key ids only: \(ring)")
        #expect(!"\(SecretKeyringError.undecodableOldKey(position: 2))".contains(Self.keyA))
    }
}
