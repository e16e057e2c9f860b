import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct ConnectionTests {
    let database: TestDatabase
    init() throws { database = try TestDatabase(template: nil) }

    @Test func sessionSettingsComeFromTheConfiguration() throws {
        let connection = try database.connect {
            $0.statementTimeout = .milliseconds(1500)
            $0.lockTimeout = .seconds(2)
            $0.idleInTransactionTimeout = nil
        }
        let row = try #require(try connection.query("""
            SELECT current_setting('TimeZone') AS tz, current_setting('DateStyle') AS ds,
                   current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt,
                   current_setting('idle_in_transaction_session_timeout') AS it,
                   current_setting('application_name') AS app, current_setting('client_encoding') AS enc,
                   current_database() AS db
            """).first)
        #expect(row["tz"] == "UTC")
        #expect(row["ds"]?.hasPrefix("ISO") == true)
        #expect(row["st"] == "1500ms")
        #expect(row["lt"] == "2s")
        #expect(row["it"] == "0")
        #expect(row["app"] == "ota-tests")
        #expect(row["enc"] == "UTF8")
        #expect(row["db"] == database.name)
        #expect(connection.serverVersion >= 150_000)
        #expect(connection.isConnected)
    }

    @Test func connectingToNothingFailsQuicklyAsConnectionFailure() {
        var configuration = PostgresConfiguration(url: "postgresql://postgres@127.0.0.1:1/postgres")
        configuration.connectTimeoutSeconds = 2
        let error = postgresError { _ = try PostgresConnection(configuration) }
        #expect(error?.code == .connectionFailure)
        #expect(error?.isTransient == true)
        #expect(error?.message.isEmpty == false)
    }

    @Test func statementsArePreparedOnceAndReused() throws {
        let connection = try database.connect()
        let sql = "SELECT $1::int + 1 AS n"
        for value in 1...5 {
            #expect(try connection.query("SELECT \(value)::int + 1 AS n").first?.decode("n", as: Int.self) == value + 1)
        }
        let row = try #require(try connection.query("""
            SELECT count(*) AS statements, sum(generic_plans + custom_plans) AS executions
            FROM pg_prepared_statements WHERE statement = \(sql)
            """).first)
        #expect(try row.decode("statements", as: Int.self) == 1)
        #expect(try row.decode("executions", as: Int.self) == 5)
    }

    @Test func changedResultTypeIsPreparedAgain() throws {
        let connection = try database.connect()
        try connection.execute(unescaped: "CREATE TABLE gadgets (id int); INSERT INTO gadgets VALUES (1)")
        #expect(try connection.query("SELECT * FROM gadgets").columnNames == ["id"])
        try connection.execute(unescaped: "ALTER TABLE gadgets ADD COLUMN name text DEFAULT 'new'")
        // The cached plan's result type changed (0A000): prepared again, run once more.
        let rows = try connection.query("SELECT * FROM gadgets")
        #expect(rows.columnNames == ["id", "name"])
        #expect(rows.first?["name"] == "new")
        // Inside a transaction the error has aborted it, so it is reported, not retried;
        // the next call outside prepares afresh.
        try connection.execute(unescaped: "ALTER TABLE gadgets ADD COLUMN size int DEFAULT 3")
        let error = postgresError {
            try connection.transaction { _ = try connection.query("SELECT * FROM gadgets") }
        }
        #expect(error?.sqlState == "0A000")
        #expect(try connection.query("SELECT * FROM gadgets").columnNames == ["id", "name", "size"])
    }

    @Test func statementsDroppedOnTheServerArePreparedAgain() throws {
        let connection = try database.connect()
        #expect(try connection.query("SELECT \(1) AS one").first?["one"] == "1")
        try connection.execute(unescaped: "DEALLOCATE ALL")
        // 26000 invalid statement name: prepared again.
        #expect(try connection.query("SELECT \(2) AS one").first?["one"] == "2")
    }

    @Test func reconnectsAfterTheServerEndsTheSession() throws {
        let victim = try database.connect()
        try victim.query("SELECT \(1) AS warm")
        let pid = victim.backendPID
        #expect(pid != 0)

        let admin = try database.connect()
        let terminated = try admin.query("SELECT pg_terminate_backend(\(pid), 5000) AS done").first?.decode("done", as: Bool.self)
        #expect(terminated == true)

        // The session ended while idle: the next statement notices before sending anything
        // and reconnects first, with a fresh statement cache (issue 9: the first request
        // on each gateway worker after a PostgreSQL restart answered 503).
        let row = try #require(try victim.query("SELECT \(1) AS warm, pg_backend_pid() AS pid").first)
        #expect(row["warm"] == "1")
        #expect(try row.decode("pid", as: Int32.self) != pid)
        #expect(victim.isConnected)
        let settings = try #require(try victim.query("SELECT current_setting('TimeZone') AS tz").first)
        #expect(settings["tz"] == "UTC")
    }

    @Test func noReconnectInsideATransaction() throws {
        let victim = try database.connect()
        try victim.execute(unescaped: "CREATE TABLE marks (n int)")
        let admin = try database.connect()
        let error = postgresError {
            try victim.transaction {
                try victim.query("INSERT INTO marks VALUES (\(1))")
                _ = try admin.query("SELECT pg_terminate_backend(\(victim.backendPID), 5000)")
                _ = try? victim.query("INSERT INTO marks VALUES (\(2))")  // fails: connection gone
                try victim.query("INSERT INTO marks VALUES (\(3))")  // must not run on a new session
            }
        }
        #expect(error?.code == .connectionFailure)
        #expect(try victim.query("SELECT count(*) AS n FROM marks").first?.decode("n", as: Int.self) == 0)
    }

    @Test func explicitReconnectAndClose() throws {
        let connection = try database.connect()
        let before = connection.backendPID
        try connection.reconnect()
        #expect(connection.backendPID != before)
        #expect(try connection.query("SELECT \(7) AS n").first?["n"] == "7")

        connection.close()
        #expect(!connection.isConnected)
        #expect(connection.serverVersion == 0)
        let closed = postgresError { try connection.query("SELECT 1") }
        #expect(closed?.code == .connectionFailure)
        try connection.reconnect()
        #expect(try connection.query("SELECT \(8) AS n").first?["n"] == "8")
    }

    @Test func executeRunsSeveralStatementsAsOneImplicitTransaction() throws {
        let connection = try database.connect()
        try connection.execute(unescaped: """
            -- a migration file
            CREATE TABLE catalog (id int PRIMARY KEY, name text NOT NULL);
            INSERT INTO catalog VALUES (1, 'one');
            INSERT INTO catalog VALUES (2, 'two; not a separator');
            CREATE FUNCTION catalog_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM catalog; $$;
            """)
        #expect(try connection.query("SELECT catalog_count() AS n").first?.decode("n", as: Int.self) == 2)

        let error = postgresError {
            try connection.execute(unescaped: """
                INSERT INTO catalog VALUES (3, 'three');
                INSERT INTO catalog VALUES (1, 'duplicate');
                INSERT INTO catalog VALUES (4, 'four');
                """)
        }
        #expect(error?.code == .uniqueViolation)
        #expect(try connection.query("SELECT count(*) AS n FROM catalog").first?.decode("n", as: Int.self) == 2)
        try connection.execute(unescaped: "")
    }

    @Test func copyIsRefusedWithoutWedgingTheConnection() throws {
        let connection = try database.connect()
        try connection.execute(unescaped: "CREATE TABLE copied (n int)")
        #expect(postgresError { try connection.execute(unescaped: "COPY copied FROM STDIN") } != nil)
        #expect(postgresError { try connection.query("COPY (SELECT 1) TO STDOUT") } != nil)
        #expect(try connection.query("SELECT \(5) AS n").first?["n"] == "5")
    }

    @Test func nulBytesAreRejectedBeforeSending() throws {
        let connection = try database.connect()
        let error = postgresError { try connection.query("SELECT \("a\u{0}b") AS v") }
        #expect(error?.code == .other)
        #expect(error?.message.contains("$1") == true)
        #expect(try connection.query("SELECT \("ok") AS v").first?["v"] == "ok")
    }

    @Test func listenAndNotifyWithTimeout() throws {
        let listener = try database.connect()
        let channel = "ota \"events\" Mixed"
        try listener.listen(channel)

        let started = ContinuousClock.now
        #expect(try listener.waitForNotifications(timeout: .milliseconds(200)).isEmpty)
        let waited = ContinuousClock.now - started
        // The timeout is honoured (the lower bound is the point); the upper one only says it
        // returned, generously.
        #expect(waited >= .milliseconds(190) && waited < .seconds(10), "\(waited)")

        let sender = try database.connect()
        try sender.query("SELECT pg_notify(\(channel), \("hold:42"))")
        try sender.query("SELECT pg_notify(\(channel), \("hold:43"))")
        try sender.query("SELECT pg_notify(\("other channel"), \("ignored"))")
        var received: [PostgresNotification] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while received.count < 2 && ContinuousClock.now < deadline {
            received += try listener.waitForNotifications(timeout: .seconds(1))
        }
        #expect(received.map(\.payload) == ["hold:42", "hold:43"])
        #expect(received.allSatisfy { $0.channel == channel && $0.pid == sender.backendPID })

        // Notifications that arrive while the listener runs queries are kept for later.
        try sender.query("SELECT pg_notify(\(channel), \("during query"))")
        try listener.query("SELECT pg_sleep(\(0.2))")
        #expect(try listener.waitForNotifications(timeout: .zero).map(\.payload) == ["during query"])

        try listener.unlisten(channel)
        try sender.query("SELECT pg_notify(\(channel), \("unheard"))")
        #expect(try listener.waitForNotifications(timeout: .milliseconds(200)).isEmpty)
    }

    @Test func listeningSurvivesAReconnect() throws {
        let listener = try database.connect()
        try listener.listen("jobs")
        let admin = try database.connect()
        _ = try admin.query("SELECT pg_terminate_backend(\(listener.backendPID), 5000)")

        let error = postgresError { _ = try listener.waitForNotifications(timeout: .seconds(2)) }
        #expect(error?.code == .connectionFailure)
        // The next wait reconnects and listens again.
        #expect(try listener.waitForNotifications(timeout: .milliseconds(50)).isEmpty)
        try admin.query("SELECT pg_notify('jobs', \("after reconnect"))")
        var received: [PostgresNotification] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while received.isEmpty && ContinuousClock.now < deadline {
            received = try listener.waitForNotifications(timeout: .seconds(1))
        }
        #expect(received.map(\.payload) == ["after reconnect"])
    }
}
