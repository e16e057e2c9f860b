import Dispatch
import Foundation
import Postgres
import Testing
import TestSupport

/// SQLSTATEs arrive as typed codes, with the server's details.
@Suite struct ErrorTests {
    let database: TestDatabase
    init() throws { database = try TestDatabase(template: nil) }

    private func makeSchema(_ connection: PostgresConnection) throws {
        try connection.execute(unescaped: """
            CREATE TABLE partners (id int PRIMARY KEY, email text NOT NULL CONSTRAINT partners_email_key UNIQUE);
            CREATE TABLE pools (
              id int PRIMARY KEY,
              partner_id int REFERENCES partners (id),
              allocated int NOT NULL,
              reserved int NOT NULL DEFAULT 0,
              CONSTRAINT pools_not_oversold CHECK (reserved <= allocated)
            );
            CREATE TABLE bookings (during tstzrange NOT NULL,
              CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&));
            INSERT INTO partners VALUES (1, 'a@example.com');
            INSERT INTO pools VALUES (1, 1, 10, 0);
            """)
    }

    @Test func constraintViolations() throws {
        let connection = try database.connect()
        try makeSchema(connection)

        let unique = postgresError { try connection.query("INSERT INTO partners VALUES (\(2), \("a@example.com"))") }
        #expect(unique?.code == .uniqueViolation)
        #expect(unique?.sqlState == "23505")
        #expect(unique?.constraint == "partners_email_key")
        #expect(unique?.detail?.contains("a@example.com") == true)
        #expect(unique?.isTransient == false)

        let check = postgresError { try connection.query("UPDATE pools SET reserved = allocated + \(1)") }
        #expect(check?.code == .checkViolation)
        #expect(check?.constraint == "pools_not_oversold")

        let foreignKey = postgresError { try connection.query("INSERT INTO pools (id, partner_id, allocated) VALUES (2, \(999), 1)") }
        #expect(foreignKey?.code == .foreignKeyViolation)
        #expect(foreignKey?.sqlState == "23503")

        let notNull = postgresError { try connection.query("INSERT INTO partners VALUES (\(3), \(String?.none))") }
        #expect(notNull?.code == .notNullViolation)

        try connection.query("INSERT INTO bookings VALUES (tstzrange('2025-01-01', '2025-01-05'))")
        let exclusion = postgresError { try connection.query("INSERT INTO bookings VALUES (tstzrange('2025-01-03', '2025-01-04'))") }
        #expect(exclusion?.code == .exclusionViolation)
        #expect(exclusion?.constraint == "bookings_no_overlap")

        // The connection is fine after all of these.
        #expect(connection.isConnected)
        #expect(try connection.query("SELECT count(*) AS n FROM partners").first?.decode("n", as: Int.self) == 1)
    }

    @Test func raisedExceptionsAndSyntaxErrors() throws {
        let connection = try database.connect()
        let raised = postgresError {
            try connection.execute(unescaped: """
                DO $$ BEGIN RAISE EXCEPTION 'sold out' USING DETAIL = 'pool 7', HINT = 'try later'; END $$
                """)
        }
        #expect(raised?.code == .raiseException)
        #expect(raised?.message == "sold out")
        #expect(raised?.detail == "pool 7")
        #expect(raised?.hint == "try later")

        let syntax = postgresError { try connection.query("SELEKT 1") }
        #expect(syntax?.code == .other)
        #expect(syntax?.sqlState == "42601")
        #expect(syntax?.description.contains("42601") == true)
    }

