import CLibPQ

extension PostgresConnection {
    /// Runs one statement with text parameters and text results.
    ///
    /// Each distinct SQL text is prepared once per connection under a generated name and
    /// then executed with PQexecPrepared, so the server parses and plans it once. When the
    /// server no longer has the statement (26000, e.g. after DISCARD ALL) or its result
    /// type changed (0A000 "cached plan must not change result type", e.g. after ALTER
    /// TABLE), it is prepared again and run once more; neither error executes anything.
    /// Inside a transaction the error has already aborted the transaction, so then the
    /// statement is only forgotten (prepared afresh next time) and the error thrown.
    @discardableResult
    public func query(_ query: PostgresQuery) throws(PostgresError) -> PostgresRows {
        try Self.rejectNUL(query.sql)
        let parameters = try ParameterBuffer(query.binds)
        let connection = try usableHandle()
        if let name = statements.name(for: query.sql) {
            do throws(PostgresError) {
                return try executePrepared(name, parameters, on: connection)
            } catch {
                guard Self.isStalePreparedStatement(error) else { throw error }
                statements.remove(sql: query.sql)
                guard PQstatus(connection) == CONNECTION_OK, PQtransactionStatus(connection) == PQTRANS_IDLE else {
                    throw error
                }
                if error.sqlState == "0A000" {
                    // The old plan still exists on the server; free it.
                    try? simpleCommand("DEALLOCATE " + Self.quoteIdentifier(name), on: connection)
                }
            }
        }
        let name = try prepare(query.sql, on: connection)
        return try executePrepared(name, parameters, on: connection)
    }

    /// Runs SQL text with the simple-query protocol: several statements separated by
    /// semicolons (a migration file), no parameters. Unless the script has its own
    /// BEGIN/COMMIT, the server runs it as one implicit transaction, so a failing statement
    /// undoes the earlier ones. Never pass text that contains input.
    public func execute(unescaped script: String) throws(PostgresError) {
        try Self.rejectNUL(script)
        let connection = try usableHandle()
        _ = try run(on: connection) { PQexec(connection, script) }
    }

    private func prepare(_ sql: String, on connection: OpaquePointer) throws(PostgresError) -> String {
        let name = statements.nextName()
        // nParams 0 and no types: the server infers the parameters from the statement.
        guard let pointer = PQprepare(connection, name, sql, 0, nil) else {
            throw failure(noResultOn: connection)
        }
        let result = PGResult(pointer)
        guard result.status == PGRES_COMMAND_OK else { throw failure(result, on: connection) }
        if let evicted = statements.insert(sql: sql, name: name),
            PQtransactionStatus(connection) != PQTRANS_INERROR
        {
            // Best effort: a leftover statement only costs server memory until disconnect.
            try? simpleCommand("DEALLOCATE " + Self.quoteIdentifier(evicted), on: connection)
        }
        return name
    }

    private func executePrepared(
        _ name: String, _ parameters: ParameterBuffer, on connection: OpaquePointer
    ) throws(PostgresError) -> PostgresRows {
        try run(on: connection) {
            parameters.withPointers { values in
                PQexecPrepared(connection, name, parameters.count, values, nil, nil, 0)
            }
        }
    }

    private static func isStalePreparedStatement(_ error: PostgresError) -> Bool {
        switch error.sqlState {
        case "26000":
            return true
        case "0A000":
            // 0A000 is feature_not_supported in general; only the plan-cache check is stale.
            return error.sourceFunction == "RevalidateCachedQuery"
                || error.message.contains("cached plan must not change result type")
        default:
            return false
        }
    }
}
