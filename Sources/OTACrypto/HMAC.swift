import COpenSSL

/// HMAC-SHA256 through OpenSSL's one-shot `HMAC()` (not deprecated in OpenSSL 3, unlike
/// the HMAC_CTX functions). Used for the QR token signature.
public enum HMACSHA256 {
    public static let length = 32

    public static func authenticate(_ message: [UInt8], key: [UInt8]) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        var outLength: UInt32 = 0
        let result = key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    // A zero-length key or message may have a nil base address; OpenSSL wants
                    // a valid pointer either way, so point at the (empty) output instead.
                    HMAC(EVP_sha256(), k.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(o.baseAddress!), Int32(k.count),
                         m.baseAddress ?? UnsafePointer(o.baseAddress!), m.count, o.baseAddress, &outLength)
                }
            }
        }
        guard result != nil, outLength == UInt32(length) else { throw .operationFailed("HMAC(SHA256)") }
        return out
    }

    /// Recomputes the MAC and compares in constant time (CRYPTO_memcmp).
    public static func verify(_ mac: [UInt8], for message: [UInt8], key: [UInt8]) -> Bool {
        guard mac.count == length, let expected = try? authenticate(message, key: key) else { return false }
        return Digest.constantTimeEquals(expected, mac)
    }
}
