import Foundation
import Postgres
import Synchronization
import Testing
import TestSupport

/// A session the server ended while the connection sat idle (a PostgreSQL restart,
/// pg_terminate_backend) is replaced before the next statement is sent; a statement
/// that may have run, or one inside a transaction, is never run again.
@Suite struct ReconnectTests {
    let database: TestDatabase
    init() throws { database = try TestDatabase(template: nil) }

    func terminate(_ pid: Int32, using admin: PostgresConnection) throws {
        let done = try admin.query("SELECT pg_terminate_backend(\(pid), 5000) AS done").first?.decode("done", as: Bool.self)
        #expect(done == true)
    }

    @Test func nextStatementAfterTheSessionEndedWhileIdleSucceeds() throws {
        let victim = try database.connect()
        try victim.execute(unescaped: "CREATE TABLE visits (n int)")
        let pid = victim.backendPID
        try terminate(pid, using: try database.connect())

        try victim.query("INSERT INTO visits VALUES (\(1))")
        #expect(victim.backendPID != pid)
        #expect(try victim.query("SELECT count(*) AS n FROM visits").first?.decode("n", as: Int.self) == 1)
    }

    @Test func everyKindOfCallReconnects() throws {
        let admin = try database.connect()
        let victim = try database.connect()
        try terminate(victim.backendPID, using: admin)
        try victim.execute(unescaped: "CREATE TABLE kinds (n int)")

        try terminate(victim.backendPID, using: admin)
        let value = try victim.transaction { try victim.query("INSERT INTO kinds VALUES (\(2)) RETURNING n").first?["n"] }
        #expect(value == "2")
    }

    @Test func transactionWhoseSessionEndsIsNotRetried() throws {
        let admin = try database.connect()
        let victim = try database.connect()
        try victim.execute(unescaped: "CREATE TABLE ledger (n int)")
        let pid = victim.backendPID
        let error = postgresError {
            try victim.transaction {
                // BEGIN was sent on the old session; the transaction dies with it.
                try terminate(pid, using: admin)
                try victim.query("INSERT INTO ledger VALUES (\(1))")
            }
        }
        #expect(error?.code == .connectionFailure)
        // Outside the transaction the connection is replaced, and nothing was written.
        #expect(try victim.query("SELECT count(*) AS n FROM ledger").first?.decode("n", as: Int.self) == 0)
        #expect(victim.backendPID != pid)
    }

    /// A statement in flight when the session ends may have executed: it fails, once,
    /// and is not sent again (pg_sleep(30) re-run would make this take 30 s and succeed).
    @Test func statementInFlightIsNotRetried() throws {
        let pid = Mutex<Int32>(0)
        let started = DispatchSemaphore(value: 0)
        let url = database.url
        let worker = BackgroundThread { () -> (PostgresError?, Int32, Int32) in
            let victim = try PostgresConnection(PostgresConfiguration(url: url))
            pid.withLock { $0 = victim.backendPID }
            started.signal()
            let error = postgresError { try victim.query("SELECT pg_sleep(\(30))") }
            let after = try victim.query("SELECT pg_backend_pid() AS pid").first?.decode("pid", as: Int32.self) ?? 0
            return (error, victim.backendPID, after)
        }
        try started.waitOrFail()
        let admin = try database.connect()
        let victimPID = pid.withLock { $0 }
        // Wait until the sleep is running, then end the session under it.
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let state = try admin.query("SELECT state FROM pg_stat_activity WHERE pid = \(victimPID)").first?["state"]
            if state == "active" { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        try terminate(victimPID, using: admin)
        let (error, finalPID, reportedPID) = try worker.join(timeoutSeconds: 20)
        #expect(error?.code == .connectionFailure)
        #expect(finalPID != victimPID)
        #expect(reportedPID == finalPID)
    }

    /// A listening session must learn that notifications may have been missed, so it is
    /// not replaced silently: the call reports the loss and the next one reconnects.
    @Test func listeningSessionReportsTheLossThenReconnects() throws {
        let listener = try database.connect()
        try listener.listen("jobs")
        try terminate(listener.backendPID, using: try database.connect())
        let error = postgresError { try listener.query("SELECT \(1) AS one") }
        #expect(error?.code == .connectionFailure)
        #expect(try listener.query("SELECT \(1) AS one").first?["one"] == "1")
    }
}
