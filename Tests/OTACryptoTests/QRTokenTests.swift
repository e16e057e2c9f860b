import Testing
@testable import OTACrypto

@Suite struct QRTokenTests {
    static let secretK1 = [UInt8](repeating: 0x11, count: 32)
    static let secretK0 = [UInt8](repeating: 0x22, count: 32)
    static let now: Int64 = 1_700_000_000

    func ring(active: String = "k1", _ secrets: [String: [UInt8]] = ["k1": secretK1, "k0": secretK0]) throws -> QRKeyring {
        try QRKeyring(activeKeyId: active, secrets: secrets)
    }

    func claims(partner: Int64 = 42, lifetime: Int64 = 1800) throws -> QRTokenClaims {
        try QRTokenClaims.issue(ticketCode: "TKT-ABCDEFGHIJ0123456789", partnerId: partner, now: Self.now, lifetimeSeconds: lifetime)
    }

    @Test func roundTrip() throws {
        let keyring = try ring()
        let c = try claims()
        let token = try QRToken.seal(c, keyring: keyring)
        #expect(try QRToken.open(token, keyring: keyring, now: Self.now + 60) == c)
        #expect(c.tokenId.count == 16)
        // Layout: 2 + 2 (key id) + 12 + 41 + 24 + 16 + 32 bytes, base64url unpadded.
        #expect(Base64URL.decode(token)?.count == 129)
        #expect(token.count == 172)
        #expect(token.utf8.allSatisfy { $0 == 0x2D || $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) })
    }

    @Test func versionAndKeyIdAreInClearAndTheRestIsNot() throws {
        let token = try QRToken.seal(try claims(), keyring: try ring())
        let bytes = try #require(Base64URL.decode(token))
        #expect(Array(bytes.prefix(4)) == [1, 2, UInt8(ascii: "k"), UInt8(ascii: "1")])
        let code = Array("TKT-ABCDEFGHIJ0123456789".utf8)
        #expect(!bytes.indices.contains { i in i + code.count <= bytes.count && Array(bytes[i..<i + code.count]) == code })
    }

    @Test func sealingTwiceGivesDifferentTokens() throws {
        let keyring = try ring()
        let c = try claims()
        #expect(try QRToken.seal(c, keyring: keyring) != QRToken.seal(c, keyring: keyring))
    }