    @Test func serializationFailureBetweenTwoSerializableTransactions() throws {
        let first = try database.connect()
        let second = try database.connect()
        try first.execute(unescaped: "CREATE TABLE doctors (name text PRIMARY KEY, on_call bool NOT NULL); INSERT INTO doctors VALUES ('alice', true), ('bob', true)")
        // Write skew: each takes a doctor off call after seeing two on call.
        let error = postgresError {
            try first.transaction(isolation: .serializable) {
                _ = try first.query("SELECT count(*) FROM doctors WHERE on_call")
                try second.transaction(isolation: .serializable) {
                    _ = try second.query("SELECT count(*) FROM doctors WHERE on_call")
                    try second.query("UPDATE doctors SET on_call = false WHERE name = \("bob")")
                }
                try first.query("UPDATE doctors SET on_call = false WHERE name = \("alice")")
            }
        }
        #expect(error?.code == .serializationFailure)
        #expect(error?.sqlState == "40001")
        #expect(error?.isTransient == true)
        #expect(try first.query("SELECT count(*) AS n FROM doctors WHERE on_call").first?.decode("n", as: Int.self) == 1)
    }

    @Test func deadlockBetweenTwoThreads() throws {
        let setup = try database.connect()
        try setup.execute(unescaped: "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL); INSERT INTO accounts VALUES (1, 0), (2, 0)")
        let firstLocked = DispatchSemaphore(value: 0)
        let secondLocked = DispatchSemaphore(value: 0)
        let configuration = database.configuration()

        let other = BackgroundThread { () throws -> PostgresError.Code? in
            let connection = try PostgresConnection(configuration)
            try connection.execute(unescaped: "SET deadlock_timeout = '100ms'")
            return postgresError {
                try connection.transaction {
                    try connection.query("UPDATE accounts SET balance = balance + 1 WHERE id = 1")
                    firstLocked.signal()
                    try secondLocked.waitOrFail()
                    try connection.query("UPDATE accounts SET balance = balance + 1 WHERE id = 2")
                }
            }?.code
        }
        let connection = try database.connect()
        try connection.execute(unescaped: "SET deadlock_timeout = '100ms'")
        let here = postgresError {
            try connection.transaction {
                try connection.query("UPDATE accounts SET balance = balance - 1 WHERE id = 2")
                secondLocked.signal()
                try firstLocked.waitOrFail()
                try connection.query("UPDATE accounts SET balance = balance - 1 WHERE id = 1")
            }
        }?.code
        let there = try other.join()
        // Exactly one is chosen as the victim; the other then goes through.
        let codes = [here, there]
        #expect(codes.filter { $0 == .deadlockDetected }.count == 1, "\(codes)")
        #expect(codes.filter { $0 == nil }.count == 1, "\(codes)")
    }

    @Test func lockTimeoutBoundsForUpdate() throws {
        let holder = try database.connect()
        try holder.execute(unescaped: "CREATE TABLE pool (id int PRIMARY KEY, reserved int NOT NULL); INSERT INTO pool VALUES (1, 0)")
        let waiter = try database.connect { $0.lockTimeout = .milliseconds(200) }
        try holder.transaction {
            try holder.query("SELECT * FROM pool WHERE id = \(1) FOR UPDATE")
            let started = ContinuousClock.now
            let error = postgresError { try waiter.query("SELECT * FROM pool WHERE id = \(1) FOR UPDATE") }
            let waited = ContinuousClock.now - started
            #expect(error?.code == .lockNotAvailable)
            #expect(error?.sqlState == "55P03")
            #expect(waited >= .milliseconds(180) && waited < .seconds(3), "\(waited)")
        }
        // Once the lock is released the waiter gets it.
        #expect(try waiter.query("SELECT * FROM pool WHERE id = \(1) FOR UPDATE NOWAIT").count == 1)
    }

    @Test func statementTimeoutCancelsSlowQueries() throws {
        let connection = try database.connect { $0.statementTimeout = .milliseconds(200) }
        let started = ContinuousClock.now
        let error = postgresError { try connection.query("SELECT pg_sleep(\(5.0))") }
        #expect(error?.code == .queryCanceled)
        #expect(error?.sqlState == "57014")
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(connection.isConnected)
        #expect(try connection.query("SELECT 1 AS one").first?["one"] == "1")
    }
}
