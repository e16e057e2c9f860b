import Testing
@testable import OTACrypto

@Suite struct QRKeyringTests {
    static let hexSecret = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

    @Test func parsesHexAndBase64Secrets() throws {
        let b64 = "ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8="   // the same 32 bytes
        let ring = try QRKeyring.parse(active: "k2", keys: " k2:\(Self.hexSecret) , k1:\(b64),k0:\(b64.dropLast().replacingSlash())")
        #expect(ring.activeKeyId == "k2")
        #expect(ring.keyIds == ["k0", "k1", "k2"])
        // Same secret, same derived keys, whichever encoding it came in.
        let token = try QRToken.seal(try QRTokenClaims.issue(ticketCode: "T", partnerId: 1, now: 0, lifetimeSeconds: 60), keyring: ring)
        let onlyK2 = try QRKeyring(activeKeyId: "k2", secrets: ["k2": bytesFromHex(Self.hexSecret)])
        #expect(try QRToken.open(token, keyring: onlyK2, now: 1).ticketCode == "T")
    }

    @Test func derivedKeysAreDistinctAndNotTheSecret() throws {
        let secret = bytesFromHex(Self.hexSecret)
        let keys = try QRKeyring.derive(secret)
        #expect(keys.encryption.count == 32 && keys.mac.count == 32)
        #expect(keys.encryption != keys.mac)
        #expect(keys.encryption != secret && keys.mac != secret)
    }

    @Test func errorsNameTheVariableAndNeverTheSecret() {
        let secret = "deadbeef"   // too short
        let cases: [(String?, String?, QRKeyringError)] = [
            (nil, "k1:\(Self.hexSecret)", .missingVariable("OTA_QR_ACTIVE_KEY_ID")),
            ("k1", nil, .missingVariable("OTA_QR_KEYS")),
            ("k1", "  ", .missingVariable("OTA_QR_KEYS")),
            ("k1", "k1=\(Self.hexSecret)", .malformedEntry(position: 1)),
            ("k1", "k1:\(Self.hexSecret),", .malformedEntry(position: 2)),
            ("k1", "k1:\(Self.hexSecret),bad id!:\(Self.hexSecret)", .invalidKeyId(position: 2)),
            ("k1", "k1:\(Self.hexSecret),k1:\(Self.hexSecret)", .duplicateKeyId("k1")),
            ("k1", "k1:\(secret)", .secretLength(keyId: "k1")),
            ("k1", "k1:not base64 at all!", .undecodableSecret(keyId: "k1")),
            ("k9", "k1:\(Self.hexSecret)", .activeKeyNotInRing("k9")),
            ("much-too-long-key-id", "k1:\(Self.hexSecret)", .invalidActiveKeyId),
        ]
        for (active, keys, expected) in cases {
            #expect(throws: expected) { try QRKeyring.parse(active: active, keys: keys) }
            let text = expected.description
            #expect(text.contains("OTA_QR"))
            #expect(!text.contains(Self.hexSecret) && !text.contains(secret))
        }
    }

    @Test func keyIdRules() {
        for good in ["k", "k1", "2025-01_a", "ABCDEFGHIJKLMNOP"] { #expect(QRKeyring.isValidKeyId(good)) }
        for bad in ["", "k 1", "k:1", "ключ", "ABCDEFGHIJKLMNOPQ", "k1\n"] { #expect(!QRKeyring.isValidKeyId(bad)) }
    }

    @Test func describingTheRingShowsIdsOnly() throws {
        let ring = try QRKeyring.parse(active: "k1", keys: "k1:\(Self.hexSecret)")
        for text in [String(describing: ring), String(reflecting: ring), "\(ring)"] {
            #expect(text == "QRKeyring(active: k1, keys: k1)")
        }
        var dumped = ""
        dump(ring, to: &dumped)
        #expect(!dumped.contains("encryption") && !dumped.contains("mac"))
    }
}

extension StringProtocol {
    /// The url-safe spelling of a standard base64 string.
    fileprivate func replacingSlash() -> String {
        String(map { $0 == "/" ? "_" : $0 == "+" ? "-" : $0 })
    }
}
