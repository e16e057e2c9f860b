import Glibc

/// Host names to IP addresses with getaddrinfo (the system's resolver: /etc/hosts, DNS),
/// for callers that must judge an address before they connect to it. Blocking: call it
/// on a thread that may wait (the resolver's own timeouts bound it).
public enum AddressResolver {
    public struct Address: Sendable, Equatable {
        /// 4 bytes (IPv4) or 16 (IPv6), in network order.
        public var bytes: [UInt8]
        /// Numeric form: "203.0.113.7", "2001:db8::1".
        public var text: String
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The name does not exist (or has no address).
        case unknownHost(String)
        /// The resolver could not answer now (EAI_AGAIN, ...).
        case temporary(String)

        public var description: String {
            switch self {
            case let .unknownHost(m): return "unknown host: \(m)"
            case let .temporary(m): return "name resolution failed: \(m)"
            }
        }
    }

    /// Every distinct address of `host` (a name or a numeric address), IPv4 and IPv6.
    public static func resolve(_ host: String) throws(Failure) -> [Address] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0 else {
            let message = String(cString: gai_strerror(rc))
            if rc == EAI_NONAME || rc == EAI_FAIL { throw .unknownHost("\(host): \(message)") }
            throw .temporary("\(host): \(message)")
        }
        defer { freeaddrinfo(list) }
        var out: [Address] = []
        var cursor = list
        while let entry = cursor {
            if let address = Self.address(entry.pointee), !out.contains(address) { out.append(address) }
            cursor = entry.pointee.ai_next
        }
        guard !out.isEmpty else { throw .unknownHost("\(host): no address") }
        return out
    }

    static func string(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func address(_ info: addrinfo) -> Address? {
        guard let sa = info.ai_addr else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch info.ai_family {
        case AF_INET:
            var a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            let bytes = withUnsafeBytes(of: &a) { Array($0) }
            guard inet_ntop(AF_INET, &a, &text, socklen_t(text.count)) != nil else { return nil }
            return Address(bytes: bytes, text: Self.string(text))
        case AF_INET6:
            var a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            let bytes = withUnsafeBytes(of: &a) { Array($0) }
            guard inet_ntop(AF_INET6, &a, &text, socklen_t(text.count)) != nil else { return nil }
            return Address(bytes: bytes, text: Self.string(text))
        default:
            return nil
        }
    }
}
