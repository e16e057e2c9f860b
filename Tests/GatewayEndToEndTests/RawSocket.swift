import Foundation
import Glibc

/// A non-blocking client socket on 127.0.0.1 for the hostile-client tests. Every call does
/// one bounded thing (one send, one receive, one poll), so one thread can drive hundreds
/// of attacking connections and never hangs on a server that stopped reading.
final class RawSocket {
    let fd: Int32
    private var isClosed = false

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    enum Received: Equatable {
        /// This many bytes were appended to the buffer.
        case bytes(Int)
        case wouldBlock
        /// Orderly end of stream.
        case closed
        /// ECONNRESET or another error: the peer is gone.
        case reset
    }

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit { close() }

    /// Connects within `timeoutMilliseconds`. `receiveBuffer` sets SO_RCVBUF before the
    /// handshake, so a client that never reads advertises a small window.
    static func connect(port: Int, receiveBuffer: Int? = nil, timeoutMilliseconds: Int32 = 5_000) throws -> RawSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        let s = RawSocket(fd: fd)  // closes fd on every failure below
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        if let receiveBuffer {
            var size = Int32(receiveBuffer)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            guard errno == EINPROGRESS else { throw Failure(description: "connect to \(port) failed: errno \(errno)") }
            guard s.wait(for: Int16(POLLOUT), milliseconds: timeoutMilliseconds) & Int16(POLLOUT) != 0 else {
                throw Failure(description: "connect to \(port) timed out")
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { throw Failure(description: "connect to \(port) failed: errno \(error)") }
        }
        return s
    }

    /// Sends what the socket takes now: the count sent (0 when its buffer is full), nil
    /// once the peer is gone.
    func sendSome(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return 0 }
        let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n >= 0 { return n }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : nil
    }

    /// Sends all of `bytes` unless `deadline` passes first; returns whether it did.
    func sendAll(_ bytes: [UInt8], deadline: ContinuousClock.Instant) -> Bool {
        var offset = 0
        while offset < bytes.count, ContinuousClock.now < deadline {
            guard let n = sendSome(bytes[offset...]) else { return false }
            offset += n
            if n == 0 { _ = wait(for: Int16(POLLOUT), milliseconds: 50) }
        }
        return offset == bytes.count
    }

    /// One non-blocking receive of up to `limit` bytes, appended to `buffer`.
    func receiveSome(into buffer: inout [UInt8], limit: Int = 64 * 1024) -> Received {
        var chunk = [UInt8](repeating: 0, count: limit)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            buffer.append(contentsOf: chunk[0..<n])
            return .bytes(n)
        }
        if n == 0 { return .closed }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .wouldBlock : .reset
    }

    /// poll(2) on this socket alone: the events that happened (0 on timeout).
    func wait(for events: Int16, milliseconds: Int32) -> Int16 {
        var p = pollfd(fd: fd, events: events, revents: 0)
        return poll(&p, 1, milliseconds) > 0 ? p.revents : 0
    }

    /// The client's own port, to find this connection in /proc/net/tcp.
    var localPort: Int {
        var addr = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }
}

/// Splits a byte stream into HTTP/1.1 responses framed by Content-Length (as the gateway
/// frames every response), for clients that read many pipelined answers at once.
struct ResponseStream {
    struct Response {
        var status: Int
        var requestID: String?
        var connectionClose: Bool
        /// Head and body.
        var byteCount: Int
    }

    private var buffer: [UInt8] = []
    private var start = 0
    /// Set when the stream is not HTTP: nothing after it can be framed.
    private(set) var malformed = false

    mutating func append(_ bytes: [UInt8]) {
        if start > 0, start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete response, if its last byte has arrived.
    mutating func next() -> Response? {
        guard !malformed, let end = buffer[start...].firstRange(of: [13, 10, 13, 10]) else { return nil }
        let lines = String(decoding: buffer[start..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            malformed = true
            return nil
        }
        var length = 0
        var requestID: String?
        var close = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-length": length = Int(value) ?? 0
            case "x-request-id": requestID = value
            case "connection": close = value.lowercased() == "close"
            default: break
            }
        }
        let total = end.upperBound - start + length
        guard buffer.count - start >= total else { return nil }
        start += total
        return Response(status: status, requestID: requestID, connectionClose: close, byteCount: total)
    }
}

/// A fresh, well-behaved client's GET: its status (nil for silence or a reset) and how
/// long the whole answer took, connect included.
struct Probe: Sendable {
    var status: Int?
    var milliseconds: Double
    var failure: String?

    static func get(port: Int, path: String = "/livez", timeout: Duration = .seconds(5)) -> Probe {
        let clock = ContinuousClock()
        let began = clock.now
        let deadline = began + timeout
        func result(_ status: Int?, _ failure: String? = nil) -> Probe {
            Probe(status: status, milliseconds: (clock.now - began).inMilliseconds, failure: failure)
        }
        let s: RawSocket
        do {
            s = try RawSocket.connect(port: port, timeoutMilliseconds: timeout.pollMilliseconds)
        } catch {
            return result(nil, "\(error)")
        }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard s.sendAll(request, deadline: deadline) else { return result(nil, "could not send") }
        let (status, failure) = s.readResponse(until: deadline)
        let probe = result(status, failure)
        // The gateway closes first after `Connection: close`; closing before its FIN came
        // would leave this side in TIME_WAIT on an ephemeral port, hundreds per run, and
        // a port in TIME_WAIT cannot be bound by the next test run's PostgreSQL.
        if status != nil { s.awaitEndOfStream(until: clock.now + .seconds(1)) }
        return probe
    }
}

extension RawSocket {
    /// Reads and drops whatever comes until the peer closes (or the deadline passes).
    func awaitEndOfStream(until deadline: ContinuousClock.Instant) {
        var bytes: [UInt8] = []
        while ContinuousClock.now < deadline {
            _ = wait(for: Int16(POLLIN), milliseconds: (deadline - ContinuousClock.now).pollMilliseconds)
            bytes.removeAll(keepingCapacity: true)
            switch receiveSome(into: &bytes) {
            case .bytes, .wouldBlock: continue
            case .closed, .reset: return
            }
        }
    }

    /// Waits for one complete response: its status, or why there was none.
    func readResponse(until deadline: ContinuousClock.Instant) -> (status: Int?, failure: String?) {
        var stream = ResponseStream()
        var bytes: [UInt8] = []
        while ContinuousClock.now < deadline {
            _ = wait(for: Int16(POLLIN), milliseconds: (deadline - ContinuousClock.now).pollMilliseconds)
            bytes.removeAll(keepingCapacity: true)
            switch receiveSome(into: &bytes) {
            case .bytes:
                stream.append(bytes)
                if let response = stream.next() { return (response.status, nil) }
            case .wouldBlock:
                continue
            case .closed:
                return (nil, "closed without a complete response")
            case .reset:
                return (nil, "reset")
            }
        }
        return (nil, "no answer in time")
    }
}

extension Duration {
    /// Whole milliseconds (at least 1 for a positive duration), for poll(2).
    var pollMilliseconds: Int32 {
        guard self > .zero else { return 0 }
        let c = components
        return max(1, Int32(clamping: c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000))
    }

    /// Fractional milliseconds, for reports.
    var inMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
