import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A response as the test client read it.
public struct TestResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first(where: { $0.0.lowercased() == name.lowercased() })?.1
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed with Foundation, for assertions.
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}

/// A deliberately small blocking HTTP/1.1 client over a real socket, so black-box tests
/// speak to the gateway exactly as a partner's client would, malformed bytes included.
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

    public func exchange(_ bytes: [UInt8], timeoutSeconds: Int = 30) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw Failure(description: "connect to port \(port) failed: errno \(errno)") }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { break }
            sent += n
        }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    static func parse(_ data: [UInt8]) -> TestResponse? {
        guard let end = data.firstRange(of: [13, 10, 13, 10]) else { return nil }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [(String, String)] = []
        for line in head.dropFirst() {
            guard let c = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<c]), line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(data[end.upperBound...])
        if let cl = headers.first(where: { $0.0.lowercased() == "content-length" }).flatMap({ Int($0.1) }), body.count > cl {
            body = Array(body.prefix(cl))
        }
        return TestResponse(status: status, headers: headers, body: body)
    }
}
