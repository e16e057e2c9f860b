import COpenSSL
import Foundation

/// Venue operators' passwords, hashed with scrypt (OpenSSL's EVP_PBE_scrypt).
///
/// Stored as a self-describing string, so parameters can be raised later without breaking
/// existing rows (`needsRehash` tells when to re-hash at the next successful login):
/// ```
/// scrypt$<log2 N>$<r>$<p>$<salt, base64 unpadded>$<key, base64 unpadded>
/// scrypt$15$8$1$Qm9J...$x8kz...
/// ```
/// Current: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds), 16-byte random salt,
/// 32-byte key. Passwords are hashed as UTF-8 of their NFC form, so the same password typed
/// on keyboards that compose accents differently still matches.
public enum PasswordHash {
    public struct Parameters: Sendable, Equatable {
        public let logN: Int
        public let r: Int
        public let p: Int

        public init(logN: Int, r: Int, p: Int) {
            self.logN = logN
            self.r = r
            self.p = p
        }

        public static let current = Parameters(logN: 15, r: 8, p: 1)

        /// What a stored string may ask for: anything else is refused instead of letting a
        /// corrupt row make one login allocate gigabytes or spin for minutes.
        var isAcceptable: Bool {
            (10...20).contains(logN) && (1...16).contains(r) && (1...16).contains(p) && memoryBytes <= 256 << 20
        }

        /// The memory OpenSSL checks against `maxmem`: B (p * 128 * r) plus V (128 * r * (N + 2)).
        var memoryBytes: Int { p * 128 * r + 128 * r * ((1 << logN) + 2) }
    }

    static let saltLength = 16
    static let keyLength = 32

    /// A valid hash of a random password nobody knows (it was thrown away): login verifies
    /// against it when the username does not exist, so the answer takes as long either way.
    public static let dummy = "scrypt$15$8$1$zNRnRo+9Yi0eZ634aMAsog$3i5dOXW+gG6S7k0ZysVMkbcqIBsTaFXn9sMEhqyGcGw"

    public static func hash(_ password: String) throws(CryptoError) -> String {
        try hash(password, parameters: .current)
    }

    public static func hash(_ password: String, parameters: Parameters) throws(CryptoError) -> String {
        guard parameters.isAcceptable else { throw .invalidInput("scrypt parameters out of range") }
        let salt = try SecureRandom.bytes(saltLength)
        var key = try derive(password, salt: salt, parameters: parameters, length: keyLength)
        defer { KeyMaterial.wipe(&key) }
        return format(parameters, salt: salt, key: key)
    }

    /// True only for the right password; false for a wrong one and for a stored string
    /// that is malformed or asks for parameters out of range. Compares in constant time.
    public static func verify(_ password: String, against stored: String) -> Bool {
        guard let parsed = Stored(stored) else { return false }
        guard var key = try? derive(password, salt: parsed.salt, parameters: parsed.parameters, length: parsed.key.count) else {
            return false
        }
        defer { KeyMaterial.wipe(&key) }
        return Digest.constantTimeEquals(key, parsed.key)
    }

    /// True when `stored` is not of today's parameters and lengths (or not readable at all):
    /// re-hash the password the user just proved to know.
    public static func needsRehash(_ stored: String) -> Bool {
        guard let parsed = Stored(stored) else { return true }
        return parsed.parameters != .current || parsed.salt.count != saltLength || parsed.key.count != keyLength
    }

    static func format(_ p: Parameters, salt: [UInt8], key: [UInt8]) -> String {
        "scrypt$\(p.logN)$\(p.r)$\(p.p)$" + Base64Codec.encode(salt, alphabet: Base64Codec.standard, padded: false)
            + "$" + Base64Codec.encode(key, alphabet: Base64Codec.standard, padded: false)
    }

    /// A parsed stored string, with every field checked.
    struct Stored {
        let parameters: Parameters
        let salt: [UInt8]
        let key: [UInt8]

        init?(_ text: String) {
            let fields = text.split(separator: "$", omittingEmptySubsequences: false)
            guard fields.count == 6, fields[0] == "scrypt",
                  let logN = Stored.number(fields[1]), let r = Stored.number(fields[2]), let p = Stored.number(fields[3]),
                  let salt = Base64Codec.decode(Array(fields[4].utf8), alphabet: .standard, allowPadding: false),
                  let key = Base64Codec.decode(Array(fields[5].utf8), alphabet: .standard, allowPadding: false) else { return nil }
            let parameters = Parameters(logN: logN, r: r, p: p)
            guard parameters.isAcceptable, (8...64).contains(salt.count), (16...64).contains(key.count) else { return nil }
            self.parameters = parameters
            self.salt = salt
            self.key = key
        }

        /// Plain decimal digits only (no sign, no spaces), at most 2 of them.
        private static func number(_ s: Substring) -> Int? {
            guard (1...2).contains(s.utf8.count), s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return Int(s)
        }
    }

    static func derive(_ password: String, salt: [UInt8], parameters p: Parameters, length: Int) throws(CryptoError) -> [UInt8] {
        var secret = Array(password.precomposedStringWithCanonicalMapping.utf8)
        defer { KeyMaterial.wipe(&secret) }
        var out = [UInt8](repeating: 0, count: length)
        // OpenSSL's default maxmem (32 MiB) is just below what N = 2^15, r = 8 needs: pass
        // the exact requirement plus slack.
        let maxmem = UInt64(p.memoryBytes + (1 << 20))
        let ok = secret.withUnsafeBufferPointer { pw in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    pw.withMemoryRebound(to: CChar.self) { pwc in
                        EVP_PBE_scrypt(pwc.baseAddress, pwc.count, s.baseAddress, s.count,
                                       UInt64(1) << UInt64(p.logN), UInt64(p.r), UInt64(p.p), maxmem, o.baseAddress, length)
                    }
                }
            }
        }
        guard ok == 1 else {
            KeyMaterial.wipe(&out)
            throw .operationFailed("EVP_PBE_scrypt")
        }
        return out
    }
}
