import Foundation
import Postgres
import Testing
import TestSupport

/// The built `ota-expiry-worker` binary, black-box: holds go in with SQL, the test watches
/// the database and the worker's JSON log.
@Suite struct WorkerBinaryTests {
    /// Polls `condition` every 50 ms until it holds or `seconds` pass.
    func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    func status(_ db: PostgresConnection, _ id: String) throws -> String? {
        try db.query("SELECT status FROM reservations WHERE reservation_id = \(id)").first?.decode("status", as: String.self)
    }

    /// How long after its expiry the hold was released, by the database's own clock.
    func releaseDelay(_ db: PostgresConnection, _ id: String) throws -> Double? {
        try db.query("""
            SELECT extract(epoch FROM ended_at - expires_at)::float8 AS delay FROM reservations WHERE reservation_id = \(id)
            """).first?.decodeIfPresent("delay", as: Double.self)
    }

    @Test(.timeLimit(.minutes(3)))
    func aHoldIsReleasedRightAfterItsExpiryAndSigtermExitsPromptly() async throws {
        let t = try TestDatabase()
        let db = try t.connect()
        // A poll interval far beyond the hold's expiry: only the hold's notification can
        // bring the wake forward in time.
        let worker = try WorkerProcess(databaseURL: t.url, environment: ["OTA_WORKER_POLL_SECONDS": "600"])
        let before = try HoldFixtures.pool(db)
        let id = try HoldFixtures.insert(db, count: 1, quantity: 7, expiresIn: 61)[0]
        #expect(try HoldFixtures.pool(db).available == before.available - 7)

        // Wait without holding one of the test runner's two threads, then watch closely.
        try await Task.sleep(for: .seconds(58))
        #expect(try eventually(within: 20) { try status(db, id) != "active" })
        #expect(try status(db, id) == "expired")
        let delay = try releaseDelay(db, id) ?? -1
        // The wake arithmetic is WakeScheduleTests; here, generously, that the notification
        // brought the wake forward from the 600 s poll.
        #expect(delay >= 0 && delay < 10, "released \(delay) s after expiry")
        print("a 61-second hold was released \(Int(delay * 1000)) ms after its expiry (database clock)")
        let after = try HoldFixtures.pool(db)
        #expect(after == before)
        #expect(after.reserved == after.activeHolds)

        let logged = worker.events("ota.reservation.expired")
        #expect(logged.count == 1)
        #expect(logged.first?["reservation_id"] as? String == id)
        #expect(logged.first?["quantity"] as? Int == 7)
        #expect(logged.first?["product_id"] as? Int == 106)
        #expect(logged.first?["partner_id"] as? Int == Int(try HoldFixtures.partnerId(db)))
        #expect(logged.first?["level"] as? String == "info" && logged.first?["ts"] is String)

        // Generous: SIGTERM ends the 600 s sleep, well before the SIGKILL after 20 s.
        let stop = worker.stop(within: 20)
        #expect(stop.status == 0)
        #expect(stop.seconds < 10, "took \(stop.seconds) s to stop")
        #expect(worker.events("worker.stopped").first?["signal"] as? String == "SIGTERM")
    }

    /// A hold that expires after another active one does not notify (only the earliest
    /// does, sql/functions/ota_notify_hold_created.sql); the worker still releases it in
    /// time, because the wake for the earlier hold reads the next expiry again.
    @Test(.timeLimit(.minutes(3)))
    func silentAndEarlierHoldsAreReleasedInTimeToo() async throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let listener = try t.connect()
        try listener.listen("ota_hold_created")
        let worker = try WorkerProcess(databaseURL: t.url, environment: ["OTA_WORKER_POLL_SECONDS": "600"])
        let before = try HoldFixtures.pool(db)
        let late = try HoldFixtures.insert(db, count: 1, expiresIn: 20)[0]    // the first: notifies
        let early = try HoldFixtures.insert(db, count: 1, expiresIn: 9)[0]    // before it: notifies
        let silent = try HoldFixtures.insert(db, count: 1, expiresIn: 12)[0]  // after `early`: silent
        var payloads: [String] = []
        for _ in 0..<5 {
            let batch = try listener.waitForNotifications(timeout: .seconds(1))
            if batch.isEmpty { break }
            payloads += batch.map(\.payload)
        }
        #expect(payloads.count == 2, "notified: \(payloads)")

