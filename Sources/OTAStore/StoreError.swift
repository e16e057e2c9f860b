public import Postgres

/// Failures of the store, as the layers above need to tell them apart.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The row lock (or another lock) was not granted within lock_timeout: retry later.
    case busy
    /// The database is unreachable or the connection broke.
    case unavailable(String)
    /// The database refused the change (a constraint or trigger): a bug or bad data.
    case refused(constraint: String?, message: String)
    /// A row the caller relied on is not there.
    case notFound(String)
    /// Stored data could not be read back (schema drift or a bug).
    case corrupt(String)
    case other(String)

    public var description: String {
        switch self {
        case .busy: return "busy: lock not granted in time"
        case let .unavailable(m): return "database unavailable: \(m)"
        case let .refused(c, m): return "refused by the database (\(c ?? "-")): \(m)"
        case let .notFound(m): return "not found: \(m)"
        case let .corrupt(m): return "stored data unreadable: \(m)"
        case let .other(m): return m
        }
    }

    public init(_ error: PostgresError) {
        switch error.code {
        case .lockNotAvailable, .serializationFailure, .deadlockDetected: self = .busy
        case .connectionFailure: self = .unavailable(error.message)
        case .checkViolation, .uniqueViolation, .foreignKeyViolation, .notNullViolation, .raiseException, .exclusionViolation:
            self = .refused(constraint: error.constraint, message: error.message)
        case .decodeFailure: self = .corrupt(error.message)
        case .queryCanceled: self = .unavailable("statement timeout: \(error.message)")
        case .other: self = .other(error.description)
        }
    }
}

/// Runs `body`, mapping driver errors to StoreError.
@inline(__always) @discardableResult
func storeCall<T>(_ body: () throws -> T) throws(StoreError) -> T {
    do {
        return try body()
    } catch let e as StoreError {
        throw e
    } catch let e as PostgresError {
        throw StoreError(e)
    } catch {
        throw .other(String(describing: error))
    }
}
