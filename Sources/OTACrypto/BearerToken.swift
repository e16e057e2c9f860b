/// Venue operators' login tokens: 32 random bytes as base64url behind the prefix `opt_`
/// (so a leaked token is recognisable in a log or a secret scanner), stored only as their
/// SHA-256. A token is random enough that a fast hash is the right one: no salt, no scrypt,
/// and the database can look it up by hash.
public enum BearerToken {
    public static let prefix = "opt_"
    static let randomBytes = 32

    /// A new token, shown to the operator once, and the hash to store.
    public static func issue() throws(CryptoError) -> (token: String, hash: [UInt8]) {
        var random = try SecureRandom.bytes(randomBytes)
        defer { KeyMaterial.wipe(&random) }
        let token = prefix + Base64URL.encode(random)
        return (token, hash(token))
    }

    /// The stored form of a presented token (the whole text, prefix included).
    public static func hash(_ token: String) -> [UInt8] { Digest.sha256(token) }

    /// Cheap shape check before a database lookup: `opt_` and 43 base64url characters.
    public static func isPlausible(_ token: String) -> Bool {
        token.hasPrefix(prefix) && token.utf8.count == prefix.utf8.count + 43
            && Base64URL.decode(String(token.dropFirst(prefix.count)))?.count == randomBytes
    }
}
