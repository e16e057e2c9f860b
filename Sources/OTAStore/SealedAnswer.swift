/// How a stored Idempotency-Key answer that carries a secret is kept sealed: the gateway
/// seals and opens it, `ota-admin webhook reseal` re-seals it under a new master key, so
/// both read the format from here.
public enum SealedAnswer {
    /// The content type of a sealed record; the real one is inside the seal.
    public static let contentType = "application/vnd.ota.sealed-answer"

    /// Binds a sealed answer to its partner and key, so it cannot be moved to another.
    public static func associatedData(partnerId: Int64, key: String) -> [UInt8] { Array("\(partnerId)\n\(key)".utf8) }
}
