import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PostgresConnection {
    /// Whether an idle session is still there, judged without blocking: between
    /// statements the server sends nothing unprompted except notifications, notices,
    /// parameter changes and, when it ends the session, an error and EOF. So a socket
    /// with nothing to read is alive as far as anyone can tell (one poll, no round trip),
    /// and a readable one is read to see whether it ended.
    static func sessionLooksAlive(_ connection: OpaquePointer) -> Bool {
        let socket = PQsocket(connection)
        guard socket >= 0 else { return false }
        // The goodbye and the EOF can take two reads; a few rounds are plenty (a flood of
        // notifications would keep the socket readable forever, hence the bound).
        for _ in 0..<4 {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 0)
            // Nothing to read, or poll itself failed (EINTR): let the statement find out.
            guard ready > 0 else { return true }
            // ERR/HUP without data: PQconsumeInput below sees the reset or EOF as well.
            guard PQconsumeInput(connection) == 1 else { return false }
            guard PQstatus(connection) == CONNECTION_OK else { return false }
        }
        return PQstatus(connection) == CONNECTION_OK
    }
}
