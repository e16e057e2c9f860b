import Foundation
import Testing
@testable import OTACrypto

@Suite struct PasswordHashTests {
    @Test func hashesVerifyAndDescribeThemselves() throws {
        let stored = try PasswordHash.hash("Correct horse 42")
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
        #expect(fields.count == 6)
        #expect(Array(fields.prefix(4)) == ["scrypt", "15", "8", "1"])
        #expect(Base64Codec.decode(Array(fields[4].utf8), alphabet: .standard, allowPadding: false)?.count == 16)
        #expect(Base64Codec.decode(Array(fields[5].utf8), alphabet: .standard, allowPadding: false)?.count == 32)
        #expect(PasswordHash.verify("Correct horse 42", against: stored))
        #expect(!PasswordHash.verify("Correct horse 43", against: stored))
        #expect(!PasswordHash.verify("correct horse 42", against: stored))
        #expect(!PasswordHash.verify("", against: stored))
        #expect(!PasswordHash.needsRehash(stored))
    }

    @Test func saltDiffersPerHash() throws {
        let a = try PasswordHash.hash("same password 1")
        let b = try PasswordHash.hash("same password 1")
        #expect(a != b)
        #expect(a.split(separator: "$")[4] != b.split(separator: "$")[4])
        #expect(PasswordHash.verify("same password 1", against: a) && PasswordHash.verify("same password 1", against: b))
    }

    @Test func matchesScryptRFC7914Vector() throws {
        // RFC 7914 §12: P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64.
        let key = try PasswordHash.derive("password", salt: Array("NaCl".utf8), parameters: .init(logN: 10, r: 8, p: 16), length: 64)
        #expect(Digest.hex(key) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test func unicodeIsComparedInItsComposedForm() throws {
        let stored = try PasswordHash.hash("Caf\u{E9} au lait 7")
        #expect(PasswordHash.verify("Cafe\u{301} au lait 7", against: stored))
    }

    @Test func tamperedOrForeignStoredStringsFailCleanly() throws {
        let stored = try PasswordHash.hash("Tamper proof 99")
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        func with(_ index: Int, _ value: String) -> String {
            var copy = fields
            copy[index] = value
            return copy.joined(separator: "$")
        }
        let malformed = [
            "", "scrypt", "$$$$$", stored + "$", "bcrypt" + stored.dropFirst(6),
            with(1, "14"),      // other parameters: verifies to a different key
            with(1, "30"),      // 2^30: refused, never attempted
            with(1, "+5"),
            with(3, "99"),
            with(5, String(fields[5].dropLast(2))),
            with(4, "!!"),
        ]
        for v in malformed {
            #expect(!PasswordHash.verify("Tamper proof 99", against: v))
            #expect(PasswordHash.needsRehash(v))
        }
        // Well-formed with today's parameters but a changed key: simply the wrong hash.
        let key = fields[5]
        let flipped = with(5, (key.first == "A" ? "B" : "A") + key.dropFirst())
        #expect(!PasswordHash.verify("Tamper proof 99", against: flipped))
        #expect(!PasswordHash.needsRehash(flipped))
    }

    @Test func olderParametersNeedARehash() throws {
        let weak = try PasswordHash.hash("Older params 1", parameters: .init(logN: 10, r: 8, p: 1))
        #expect(weak.hasPrefix("scrypt$10$8$1$"))
        #expect(PasswordHash.verify("Older params 1", against: weak))
        #expect(PasswordHash.needsRehash(weak))
        #expect(throws: CryptoError.self) { try PasswordHash.hash("x", parameters: .init(logN: 25, r: 8, p: 1)) }
    }

    @Test func dummyHashIsCurrentAndMatchesNothingObvious() {
        #expect(!PasswordHash.needsRehash(PasswordHash.dummy))
        for guess in ["", "password", "dummy", "scrypt"] { #expect(!PasswordHash.verify(guess, against: PasswordHash.dummy)) }
    }
}

@Suite struct PasswordPolicyTests {
    @Test func acceptsSensiblePasswords() {
        for good in ["Harbour-ferry7", "tide2Moon!", "correct horse battery staple", "longlowercasepassphrase", "Überfahrt2025"] {
            #expect(PasswordPolicy.violation(good) == nil, "\(good)")
        }
    }

    @Test func refusesWeakOnesWithAReason() {
        let cases: [(String, String)] = [
            ("Short1!", "at least 10"),
            (String(repeating: "Ab1", count: 43), "at most 128"),
            ("Tab\there12345", "control"),
            ("aaaaaaaaaaaa", "different"),
            ("ababab1ababab", "different"),
            ("alllowercase", "mix"),
            ("12345678901", "mix"),
            ("Password123", "common"),
        ]
        for (password, reason) in cases {
            let v = PasswordPolicy.violation(password)
            #expect(v?.contains(reason) == true, "\(password): \(v ?? "accepted")")
            #expect(v?.contains(password) != true)
        }
        #expect(PasswordPolicy.violation("gate.keeper-Pier7", username: "Gate.Keeper")?.contains("username") == true)
        #expect(PasswordPolicy.violation("gate.keeper-Pier7", username: "ab") == nil)
    }
}

@Suite struct BearerTokenTests {
    @Test func tokensAreRandomPrefixedAndStoredAsSHA256() throws {
        let a = try BearerToken.issue()
        let b = try BearerToken.issue()
        #expect(a.token != b.token)
        #expect(a.token.hasPrefix("opt_") && a.token.count == 47)
        #expect(Base64URL.decode(String(a.token.dropFirst(4)))?.count == 32)
        #expect(a.hash == Digest.sha256(a.token) && a.hash == BearerToken.hash(a.token))
        #expect(BearerToken.isPlausible(a.token))
        #expect(!BearerToken.isPlausible("opt_short") && !BearerToken.isPlausible("ota_" + a.token.dropFirst(4)))
    }
}
