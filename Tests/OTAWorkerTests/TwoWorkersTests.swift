import Foundation
import Postgres
import Testing
import TestSupport

/// Two worker processes against one database: SKIP LOCKED shares the work and no hold is
/// released twice.
@Suite struct TwoWorkersTests {
    @Test(.timeLimit(.minutes(3)))
    func twoWorkersReleaseTenThousandHoldsExactlyOnce() throws {
        let holdCount = 10_000
        let t = try TestDatabase()
        let db = try t.connect()
        try HoldFixtures.enlargePool(db, otaUnits: 12_000)
        let environment = ["OTA_WORKER_POLL_SECONDS": "600"]
        let workers = [try WorkerProcess(databaseURL: t.url, environment: environment),
                       try WorkerProcess(databaseURL: t.url, environment: environment)]

        // Already expired, in one statement: the insert's notification wakes both workers.
        let holds = try HoldFixtures.insert(db, count: holdCount, expiresIn: -3600)
        let committed = Date()
        #expect(try HoldFixtures.pool(db).reserved == holdCount)
        var active = holdCount
        let deadline = committed.addingTimeInterval(120)
        while active > 0, Date() < deadline {
            usleep(20_000)
            active = try db.query("SELECT count(*) AS n FROM reservations WHERE status = 'active'").first?.decode("n", as: Int.self) ?? -1
        }
        let elapsed = Date().timeIntervalSince(committed)
        #expect(active == 0)

        let stops = workers.map { $0.stop() }
        #expect(stops.allSatisfy { $0.status == 0 })

        let released = workers.map { worker in worker.events("ota.reservation.expired").compactMap { $0["reservation_id"] as? String } }
        let all = released.flatMap { $0 }
        #expect(all.count == holdCount, "logged \(all.count) releases")
        #expect(Set(all).count == all.count, "a hold was released twice")
        #expect(Set(all) == Set(holds))
        let pool = try HoldFixtures.pool(db)
        #expect(pool.reserved == 0 && pool.activeHolds == 0)

        let sweepMilliseconds = workers.map { worker in
            worker.events("worker.swept").compactMap { $0["milliseconds"] as? Int }.reduce(0, +)
        }
        print("""
            two workers released \(holdCount) expired holds in \(Int(elapsed * 1000)) ms from the insert's commit \
            (worker A: \(released[0].count) holds in \(sweepMilliseconds[0]) ms of sweeping, \
            worker B: \(released[1].count) in \(sweepMilliseconds[1]) ms)
            """)
    }
}
