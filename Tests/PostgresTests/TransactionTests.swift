import Postgres
import Testing
import TestSupport

struct BusinessRuleBroken: Error, Equatable {
    var reason: String
}

@Suite struct TransactionTests {
    let database: TestDatabase
    let connection: PostgresConnection

    init() throws {
        database = try TestDatabase(template: nil)
        connection = try database.connect()
        try connection.execute(unescaped: "CREATE TABLE ledger (id serial PRIMARY KEY, note text NOT NULL)")
    }

    private func notes() throws -> [String] {
        try connection.query("SELECT note FROM ledger ORDER BY id").map { try $0.decode("note", as: String.self) }
    }

    @Test func commitKeepsTheWorkAndReturnsTheBodysValue() throws {
        let id = try connection.transaction {
            try connection.query("INSERT INTO ledger (note) VALUES (\("kept")) RETURNING id").first?.decode("id", as: Int.self)
        }
        #expect(id == 1)
        // Visible from another session, so it was committed.
        let other = try database.connect()
        #expect(try other.query("SELECT count(*) AS n FROM ledger").first?.decode("n", as: Int.self) == 1)
    }

    @Test func thrownErrorRollsBackAndIsRethrownUnchanged() throws {
        #expect(throws: BusinessRuleBroken(reason: "no")) {
            try connection.transaction {
                try connection.query("INSERT INTO ledger (note) VALUES (\("undone"))")
                throw BusinessRuleBroken(reason: "no")
            }
        }
        #expect(try notes().isEmpty)
        // The connection is back outside any transaction and usable.
        try connection.query("INSERT INTO ledger (note) VALUES (\("after"))")
        #expect(try notes() == ["after"])
    }

    @Test func databaseErrorInsideRollsBack() throws {
        let error = postgresError {
            try connection.transaction {
                try connection.query("INSERT INTO ledger (note) VALUES (\("first"))")
                try connection.query("INSERT INTO ledger (note) VALUES (\(String?.none))")
            }
        }
        #expect(error?.code == .notNullViolation)
        #expect(try notes().isEmpty)
    }

    @Test func nestedTransactionsUseSavepoints() throws {
        try connection.transaction {
            try connection.query("INSERT INTO ledger (note) VALUES (\("outer"))")
            do {
                try connection.transaction {
                    try connection.query("INSERT INTO ledger (note) VALUES (\("inner, undone"))")
                    throw BusinessRuleBroken(reason: "inner")
                }
                Issue.record("the inner transaction should have thrown")
            } catch let error as BusinessRuleBroken {
                #expect(error.reason == "inner")
            }
            // A database error inside the savepoint leaves the outer transaction usable.
            let inner = postgresError {
                _ = try connection.transaction {
                    try connection.query("INSERT INTO ledger (note) VALUES (\(String?.none))")
                }
            }
            #expect(inner?.code == .notNullViolation)
            try connection.transaction {
                try connection.query("INSERT INTO ledger (note) VALUES (\("inner, kept"))")
            }
            let nestedIsolation = postgresError { try connection.transaction(isolation: .serializable) {} }
            #expect(nestedIsolation?.code == .other)
        }
        #expect(try notes() == ["outer", "inner, kept"])
    }

    @Test func swallowedDatabaseErrorDoesNotReportSuccess() throws {
        let error = postgresError {
            try connection.transaction {
                try connection.query("INSERT INTO ledger (note) VALUES (\("lost"))")
                _ = try? connection.query("SELECT 1/0")
            }
        }
        #expect(error?.sqlState == "25P02")
        #expect(try notes().isEmpty)
    }

    @Test func isolationLevelIsApplied() throws {
        let level = try connection.transaction(isolation: .serializable) {
            try connection.query("SHOW transaction_isolation").first?["transaction_isolation"]
        }
        #expect(level == "serializable")
        let repeatable = try connection.transaction(isolation: .repeatableRead) {
            try connection.query("SHOW transaction_isolation").first?["transaction_isolation"]
        }
        #expect(repeatable == "repeatable read")
    }

    @Test func closingInsideTheBodyIsReportedNotCommitted() throws {
        let error = postgresError {
            try connection.transaction {
                try connection.query("INSERT INTO ledger (note) VALUES (\("never committed"))")
                connection.close()
            }
        }
        #expect(error?.code == .connectionFailure)
        try connection.reconnect()
        #expect(try notes().isEmpty)
    }
}
