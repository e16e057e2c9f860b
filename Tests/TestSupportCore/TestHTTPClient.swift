import Foundation

/// One request per connection (`Connection: close`) to a server on 127.0.0.1, as a
/// partner's client would send it, malformed bytes included. For keep-alive, pipelining or
/// byte-by-byte sending use a `TestConnection`.
public struct TestHTTPClient: Sendable {
    public var port: Int

    public init(port: Int) { self.port = port }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: String? = nil) throws -> TestResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        let payload = Array((body ?? "").utf8)
        if body != nil { head += "Content-Length: \(payload.count)\r\n" }
        head += "\r\n"
        return try raw(Array(head.utf8) + payload)
    }

    /// Sends bytes as they are and reads the first response until the server closes.
    public func raw(_ bytes: [UInt8], timeoutSeconds: Int = 30) throws -> TestResponse {
        let all = try exchange(bytes, timeoutSeconds: timeoutSeconds)
        guard let r = Self.parse(all) else { throw Failure(description: "unparseable response: \(String(decoding: all.prefix(300), as: UTF8.self))") }
        return r
    }

    /// Sends bytes and returns everything received until the server closes. A send the
    /// server cuts short is not an error: what it answered is the point.
    public func exchange(_ bytes: [UInt8], timeoutSeconds: Int = 30) throws -> [UInt8] {
        let connection = try TestConnection(port: port, receiveTimeout: .seconds(timeoutSeconds))
        try? connection.send(bytes)
        return connection.readUntilClosed()
    }

    /// The first response in `data`, leniently: a body without Content-Length runs to the end.
    static func parse(_ data: [UInt8]) -> TestResponse? {
        guard let end = data.firstRange(of: [13, 10, 13, 10]) else { return nil }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in head.dropFirst() {
            guard let c = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<c]), line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(data[end.upperBound...])
        if let cl = headers.first(where: { $0.name.lowercased() == "content-length" }).flatMap({ Int($0.value) }), body.count > cl {
            body = Array(body.prefix(cl))
        }
        return TestResponse(status: status, headers: headers, body: body)
    }
}
