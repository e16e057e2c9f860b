import CLibPQ

/// The isolation level of a transaction; nil in `transaction(isolation:)` means the
/// server default (READ COMMITTED unless configured otherwise).
public enum PostgresIsolationLevel: Sendable {
    case readCommitted, repeatableRead, serializable

    var sql: String {
        switch self {
        case .readCommitted: "READ COMMITTED"
        case .repeatableRead: "REPEATABLE READ"
        case .serializable: "SERIALIZABLE"
        }
    }
}

extension PostgresConnection {
    /// BEGIN, `body`, COMMIT. Any error thrown by `body` rolls back and is rethrown as
    /// is; an error from BEGIN or COMMIT is thrown as a PostgresError (a serialization
    /// failure often appears at COMMIT).
    ///
    /// Nested calls on the same connection use SAVEPOINTs: an error thrown by the inner
    /// body rolls back only the inner work; if the outer body catches it, the outer
    /// transaction goes on. `isolation` is only allowed on the outermost call.
    ///
    /// If `body` catches a database error and returns normally, the transaction is aborted
    /// on the server and COMMIT would quietly roll back: this is detected, rolled back,
    /// and thrown instead of reporting success.
    ///
    /// The connection is never re-established inside: after a lost connection the rest of
    /// the body would run outside any transaction. Calls fail until the transaction ends.
    @discardableResult
    public func transaction<T>(
        isolation: PostgresIsolationLevel? = nil, _ body: () throws -> T
    ) throws -> T {
        if transactionDepth > 0 {
            guard isolation == nil else {
                throw PostgresError(code: .other, message: "isolation level set on a nested transaction")
            }
            return try savepoint(body)
        }
        let connection = try usableHandle()
        try simpleCommand(isolation.map { "BEGIN ISOLATION LEVEL \($0.sql)" } ?? "BEGIN", on: connection)
        transactionDepth = 1
        defer { transactionDepth = 0 }

        let value: T
        do {
            value = try body()
        } catch {
            rollbackQuietly("ROLLBACK")
            throw error
        }
        let current = try handleAfterBody()
        if PQtransactionStatus(current) == PQTRANS_INERROR {
            rollbackQuietly("ROLLBACK")
            throw Self.swallowedError
        }
        do throws(PostgresError) {
            try simpleCommand("COMMIT", on: current)
        } catch {
            // A failed COMMIT ends the transaction on the server; only a broken protocol
            // state could leave it open.
            if PQstatus(current) == CONNECTION_OK, PQtransactionStatus(current) != PQTRANS_IDLE {
                rollbackQuietly("ROLLBACK")
            }
            throw error
        }
        return value
    }

    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        let connection = try usableHandle()
        let name = "sp_\(transactionDepth)"
        try simpleCommand("SAVEPOINT \(name)", on: connection)
        transactionDepth += 1
        defer { transactionDepth -= 1 }

        let value: T
        do {
            value = try body()
        } catch {
            rollbackQuietly("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)")
            throw error
        }
        let current = try handleAfterBody()
        if PQtransactionStatus(current) == PQTRANS_INERROR {
            rollbackQuietly("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)")
            throw Self.swallowedError
        }
        try simpleCommand("RELEASE SAVEPOINT \(name)", on: current)
        return value
    }

    private static var swallowedError: PostgresError {
        PostgresError(
            code: .other,
            message: "the transaction body caught a database error and returned normally; the transaction was rolled back",
            sqlState: "25P02")
    }

    /// The connection once the body has run: the body may have called close(), which
    /// frees the PGconn, so the pointer from before the body must not be reused.
    private func handleAfterBody() throws(PostgresError) -> OpaquePointer {
        guard let handle, !isClosed else {
            throw .connectionFailure("the connection was closed inside a transaction")
        }
        return handle
    }

    /// Rolls back unless the connection is gone (then the server has rolled back already).
    /// Its own failure is not reported: the caller is already throwing the error that
    /// matters.
    private func rollbackQuietly(_ sql: String) {
        guard let handle, !isClosed else { return }
        guard PQstatus(handle) == CONNECTION_OK else {
            needsReconnect = true
            return
        }
        try? simpleCommand(sql, on: handle)
    }
}
