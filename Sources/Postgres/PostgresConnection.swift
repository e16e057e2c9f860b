import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one PGconn. Not Sendable: it lives and dies on the thread that created it, so
/// libpq's per-connection state is never touched by two threads and needs no lock.
///
/// Blocking: every call waits for the server, bounded by the session timeouts of the
/// configuration (and TCP keepalives for a vanished peer). Keep it off Swift's
/// cooperative thread pool.
///
/// Reconnecting: a call on a connection that is known to be broken first reconnects once
/// (nothing was sent yet, so that is safe). Before sending, a call outside a transaction
/// also looks at the socket without blocking: a session the server ended while the
/// connection sat idle (a restart, pg_terminate_backend) has left its goodbye and EOF
/// there, and is replaced before anything is sent. A statement that fails because the
/// connection broke is never retried: it may have executed. Inside `transaction` there
/// is no reconnect at all, since the server already rolled the transaction back. A
/// session that listens for notifications is not replaced silently: the call reports the
/// loss (notifications may have been missed) and the next call reconnects.
public final class PostgresConnection {
    public let configuration: PostgresConfiguration
    let parameters: [(keyword: String, value: String)]
    var handle: OpaquePointer?
    /// Set when libpq reports the connection bad after an error; the next call reconnects.
    var needsReconnect = false
    var isClosed = false
    /// 0 outside `transaction`, 1 inside, more inside nested savepoints.
    var transactionDepth = 0
    var statements = PreparedStatements()
    /// LISTEN registrations are per session: re-issued after a reconnect.
    var listenedChannels: [String] = []

