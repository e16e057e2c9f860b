import Testing
@testable import OTACrypto

@Suite struct APIKeyTests {
    @Test func issuedKeysAreRandomPrefixedAndHashed() throws {
        let a = try APIKey.issue()
        let b = try APIKey.issue()
        #expect(a.secret != b.secret)
        #expect(a.secret.hasPrefix(a.prefix + "_"))
        #expect(a.prefix.hasPrefix("ota_") && a.prefix.count == 12)
        #expect(a.secret.count == 45)
        #expect(a.hash == APIKey.hash(a.secret))
        #expect(a.hash.count == 32)
        #expect(!a.hash.elementsEqual(Array(a.secret.utf8).prefix(32)))
    }

    @Test func sha256MatchesTheStandardVector() {
        #expect(Digest.hex(Digest.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func constantTimeComparison() {
        #expect(Digest.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Digest.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Digest.constantTimeEquals([1, 2], [1, 2, 3]))
    }

    @Test func developmentKeysKeepAReadablePrefix() {
        #expect(APIKey.fixed("ota_test_key_12345").prefix == "ota_test_key")
        #expect(APIKey.fixed("ota251103_key_67890").prefix == "ota251103_key")
    }

    @Test func identifiersUseTheirAlphabet() throws {
        let id = try SecureRandom.identifier(prefix: "res_")
        #expect(id.count == 28 && id.hasPrefix("res_"))
        #expect(id.dropFirst(4).allSatisfy { $0.isLowercase || $0.isNumber })
    }
}