        try await Task.sleep(for: .seconds(18))
        #expect(try eventually(within: 20) { try status(db, late) != "active" })
        for id in [early, silent, late] {
            #expect(try status(db, id) == "expired")
            let delay = try releaseDelay(db, id) ?? -1
            // Generously: each woke the worker long before its 600 s poll.
            #expect(delay >= 0 && delay < 10, "\(id) released \(delay) s after expiry")
        }
        #expect(try HoldFixtures.pool(db) == before)
        #expect(worker.stop().status == 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func pollingFindsAHoldWhoseExpiryMovedWithoutANotification() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let worker = try WorkerProcess(databaseURL: t.url, environment: ["OTA_WORKER_POLL_SECONDS": "1"])
        let id = try HoldFixtures.insert(db, count: 1, expiresIn: 3600)[0]
        // No insert, so no notification: only the poll interval can find it.
        try db.query("UPDATE reservations SET expires_at = now() + interval '200 milliseconds' WHERE reservation_id = \(id)")
        #expect(try eventually(within: 5) { try status(db, id) == "expired" })
        #expect(worker.stop().status == 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func aLostConnectionIsReestablishedAndListenedOnAgain() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let worker = try WorkerProcess(databaseURL: t.url, environment: ["OTA_WORKER_POLL_SECONDS": "600"])
        // As a database restart does to the worker's session.
        let killed = try db.query("""
            SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'ota-expiry-worker'
            """).count
        #expect(killed == 1)
        #expect(eventually(within: 10) { !worker.events("worker.reconnected").isEmpty })
        #expect(!worker.events("worker.database_lost").isEmpty)
        // The re-issued LISTEN wakes it for a hold due long before its poll interval.
        let id = try HoldFixtures.insert(db, count: 1, expiresIn: 1)[0]
        #expect(try eventually(within: 5) { try status(db, id) == "expired" })
        #expect(worker.stop().status == 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func sigtermWhileTheDatabaseIsUnreachableExitsPromptly() throws {
        // Nothing listens on port 1: every connection attempt is refused.
        let worker = try WorkerProcess(databaseURL: "postgresql://ota@127.0.0.1:1/ota", waitForReady: false)
        #expect(eventually(within: 10) { !worker.events("worker.database_unavailable").isEmpty })
        // Generous: SIGTERM ends the retry pause, well before the SIGKILL after 20 s.
        let stop = worker.stop(within: 20)
        #expect(stop.status == 0)
        #expect(stop.seconds < 10, "took \(stop.seconds) s to stop")
    }

    @Test func invalidConfigurationExitsTwoNamingTheVariable() throws {
        let worker = try WorkerProcess(databaseURL: "postgresql://ota@127.0.0.1:1/ota",
                                       environment: ["OTA_WORKER_BATCH_SIZE": "0"], waitForReady: false)
        #expect(eventually(within: 10) { !worker.isRunning })
        #expect(worker.stop().status == 2)
        #expect(worker.output.contains("OTA_WORKER_BATCH_SIZE=0"))
    }

    @Test(.timeLimit(.minutes(3)))
    func theWorkerTalksToSystemd() throws {
        let t = try TestDatabase()
        let notify = try NotifySocket()
        let worker = try WorkerProcess(databaseURL: t.url, environment: [
            "NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": "400000", "OTA_WORKER_POLL_SECONDS": "600",
        ])
        #expect(notify.receive(until: "READY=1", timeout: 10) != nil)
        // Pinged from the loop while it sleeps (every 200 ms here; generously, within 5 s,
        // not at the 600 s poll; the interval arithmetic is SystemdNotifyTests).
        #expect(notify.receive(until: "WATCHDOG=1", timeout: 5) != nil)
        #expect(notify.receive(until: "WATCHDOG=1", timeout: 5) != nil)
        kill(worker.pid, SIGTERM)
        #expect(notify.receive(until: "STOPPING=1", timeout: 5) != nil)
        #expect(worker.stop().status == 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func theGatewayTalksToSystemd() throws {
        let t = try TestDatabase()
        let notify = try NotifySocket(abstract: true)
        let gateway = try GatewayProcess(databaseURL: t.url, environment: [
            "NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": "400000",
        ])
        #expect(notify.receive(until: "READY=1", timeout: 10) != nil)
        #expect(notify.receive(until: "WATCHDOG=1", timeout: 5) != nil)
        #expect(notify.receive(until: "WATCHDOG=1", timeout: 5) != nil)
        #expect(gateway.stop() == 0)
        #expect(notify.receive(until: "STOPPING=1", timeout: 5) != nil)
    }
}
