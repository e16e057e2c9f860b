public enum HTTPVersion: Sendable, Equatable {
    case http10, http11
}

/// A complete request as handed to a handler: the body is fully read and de-chunked.
public struct HTTPRequest: Sendable {
    /// The method as sent, e.g. GET (methods are case-sensitive; unknown ones are kept).
    public var method: HTTPMethod
    /// The raw request-target, e.g. "/a%20b?x=1".
    public var target: String
    /// The percent-decoded path without the query.
    public var path: String
    /// The decoded query parameters ("+" as space), in order.
    public var query: [(name: String, value: String)]
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The peer's address without the port, e.g. "127.0.0.1".
    public var remoteAddress: String

    /// Builds a request from its raw target, deriving `path` and `query`.
    public init(
        method: HTTPMethod,
        target: String,
        version: HTTPVersion = .http11,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        remoteAddress: String = ""
    ) {
        let parts = RequestTarget.split(target)
        self.method = method
        self.target = target
        self.path = parts.path
        self.query = parts.query
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The first value of the query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}

/// A response from a handler. The server adds `Content-Length`, `Date` and `Connection`
/// itself (replacing any the handler set), so that framing is always right.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
