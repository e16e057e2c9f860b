import COpenSSL

public enum CryptoError: Error, Sendable, Equatable {
    case randomUnavailable
    case digestFailed
    /// An OpenSSL primitive reported failure; names the operation, never key material.
    case operationFailed(String)
    /// The caller passed something the primitive cannot take (wrong key length, claims
    /// that do not fit the token layout...); the text says what, without secrets.
    case invalidInput(String)
}

/// Randomness from OpenSSL's CSPRNG.
public enum SecureRandom {
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard ok == 1 else { throw .randomUnavailable }
        return out
    }

    static let lowerAlphanumeric = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
    static let upperAlphanumeric = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    static let alphanumeric = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `count` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
    public static func string(count: Int, alphabet: [UInt8]) throws(CryptoError) -> String {
        precondition(!alphabet.isEmpty && alphabet.count <= 256, "alphabet of 1...256 symbols")
        let limit = 256 - (256 % alphabet.count)
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            for b in try bytes(count * 2) where Int(b) < limit && out.count < count {
                out.append(alphabet[Int(b) % alphabet.count])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A ticket code "TKT-" + 20 characters [A-Z0-9] (about 103 random bits): printed on
    /// tickets and typed by venue staff, so upper case only; unguessable.
    public static func ticketCode() throws(CryptoError) -> String {
        "TKT-" + (try string(count: 20, alphabet: upperAlphanumeric))
    }

    /// An identifier such as "res_k3j9..." with `randomCount` random characters [a-z0-9]
    /// (24 characters carry about 124 bits: unguessable).
    public static func identifier(prefix: String, randomCount: Int = 24) throws(CryptoError) -> String {
        prefix + (try string(count: randomCount, alphabet: lowerAlphanumeric))
    }
}