    /// Connects (bounded by `connectTimeoutSeconds`) with the session settings of the
    /// configuration: TimeZone=UTC, DateStyle=ISO, the timeouts, application_name.
    public init(_ configuration: PostgresConfiguration) throws(PostgresError) {
        self.configuration = configuration
        self.parameters = try configuration.connectionParameters()
        self.handle = try Self.connect(parameters)
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// libpq's view (PQstatus == CONNECTION_OK). A backend killed while idle is only
    /// noticed at the next call.
    public var isConnected: Bool {
        guard let handle, !needsReconnect else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// For example 150018 for 15.18; 0 when not connected.
    public var serverVersion: Int {
        guard let handle else { return 0 }
        return Int(PQserverVersion(handle))
    }

    /// The server process serving this session (pg_backend_pid()), for logs and
    /// pg_cancel_backend; 0 when not connected.
    public var backendPID: Int32 {
        guard let handle else { return 0 }
        return PQbackendPID(handle)
    }

    /// Reconnects with the same parameters (PQreset), forgets the prepared statements and
    /// re-issues LISTEN for the channels listened to. Not allowed inside `transaction`:
    /// the rest of the transaction's body would silently run outside it.
    public func reconnect() throws(PostgresError) {
        guard transactionDepth == 0 else {
            throw PostgresError(code: .other, message: "reconnect() inside a transaction")
        }
        isClosed = false
        _ = try reopen()
    }

    /// Ends the session. Later calls fail until `reconnect()`.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        isClosed = true
        needsReconnect = false
        statements.removeAll()
    }

    // MARK: - Internals shared by the other files

    /// The PGconn to use now: reconnects first when it is known to be broken, or, outside
    /// a transaction, found ended by the server while idle.
    func usableHandle() throws(PostgresError) -> OpaquePointer {
        guard !isClosed else { throw .connectionFailure("the connection was closed") }
        if let handle, !needsReconnect, PQstatus(handle) == CONNECTION_OK {
            // Inside a transaction a lost session must surface as an error anyway; the
            // statement finds out by itself.
            if transactionDepth > 0 || Self.sessionLooksAlive(handle) { return handle }
            needsReconnect = true
            guard listenedChannels.isEmpty else {
                throw .connectionFailure(
                    "the server ended the session (\(Self.errorMessage(handle))); notifications sent meanwhile may be lost")
            }
        }
        guard transactionDepth == 0 else {
            throw .connectionFailure("the connection was lost inside a transaction; the server rolled it back")
        }
        return try reopen()
    }

    private func reopen() throws(PostgresError) -> OpaquePointer {
        statements.removeAll()
        needsReconnect = true
        let connection: OpaquePointer
        if let handle {
            PQreset(handle)
            guard PQstatus(handle) == CONNECTION_OK else {
                throw .connectionFailure("reconnect failed: " + Self.errorMessage(handle))
            }
            connection = handle
        } else {
            connection = try Self.connect(parameters)
            handle = connection
        }
        needsReconnect = false
        for channel in listenedChannels {
            try simpleCommand("LISTEN " + Self.quoteIdentifier(channel), on: connection)
        }
        return connection
    }

    private static func connect(_ parameters: [(keyword: String, value: String)]) throws(PostgresError) -> OpaquePointer {
        for (keyword, value) in parameters where value.utf8.contains(0) {
            throw .connectionFailure("connection parameter \(keyword) contains a NUL byte")
        }
        // C copies that live until PQconnectdbParams returns; it keeps its own.
        let keywords = parameters.map { strdup($0.keyword) }
        let values = parameters.map { strdup($0.value) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordPointers = keywords.map { UnsafePointer($0) } + [nil]
        let valuePointers = values.map { UnsafePointer($0) } + [nil]
        guard let connection = PQconnectdbParams(keywordPointers, valuePointers, 0) else {
            throw .connectionFailure("libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = errorMessage(connection)
            PQfinish(connection)
            throw .connectionFailure(message)
        }
        // libpq prints server notices (NOTICE: table does not exist, skipping) on stderr by
        // default, which would break the one-JSON-line-per-event logs; drop them.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        return connection
    }

    static func errorMessage(_ connection: OpaquePointer) -> String {
        let message = PQerrorMessage(connection).map { String(cString: $0) }?.trimmingTrailingNewlines() ?? ""
        return message.isEmpty ? "connection failure" : message
    }

    /// Turns a failed result into a PostgresError; when the connection itself broke, marks
    /// it for reconnecting and reports a connection failure (the outcome of the statement
    /// is unknown).
    func failure(_ result: borrowing PGResult, on connection: OpaquePointer) -> PostgresError {
        var error = result.error(connectionMessage: Self.errorMessage(connection))
        noteConnectionState(connection, &error)
        return error
    }

    /// For calls that got no PGresult at all (could not send, out of memory).
    func failure(noResultOn connection: OpaquePointer) -> PostgresError {
        var error = PostgresError(code: .other, message: Self.errorMessage(connection))
        noteConnectionState(connection, &error)
        return error
    }

    private func noteConnectionState(_ connection: OpaquePointer, _ error: inout PostgresError) {
        if PQstatus(connection) != CONNECTION_OK {
            needsReconnect = true
            error.code = .connectionFailure
        }
    }

    /// Runs a statement and checks its result. `send` is the libpq call (PQexec,
    /// PQexecPrepared); these collect every result, so the connection is idle afterwards.
    func run(on connection: OpaquePointer, _ send: () -> OpaquePointer?) throws(PostgresError) -> PostgresRows {
        guard let pointer = send() else { throw failure(noResultOn: connection) }
        let result = PGResult(pointer)
        let status = result.status
        switch status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return result.rows()
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            abandonCopy(on: connection, status: status)
            throw PostgresError(code: .other, message: "COPY is not supported by this client")
        default:
            throw failure(result, on: connection)
        }
    }

    /// Simple-protocol statement without parameters (BEGIN, LISTEN, ...).
    func simpleCommand(_ sql: String, on connection: OpaquePointer) throws(PostgresError) {
        _ = try run(on: connection) { PQexec(connection, sql) }
    }

    /// A COPY leaves libpq in a copy state in which nothing else can be sent: end it (the
    /// server aborts a COPY FROM STDIN that the client ends with an error message) and
    /// read everything that is left.
    private func abandonCopy(on connection: OpaquePointer, status: ExecStatusType) {
        if status == PGRES_COPY_IN || status == PGRES_COPY_BOTH {
            _ = PQputCopyEnd(connection, "COPY is not supported by this client")
        }
        if status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
            var buffer: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(connection, &buffer, 0) > 0 {
                PQfreemem(buffer)
                buffer = nil
            }
        }
        while let pointer = PQgetResult(connection) { PQclear(pointer) }
        if PQstatus(connection) != CONNECTION_OK { needsReconnect = true }
    }

    /// A double-quoted SQL identifier: embedded quotes doubled, case kept.
    static func quoteIdentifier(_ name: String) -> String {
        var quoted = "\""
        for scalar in name.unicodeScalars {
            if scalar == "\"" { quoted.unicodeScalars.append("\"") }
            quoted.unicodeScalars.append(scalar)
        }
        quoted.unicodeScalars.append("\"")
        return quoted
    }

    static func rejectNUL(_ sql: String) throws(PostgresError) {
        guard !sql.utf8.contains(0) else {
            throw PostgresError(code: .other, message: "SQL text contains a NUL byte", sqlState: "22021")
        }
    }
}

/// Spelled out so that nobody adds it: a PGconn must stay on its thread.
@available(*, unavailable)
extension PostgresConnection: Sendable {}
