/// Splits a request-target into a decoded path and query parameters. Works on UTF-8 bytes
/// and decodes leniently: a malformed escape is kept literally rather than failing the
/// request, because the router will simply not match it.
enum RequestTarget {
    static func split(_ target: String) -> (path: String, query: [(name: String, value: String)]) {
        let bytes = Array(target.utf8)
        if bytes == [UInt8(ascii: "*")] {
            return ("*", [])
        }
        var pathStart = 0
        // absolute-form (RFC 9112 §3.2.2): skip "scheme://authority".
        if bytes.first != UInt8(ascii: "/"), let schemeEnd = findSchemeSeparator(bytes) {
            let authorityStart = schemeEnd + 3
            pathStart = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }
                ?? bytes.count
        }
        let end = bytes[pathStart...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        let questionMark = bytes[pathStart..<end].firstIndex(of: UInt8(ascii: "?"))
        let pathEnd = questionMark ?? end
        var path = percentDecode(bytes[pathStart..<pathEnd], plusAsSpace: false)
        if path.isEmpty {
            path = "/"
        }
        var query: [(name: String, value: String)] = []
        if let questionMark {
            query = parseQuery(bytes[(questionMark + 1)..<end])
        }
        return (path, query)
    }

    /// Parses `a=1&b=x+y`: "+" is a space, pairs without "=" get an empty value, empty
    /// pairs are skipped.
    static func parseQuery(_ bytes: ArraySlice<UInt8>) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                result.append((
                    name: percentDecode(pair[pair.startIndex..<equals], plusAsSpace: true),
                    value: percentDecode(pair[(equals + 1)...], plusAsSpace: true)
                ))
            } else {
                result.append((name: percentDecode(pair, plusAsSpace: true), value: ""))
            }
        }
        return result
    }

    static func percentDecode(_ bytes: ArraySlice<UInt8>, plusAsSpace: Bool) -> String {
        // Fast path: nothing to decode.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), bytes.endIndex - index >= 3,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            }
            out.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The index of "://" when the target starts with a URI scheme (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )).
    private static func findSchemeSeparator(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let isSchemeChar = (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
                || (index > 0 && (byte.isASCIIDigit || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")))
            if isSchemeChar {
                index += 1
                continue
            }
            break
        }
        guard index > 0, bytes.count >= index + 3,
              bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: "/"), bytes[index + 2] == UInt8(ascii: "/")
        else { return nil }
        return index
    }
}

extension UInt8 {
    var isASCIIDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}
