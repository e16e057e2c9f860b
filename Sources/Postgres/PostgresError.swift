/// An error from PostgreSQL, from libpq, or from turning a cell into a Swift value.
///
/// `code` is the small set of conditions callers branch on; `sqlState` keeps the full
/// five-character SQLSTATE for everything else (and for logs).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The connection could not be made or was lost (SQLSTATE class 08, 57P01-57P03, or
        /// libpq reporting a broken connection). A statement that was in flight may or may
        /// not have executed.
        case connectionFailure
        case serializationFailure  // 40001
        case deadlockDetected  // 40P01
        case lockNotAvailable  // 55P03, also what lock_timeout raises
        case queryCanceled  // 57014, also what statement_timeout raises
        case uniqueViolation  // 23505
        case checkViolation  // 23514
        case foreignKeyViolation  // 23503
        case notNullViolation  // 23502
        case exclusionViolation  // 23P01
        case raiseException  // P0001, RAISE EXCEPTION in PL/pgSQL
        /// A cell could not be turned into the requested Swift type (or was NULL).
        case decodeFailure
        case other
    }

    public var code: Code
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    /// The server function that raised the error (PG_DIAG_SOURCE_FUNCTION): tells
    /// conditions apart that share a SQLSTATE, independent of the message language.
    var sourceFunction: String?

    public init(
        code: Code, message: String, sqlState: String? = nil,
        detail: String? = nil, hint: String? = nil, constraint: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
    }

    /// Worth retrying the whole unit of work (a fresh transaction): the database, not the
    /// request, was the problem. A connection failure during COMMIT leaves the outcome
    /// unknown, so retried work must be idempotent.
    public var isTransient: Bool {
        switch code {
        case .serializationFailure, .deadlockDetected, .connectionFailure: true
        default: false
        }
    }

    /// For logs, never for clients: the detail can contain row values.
    public var description: String {
        var text = "PostgresError.\(code)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let constraint { text += " (constraint \(constraint))" }
        if let detail { text += " detail: \(detail)" }
        if let hint { text += " hint: \(hint)" }
        return text
    }

    static func decodeFailure(_ message: String) -> PostgresError {
        PostgresError(code: .decodeFailure, message: message)
    }

    static func connectionFailure(_ message: String, sqlState: String? = nil) -> PostgresError {
        PostgresError(code: .connectionFailure, message: message, sqlState: sqlState)
    }

    /// A decode failure that quotes the offending text, shortened so a large cell does not
    /// flood the log.
    static func cannotDecode(_ text: String, as type: Any.Type) -> PostgresError {
        let shown = text.count > 64 ? String(text.prefix(64)) + "…" : text
        return .decodeFailure("cannot decode \"\(shown)\" as \(type)")
    }
}

extension PostgresError.Code {
    /// Maps a SQLSTATE to the conditions callers handle specially.
    init(sqlState: String?) {
        guard let sqlState else {
            self = .other
            return
        }
        switch sqlState {
        case "40001": self = .serializationFailure
        case "40P01": self = .deadlockDetected
        case "55P03": self = .lockNotAvailable
        case "57014": self = .queryCanceled
        case "23505": self = .uniqueViolation
        case "23514": self = .checkViolation
        case "23503": self = .foreignKeyViolation
        case "23502": self = .notNullViolation
        case "23P01": self = .exclusionViolation
        case "P0001": self = .raiseException
        // admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now: the
        // session is gone, which callers treat like a dropped socket.
        case "57P01", "57P02", "57P03": self = .connectionFailure
        default: self = sqlState.hasPrefix("08") ? .connectionFailure : .other
        }
    }
}
