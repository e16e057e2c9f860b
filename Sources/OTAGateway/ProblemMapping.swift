import OTALog
import OTADomain
import OTAStore
import Postgres
import JSON

/// The one place where errors become problem details. Handlers and pipeline steps throw
/// whatever they meet (APIError, FieldError, StoreError, PostgresError, anything); this
/// maps it and logs the cause of every 5xx once, with the request id. A lock not granted
/// in time (503 inventory_busy) is expected under load: a warning, not an error.
enum ProblemMapping {
    /// Maps and, for a 5xx, logs the cause. Call it once per request.
    static func problem(for error: any Error, requestId: String, operation: String) -> APIError {
        let (problem, cause) = map(error, requestId: requestId)
        if problem.status >= 500 {
            let busy = problem.type == .inventoryBusy
            Log.event(busy ? "request.busy" : "request.failed", [
                ("request_id", .string(requestId)), ("operation", .string(operation)), ("status", .int(problem.status)),
                ("code", .string(problem.code)), ("cause", .string(cause ?? problem.detail)),
            ], level: busy ? "warn" : "error")
        }
        return problem
    }

    /// The problem an error stands for, and its cause for the log; nothing logged.
    static func map(_ error: any Error, requestId: String) -> (APIError, cause: String?) {
        switch error {
        case let e as APIError: return (e, nil)
        case let e as FieldError: return (.field(e), nil)
        case let e as StoreError: return store(e, requestId: requestId)
        case let e as PostgresError: return store(StoreError(e), requestId: requestId)
        default: return (.internalError(requestId: requestId), String(describing: error))
        }
    }

    static func store(_ e: StoreError, requestId: String) -> (APIError, cause: String?) {
        switch e {
        case .busy: return (.busy, e.description)
        case .unavailable: return (.databaseUnavailable, e.description)
        default: return (.internalError(requestId: requestId), e.description)
        }
    }
}
