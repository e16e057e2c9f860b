/// Partner API keys: random, with a readable prefix, shown once, stored as SHA-256.
///
/// Format: `ota_<8 lowercase id chars>_<32 random alphanumerics>`, about 190 random bits
/// beyond the prefix. The prefix (`ota_<id>`) is kept in clear so ops can recognise a key
/// in listings and logs without the secret.
public struct IssuedAPIKey: Sendable {
    /// The whole key: shown to the partner once, never stored.
    public let secret: String
    public let prefix: String
    public let hash: [UInt8]
}

public enum APIKey {
    public static func issue() throws(CryptoError) -> IssuedAPIKey {
        let id = try SecureRandom.string(count: 8, alphabet: SecureRandom.lowerAlphanumeric)
        let random = try SecureRandom.string(count: 32, alphabet: SecureRandom.alphanumeric)
        let secret = "ota_\(id)_\(random)"
        return IssuedAPIKey(secret: secret, prefix: "ota_\(id)", hash: hash(secret))
    }

    /// A fixed key (the development partners' well-known keys), hashed the same way.
    public static func fixed(_ secret: String) -> IssuedAPIKey {
        IssuedAPIKey(secret: secret, prefix: displayPrefix(secret), hash: hash(secret))
    }

    public static func hash(_ secret: String) -> [UInt8] { Digest.sha256(secret) }

    /// The part of a key that is safe to show: up to the last underscore, at most 16 chars.
    public static func displayPrefix(_ secret: String) -> String {
        let head = secret.lastIndex(of: "_").map { String(secret[..<$0]) } ?? String(secret.prefix(4))
        return String(head.prefix(16)).count >= 4 ? String(head.prefix(16)) : String(secret.prefix(4))
    }

    /// Keys are printable ASCII of bounded length; anything else is not worth a lookup.
    public static func isPlausible(_ secret: String) -> Bool {
        (8...128).contains(secret.utf8.count) && secret.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
