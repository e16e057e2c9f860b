/// Base64url without padding (RFC 4648 §5): the text form of QR tokens and bearer tokens,
/// safe in a QR code, a URL, a header and JSON without escaping.
///
/// Decoding is strict: no padding, no whitespace, and the unused low bits of the last
/// character must be zero. So each byte string has exactly one accepted text form, and
/// changing any character of a token either changes its bytes or is refused.
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Base64Codec.encode(bytes, alphabet: Base64Codec.url, padded: false)
    }

    /// nil for anything that is not canonical unpadded base64url.
    public static func decode(_ text: String) -> [UInt8]? {
        Base64Codec.decode(Array(text.utf8), alphabet: .url, allowPadding: false)
    }
}

/// The codec behind `Base64URL`, with the standard alphabet too (stored password hashes)
/// and a lenient mode for secrets typed into configuration.
/// Standard base64 (RFC 4648 section 4, `+/`, padded), as Standard Webhooks uses for
/// secrets and signatures.
public enum Base64 {
    public static func encode(_ bytes: [UInt8]) -> String {
        Base64Codec.encode(bytes, alphabet: Base64Codec.standard, padded: true)
    }

    /// Padding optional.
    public static func decode(_ text: String) -> [UInt8]? {
        Base64Codec.decode(Array(text.utf8), alphabet: .standard, allowPadding: true)
    }
}

enum Base64Codec {
    static let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let url = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    enum Alphabet {
        case standard, url
        /// Either alphabet (configuration may hold `openssl rand -base64` output or base64url).
        case either
    }

    static func encode(_ bytes: [UInt8], alphabet: [UInt8], padded: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        switch bytes.count - i {
        case 1:
            let n = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            if padded { out.append(contentsOf: [UInt8(ascii: "="), UInt8(ascii: "=")]) }
        case 2:
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            if padded { out.append(UInt8(ascii: "=")) }
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The 6-bit value of one character, or nil when it is not in `alphabet`.
    private static func value(_ c: UInt8, _ alphabet: Alphabet) -> UInt32? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(c - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+") where alphabet != .url: return 62
        case UInt8(ascii: "/") where alphabet != .url: return 63
        case UInt8(ascii: "-") where alphabet != .standard: return 62
        case UInt8(ascii: "_") where alphabet != .standard: return 63
        default: return nil
        }
    }

    /// Strict decoding; `allowPadding` accepts (only) correct trailing `=` padding.
    static func decode(_ input: [UInt8], alphabet: Alphabet, allowPadding: Bool) -> [UInt8]? {
        var text = input[...]
        if allowPadding, text.count % 4 == 0 {
            if text.last == UInt8(ascii: "=") { text = text.dropLast() }
            if text.last == UInt8(ascii: "=") { text = text.dropLast() }
        }
        // A single leftover character carries only 6 bits: never a whole byte.
        guard text.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for c in text {
            guard let v = value(c, alphabet) else { return nil }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                acc &= (1 << UInt32(bits)) - 1
            }
        }
        // Non-zero unused bits mean a second spelling of the same bytes: refuse it.
        guard acc == 0 else { return nil }
        return out
    }
}
