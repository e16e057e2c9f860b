import Foundation
import Glibc

public enum TestConnectionError: Error {
    case connectFailed(Int32)
    case sendFailed(Int32)
    case timedOut
    case closedByPeer
    case malformedResponse(String)
}

/// One TCP connection to a server under test on 127.0.0.1, blocking, with a receive
/// timeout: enough to speak HTTP/1.1 byte by byte, keep a connection alive, pipeline, or
/// send bytes no real client would.
public final class TestConnection {
    public let fd: Int32
    private var pending: [UInt8] = []

    public init(port: Int, receiveTimeout: Duration = .seconds(5)) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestConnectionError.connectFailed(errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw TestConnectionError.connectFailed(code)
        }
        setReceiveTimeout(receiveTimeout)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit {
        close(fd)
    }

    public func setReceiveTimeout(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw TestConnectionError.sendFailed(errno)
            }
            offset += sent
        }
    }

    /// Half-closes: the server sees end of input.
    public func finishSending() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// True when the server has sent something (or closed) that is not read yet, without
    /// waiting: lets a test ask "has it answered already?" instead of timing it.
    public func hasInputWaiting() -> Bool {
        if !pending.isEmpty { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 1
    }

    /// Reads more bytes into `pending`; throws on timeout or end of stream.
    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count > 0 {
                pending.append(contentsOf: chunk[0..<count])
                return
            }
            if count == 0 { throw TestConnectionError.closedByPeer }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw TestConnectionError.timedOut }
            throw TestConnectionError.closedByPeer  // ECONNRESET
        }
    }

    /// Reads one response. `bodyExpected: false` is for answers to HEAD.
    public func readResponse(bodyExpected: Bool = true) throws -> TestResponse {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = findHeadEnd()
            if headEnd == nil { try fill() }
        }
        let head = String(decoding: pending[0..<headEnd!], as: UTF8.self)
        pending.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw TestConnectionError.malformedResponse(head)
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw TestConnectionError.malformedResponse(head) }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = TestResponse(status: status, headers: headers, body: [])
        if status >= 200, bodyExpected, status != 204, status != 304 {
            guard let length = response.header("Content-Length").flatMap(Int.init) else {
                throw TestConnectionError.malformedResponse("no Content-Length: \(head)")
            }
            while pending.count < length { try fill() }
            response.body = Array(pending[0..<length])
            pending.removeFirst(length)
        }
        return response
    }

    private func findHeadEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for index in 0...(pending.count - 4)
        where pending[index] == 13 && pending[index + 1] == 10 && pending[index + 2] == 13 && pending[index + 3] == 10 {
            return index
        }
        return nil
    }

    /// True when the server closes the connection (EOF or reset) within the receive
    /// timeout without sending anything more.
    public func waitForClose() -> Bool {
        guard pending.isEmpty else { return false }
        do {
            try fill()
            return false
        } catch TestConnectionError.closedByPeer {
            return true
        } catch {
            return false
        }
    }

    /// Reads until the server closes (or the receive timeout passes), returning everything
    /// received.
    public func readUntilClosed() -> [UInt8] {
        while true {
            do {
                try fill()
            } catch {
                return pending
            }
        }
    }
}
