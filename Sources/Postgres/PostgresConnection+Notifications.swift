import CLibPQ
import Posix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A NOTIFY received on a channel this connection listens to.
public struct PostgresNotification: Sendable {
    public var channel: String
    public var payload: String
    /// The backend process that sent it.
    public var pid: Int32

    public init(channel: String, payload: String, pid: Int32) {
        self.channel = channel
        self.payload = payload
        self.pid = pid
    }
}

extension PostgresConnection {
    /// LISTEN on `channel`, quoted as an identifier: any text works and case is kept, so
    /// senders should use `pg_notify('channel', ...)` (an unquoted `NOTIFY Channel` folds
    /// to lower case). Re-issued automatically after a reconnect, but notifications sent
    /// while disconnected are lost: after a reconnect, look for missed work.
    public func listen(_ channel: String) throws(PostgresError) {
        let connection = try usableHandle()
        try simpleCommand("LISTEN " + Self.quoteIdentifier(channel), on: connection)
        if !listenedChannels.contains(channel) { listenedChannels.append(channel) }
    }

    public func unlisten(_ channel: String) throws(PostgresError) {
        let connection = try usableHandle()
        try simpleCommand("UNLISTEN " + Self.quoteIdentifier(channel), on: connection)
        listenedChannels.removeAll { $0 == channel }
    }

    /// Returns the notifications that arrived, waiting up to `timeout` for the first one;
    /// [] on timeout. Notifications that arrived during earlier queries are returned at
    /// once. Throws a connection failure when the connection breaks while waiting.
    public func waitForNotifications(timeout: Duration) throws(PostgresError) -> [PostgresNotification] {
        let connection = try usableHandle()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            guard PQconsumeInput(connection) == 1 else { throw lostWhileWaiting(connection) }
            let notifications = Self.takeNotifications(connection)
            if !notifications.isEmpty { return notifications }

            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { return [] }
            let socket = PQsocket(connection)
            guard socket >= 0 else { throw lostWhileWaiting(connection) }
            var descriptors = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
            if Syscall.poll(&descriptors, timeout: remaining) < 0 {
                throw PostgresError(code: .other, message: "poll failed with errno \(errno)")
            }
            // Readable or timed out: consume and look again; the deadline decides when to
            // stop. Readable without a notification (a NOTICE, a parameter
            // status) just loops.
        }
    }

    private static func takeNotifications(_ connection: OpaquePointer) -> [PostgresNotification] {
        var notifications: [PostgresNotification] = []
        while let notify = PQnotifies(connection) {
            notifications.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                    pid: notify.pointee.be_pid))
            PQfreemem(notify)
        }
        return notifications
    }

    private func lostWhileWaiting(_ connection: OpaquePointer) -> PostgresError {
        let message = Self.errorMessage(connection)
        if PQstatus(connection) != CONNECTION_OK { needsReconnect = true }
        return .connectionFailure(message)
    }
}
