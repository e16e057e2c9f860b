public import Postgres

/// The PostgresError a throwing call produced, or nil when it succeeded.
public func postgresError(_ body: () throws -> Void) -> PostgresError? {
    do {
        try body()
        return nil
    } catch let error as PostgresError {
        return error
    } catch {
        return PostgresError(code: .other, message: "not a PostgresError: \(error)")
    }
}
