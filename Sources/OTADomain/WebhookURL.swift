/// A webhook endpoint URL, read strictly: `https://host[:port][/path][?query]` (http only
/// for an allow-listed host), no user name or password (they would be logged and sent
/// with every request), no fragment, printable ASCII only.
public struct WebhookURL: Sendable, Equatable {
    public var isHTTPS: Bool
    /// Lower-cased; an IPv6 literal without its brackets.
    public var host: String
    public var isIPv6Literal: Bool
    /// The explicit port, else 443 or 80.
    public var port: Int
    public var text: String

    public static let maxLength = 2048

    /// The URL, or why the text is not one.
    public static func parse(_ text: String) -> Result<WebhookURL, WebhookURLError> {
        let bytes = Array(text.utf8)
        guard bytes.count <= maxLength else { return .failure(.malformed("is longer than \(maxLength) characters")) }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(.malformed("must be printable ASCII without spaces (percent-encode the rest)"))
        }
        let lower = text.lowercased()
        let isHTTPS: Bool
        let rest: Substring
        if lower.hasPrefix("https://") {
            isHTTPS = true
            rest = Substring(text.dropFirst(8))
        } else if lower.hasPrefix("http://") {
            isHTTPS = false
            rest = Substring(text.dropFirst(7))
        } else {
            return .failure(.malformed("must start with https://"))
        }
        guard !rest.contains("#") else { return .failure(.malformed("must not have a fragment (#...)")) }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else {
            return .failure(.malformed("must not carry a user name or password; the signature authenticates us"))
        }
        var host: Substring
        var portText: Substring?
        var isIPv6 = false
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return .failure(.malformed("has an unclosed [")) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            isIPv6 = true
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return .failure(.malformed("has text after the ] of its address")) }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return .failure(.malformed("has an invalid IPv6 address"))
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        var port = isHTTPS ? 443 : 80
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p), portText.allSatisfy(\.isNumber) else {
                return .failure(.malformed("has an invalid port"))
            }
            port = p
        }
        let hostName = host.lowercased()
        if !isIPv6 {
            guard isValidHostName(hostName) else { return .failure(.malformed("has an invalid host name")) }
        }
        return .success(WebhookURL(isHTTPS: isHTTPS, host: hostName, isIPv6Literal: isIPv6, port: port, text: text))
    }

    /// Letters, digits, '-' and '_' in dot-separated labels of 1 to 63, 253 at most.
    static func isValidHostName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { c in
                    (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
                }
        }
    }

    /// Names that are never public (RFC 6761 `localhost`), refused before any lookup.
    public var isLocalName: Bool {
        host == "localhost" || host.hasSuffix(".localhost")
    }
}

public enum WebhookURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a URL of the accepted shape.
    case malformed(String)
    /// http:// to a host that is not allow-listed.
    case notHTTPS
    /// The host is (or resolves to) an address the service must not call.
    case forbiddenAddress(host: String, address: String, kind: IPAddressKind)
    case localName(String)

    public var description: String {
        switch self {
        case let .malformed(why): return why
        case .notHTTPS: return "must use https:// (http:// only for hosts the operator allow-lists)"
        case let .forbiddenAddress(host, address, kind):
            return host == address ? "is a \(kind.rawValue) address, which webhooks may not call"
                : "has host \(host), which resolves to \(address), a \(kind.rawValue) address that webhooks may not call"
        case let .localName(host): return "names \(host), which is this machine"
        }
    }
}

/// What kind of address an IP address is, for the server-side request forgery rule:
/// everything but `public` is refused unless the host is allow-listed.
public enum IPAddressKind: String, Sendable, Equatable {
    case `public`
    case loopback
    case unspecified
    case `private`
    case linkLocal = "link-local"
    /// 100.64.0.0/10, shared address space of carrier-grade NAT.
    case carrierGradeNAT = "carrier-grade NAT"
    case multicast
    /// Reserved or special-purpose (IETF assignments, benchmarking, 240/4, broadcast, discard).
    case reserved

    /// 4 bytes (IPv4) or 16 (IPv6); anything else is `reserved`. Cloud metadata services
    /// (169.254.169.254, fd00:ec2::254, 100.100.100.200) fall in link-local, private and
    /// carrier-grade NAT. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64,
    /// 6to4) are judged by that address.
    public static func of(_ bytes: [UInt8]) -> IPAddressKind {
        switch bytes.count {
        case 4: return ofIPv4(bytes[0], bytes[1], bytes[2], bytes[3])
        case 16: return ofIPv6(bytes)
        default: return .reserved
        }
    }

    static func ofIPv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> IPAddressKind {
        switch (a, b, c) {
        case (0, _, _): return .unspecified
        case (10, _, _): return .private
        case (100, 64...127, _): return .carrierGradeNAT
        case (127, _, _): return .loopback
        case (169, 254, _): return .linkLocal
        case (172, 16...31, _): return .private
        case (192, 0, 0): return .reserved
        case (192, 168, _): return .private
        case (198, 18...19, _): return .reserved
        case (224...239, _, _): return .multicast
        case (240...255, _, _): return .reserved
        default: return .public
        }
    }

    static func ofIPv6(_ b: [UInt8]) -> IPAddressKind {
        let zeroPrefix10 = b[0..<10].allSatisfy { $0 == 0 }
        if zeroPrefix10 && b[10] == 0 && b[11] == 0 {
            // ::/96: the unspecified and loopback addresses, else IPv4-compatible.
            if b[12..<15].allSatisfy({ $0 == 0 }) && (b[15] == 0 || b[15] == 1) { return b[15] == 0 ? .unspecified : .loopback }
            return ofIPv4(b[12], b[13], b[14], b[15])
        }
        if zeroPrefix10 && b[10] == 0xFF && b[11] == 0xFF { return ofIPv4(b[12], b[13], b[14], b[15]) }  // ::ffff:0:0/96
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..<12].allSatisfy({ $0 == 0 }) {
            return ofIPv4(b[12], b[13], b[14], b[15])  // 64:ff9b::/96, NAT64
        }
        if b[0] == 0x20 && b[1] == 0x02 { return ofIPv4(b[2], b[3], b[4], b[5]) }  // 2002::/16, 6to4
        if b[0] == 0xFF { return .multicast }
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return .linkLocal }  // fe80::/10
        if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return .private }  // fec0::/10, deprecated site-local
        if b[0] & 0xFE == 0xFC { return .private }  // fc00::/7, unique local
        if b[0] == 0x01 && b[1] == 0x00 && b[2..<8].allSatisfy({ $0 == 0 }) { return .reserved }  // 100::/64, discard
        return .public
    }
}
