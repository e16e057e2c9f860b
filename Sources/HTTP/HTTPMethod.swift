/// A request method (RFC 9110 §9). Any token up to `maxLength` bytes is a method the
/// parser passes on (extension methods exist), but only the standard ones have names
/// here; everything else shares the metrics label "other", so a client inventing methods
/// cannot grow a metrics label set without bound.
public struct HTTPMethod: Sendable, Hashable, RawRepresentable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Longer methods are refused by the parser (501) before the head is read.
    public static let maxLength = 32

    public static let get = HTTPMethod("GET")
    public static let head = HTTPMethod("HEAD")
    public static let post = HTTPMethod("POST")
    public static let put = HTTPMethod("PUT")
    public static let patch = HTTPMethod("PATCH")
    public static let delete = HTTPMethod("DELETE")
    public static let options = HTTPMethod("OPTIONS")
    public static let trace = HTTPMethod("TRACE")
    public static let connect = HTTPMethod("CONNECT")

    /// Case-sensitive, as the method token is: "get" is an extension method.
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ name: String) {
        rawValue = name
    }

    public init(stringLiteral value: String) {
        rawValue = value
    }

    /// One of the methods RFC 9110 defines (and PATCH, RFC 5789).
    public var isKnown: Bool {
        switch rawValue {
        case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT": true
        default: false
        }
    }

    /// The method's name when it is known, "other" otherwise: a bounded label set.
    public var metricsLabel: String { isKnown ? rawValue : "other" }

    public var description: String { rawValue }
}

extension HTTPRequest {

    /// Request-derived text as it may be echoed in an error detail or a log line: at most
    /// `limit` characters, then "…", so a 10,000-byte target or header is never repeated
    /// back whole.
    public static func excerpt(_ text: some StringProtocol, limit: Int = 64) -> String {
        guard text.count > limit else { return String(text) }
        return String(text.prefix(limit)) + "…"
    }
}