    @Test func everySingleBitFlipIsTheSameGenericRejection() throws {
        let keyring = try ring()
        let bytes = try #require(Base64URL.decode(try QRToken.seal(try claims(), keyring: keyring)))
        var outcomes: [QRTokenError?] = []
        for i in bytes.indices {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[i] ^= 1 << bit
                do {
                    _ = try QRToken.open(Base64URL.encode(flipped), keyring: keyring, now: Self.now)
                    outcomes.append(nil)
                } catch {
                    outcomes.append(error)
                }
            }
        }
        #expect(outcomes.count == bytes.count * 8)
        #expect(outcomes.allSatisfy { $0 == .invalid })
    }

    @Test func changedCharactersOfTheTextAreRejected() throws {
        let keyring = try ring()
        let token = Array(try QRToken.seal(try claims(), keyring: keyring))
        for i in token.indices {
            var chars = token
            chars[i] = chars[i] == "A" ? "B" : "A"
            #expect(throws: QRTokenError.invalid) { try QRToken.open(String(chars), keyring: keyring, now: Self.now) }
        }
    }

    @Test func truncatedExtendedAndGarbageTokensAreRejected() throws {
        let keyring = try ring()
        let bytes = try #require(Base64URL.decode(try QRToken.seal(try claims(), keyring: keyring)))
        for n in 0..<bytes.count {
            #expect(throws: QRTokenError.invalid) { try QRToken.open(Base64URL.encode(Array(bytes.prefix(n))), keyring: keyring, now: Self.now) }
            #expect(throws: QRTokenError.invalid) { try QRToken.open(Base64URL.encode(Array(bytes.suffix(n))), keyring: keyring, now: Self.now) }
        }
        for extra: [UInt8] in [[0], [0xff], [UInt8](repeating: 0, count: 32)] {
            #expect(throws: QRTokenError.invalid) { try QRToken.open(Base64URL.encode(bytes + extra), keyring: keyring, now: Self.now) }
        }
        let text = Base64URL.encode(bytes)
        for garbage in ["", "!!!!", "not a token", text + "=", text + "A", " " + text, text.replacingFirst("-", with: "+"),
                        String(repeating: "A", count: 5000), String(repeating: "A", count: 172)] {
            #expect(throws: QRTokenError.invalid) { try QRToken.open(garbage, keyring: keyring, now: Self.now) }
        }
    }

    @Test func expiredTokensAreExpiredWithTheirClaims() throws {
        let keyring = try ring()
        let c = try claims(lifetime: 60)
        let token = try QRToken.seal(c, keyring: keyring)
        #expect(try QRToken.open(token, keyring: keyring, now: Self.now + 59) == c)
        #expect(throws: QRTokenError.expired(c)) { try QRToken.open(token, keyring: keyring, now: Self.now + 60) }
        #expect(throws: QRTokenError.expired(c)) { try QRToken.open(token, keyring: keyring, now: Self.now + 86_400) }
    }

    @Test func retiredKeysVerifyUntilRemoved() throws {
        let old = try ring(active: "k0")
        let token = try QRToken.seal(try claims(), keyring: old)
        #expect(Base64URL.decode(token)?[2] == UInt8(ascii: "k"))
        // Rotated: k1 seals, k0 is retired but still in the ring.
        let rotated = try ring(active: "k1")
        #expect(try QRToken.open(token, keyring: rotated, now: Self.now).partnerId == 42)
        // k0 removed.
        let pruned = try ring(active: "k1", ["k1": Self.secretK1])
        #expect(throws: QRTokenError.invalid) { try QRToken.open(token, keyring: pruned, now: Self.now) }
        // New tokens use the active key.
        let fresh = try #require(Base64URL.decode(try QRToken.seal(try claims(), keyring: rotated)))
        #expect(fresh[3] == UInt8(ascii: "1"))
    }

    @Test func sameKeyIdWithAnotherSecretIsRejected() throws {
        let token = try QRToken.seal(try claims(), keyring: try ring())
        let other = try ring(active: "k1", ["k1": [UInt8](repeating: 0x33, count: 32)])
        #expect(throws: QRTokenError.invalid) { try QRToken.open(token, keyring: other, now: Self.now) }
    }

    @Test func expectedPartnerRefusesOtherPartnersBeforeExpiry() throws {
        let keyring = try ring()
        let c = try claims(partner: 7, lifetime: 60)
        let token = try QRToken.seal(c, keyring: keyring)
        #expect(try QRToken.open(token, keyring: keyring, now: Self.now, expectedPartner: 7) == c)
        #expect(throws: QRTokenError.invalid) { try QRToken.open(token, keyring: keyring, now: Self.now, expectedPartner: 8) }
        #expect(throws: QRTokenError.invalid) { try QRToken.open(token, keyring: keyring, now: Self.now + 600, expectedPartner: 8) }
        #expect(throws: QRTokenError.expired(c)) { try QRToken.open(token, keyring: keyring, now: Self.now + 600, expectedPartner: 7) }
    }

    @Test func claimsRoundTripAtTheEdgesOfTheLayout() throws {
        let keyring = try ring(active: "abcdefghijklmnop", ["abcdefghijklmnop": Self.secretK1])
        for c in [
            QRTokenClaims(ticketCode: "X", partnerId: Int64.min, issuedAt: -5, expiresAt: Int64.max, tokenId: [UInt8](repeating: 0xff, count: 16)),
            QRTokenClaims(ticketCode: String(repeating: "é", count: 127) + "x", partnerId: Int64.max, issuedAt: 0, expiresAt: 1,
                          tokenId: [UInt8](repeating: 0, count: 16)),
        ] {
            #expect(try QRToken.open(try QRToken.seal(c, keyring: keyring), keyring: keyring, now: 0) == c)
        }
    }

    @Test func unsealableClaimsAreRefused() throws {
        let keyring = try ring()
        let good = try claims()
        var c = good
        c.ticketCode = ""
        #expect(throws: CryptoError.self) { try QRToken.seal(c, keyring: keyring) }
        c = good
        c.ticketCode = String(repeating: "x", count: 256)
        #expect(throws: CryptoError.self) { try QRToken.seal(c, keyring: keyring) }
        c = good
        c.tokenId = [1, 2, 3]
        #expect(throws: CryptoError.self) { try QRToken.seal(c, keyring: keyring) }
        c = good
        c.expiresAt = c.issuedAt
        #expect(throws: CryptoError.self) { try QRToken.seal(c, keyring: keyring) }
    }
}

extension String {
    fileprivate func replacingFirst(_ target: Character, with replacement: Character) -> String {
        guard let i = firstIndex(of: target) else { return self + String(replacement) }
        var copy = self
        copy.replaceSubrange(i...i, with: String(replacement))
        return copy
    }
}
