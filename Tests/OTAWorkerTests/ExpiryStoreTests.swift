import Foundation
import OTADomain
import Postgres
import Synchronization
import Testing
import TestSupport
@testable import OTAStore
@testable import OTAWorker

/// The sweeper's SQL against a real PostgreSQL (the seeded template: product 106 has 2000
/// OTA units, 107 has 1500; the development partners exist).
@Suite struct ExpiryStoreTests {
    @Test func aBatchReleasesExactlyTheDueHoldsAndReturnsTheirUnits() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let due = try HoldFixtures.insert(db, count: 5, quantity: 2, expiresIn: -60)
        let notYet = try HoldFixtures.insert(db, count: 3, quantity: 3, expiresIn: 3600)
        let cancelled = try HoldFixtures.insert(db, count: 1, quantity: 4, expiresIn: -120)
        try db.query("UPDATE reservations SET status = 'cancelled', ended_at = now() WHERE reservation_id = \(cancelled[0])")
        #expect(try HoldFixtures.pool(db).reserved == 19)

        let released = try ExpiryStore(db).expireDueHolds(limit: 500)
        #expect(Set(released.map(\.reservationId)) == Set(due))
        #expect(released.allSatisfy { $0.quantity == 2 && $0.productId == 106 && $0.channel == "ota" })

        let pool = try HoldFixtures.pool(db)
        #expect(pool.reserved == 9 && pool.reserved == pool.activeHolds)
        let statuses = try HoldFixtures.statuses(db, due + notYet + cancelled)
        #expect(due.allSatisfy { statuses[$0] == "expired" })
        #expect(notYet.allSatisfy { statuses[$0] == "active" })
        #expect(statuses[cancelled[0]] == "cancelled")
        // ended_at and updated_at are the release's time, not left over from creation.
        let stamped = try db.query("""
            SELECT count(*) AS n FROM reservations
             WHERE status = 'expired' AND ended_at IS NOT NULL AND updated_at = ended_at AND ended_at >= expires_at
            """).first?.decode("n", as: Int.self)
        #expect(stamped == 5)
        // Nothing is due any more.
        #expect(try ExpiryStore(db).expireDueHolds(limit: 500).isEmpty)
    }

    @Test func aBatchTakesAtMostItsLimitEarliestFirst() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let oldest = try HoldFixtures.insert(db, count: 1, expiresIn: -600)
        let older = try HoldFixtures.insert(db, count: 1, expiresIn: -300)
        let recent = try HoldFixtures.insert(db, count: 2, expiresIn: -10)
        let store = ExpiryStore(db)
        #expect(try store.expireDueHolds(limit: 2).map(\.reservationId).sorted() == (oldest + older).sorted())
        #expect(try Set(store.expireDueHolds(limit: 2).map(\.reservationId)) == Set(recent))
        #expect(try store.expireDueHolds(limit: 2).isEmpty)
        #expect(try store.expireDueHolds(limit: 0).isEmpty)
    }

    @Test func holdsLockedByAnotherTransactionAreSkippedNotWaitedFor() throws {
        let t = try TestDatabase()
        let partner = try t.connect()
        let worker = try t.connect()
        let ids = try HoldFixtures.insert(partner, count: 5, expiresIn: -60).sorted()
        let busy = Array(ids.prefix(2))
        try partner.transaction { () throws -> Void in
            // As a cancel or activation in progress would.
            try partner.query("SELECT 1 FROM reservations WHERE reservation_id = ANY(\(busy)::text[]) FOR UPDATE")
            let first = try ExpiryStore(worker).expireDueHolds(limit: 500)
            #expect(Set(first.map(\.reservationId)) == Set(ids.dropFirst(2)))
        }
        #expect(try Set(ExpiryStore(worker).expireDueHolds(limit: 500).map(\.reservationId)) == Set(busy))
        #expect(try HoldFixtures.pool(worker).reserved == 0)
    }

    @Test func concurrentSweepsNeverReleaseAHoldTwice() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        // Two pools, so that each batch locks two inventory rows: without a fixed lock
        // order two sweeps could deadlock here.
        let holds = try HoldFixtures.insert(db, count: 1000, product: 106, expiresIn: -60)
            + HoldFixtures.insert(db, count: 1000, product: 107, expiresIn: -60)
        let url = t.url
        let released = Mutex<[[String]]>([[], []])
        let failures = Mutex<[String]>([])
        onThreads(2) { index in
            do {
                var config = PostgresConfiguration(url: url)
                config.lockTimeout = .seconds(5)
                let connection = try PostgresConnection(config)
                let store = ExpiryStore(connection)
                while true {
                    let batch = try store.expireDueHolds(limit: 50)
                    if batch.isEmpty { break }
                    released.withLock { $0[index] += batch.map(\.reservationId) }
                }
            } catch {
                failures.withLock { $0.append(String(describing: error)) }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let all = released.withLock { $0 }
        let everything = all[0] + all[1]
        #expect(everything.count == holds.count)
        #expect(Set(everything) == Set(holds))
        for product in [106, 107] {
            let pool = try HoldFixtures.pool(db, product)
            #expect(pool.reserved == 0 && pool.activeHolds == 0)
        }
    }

    @Test func outlookReadsTheDatabaseClockAndTheEarliestActiveExpiry() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let store = ExpiryStore(db)
        #expect(try store.outlook().earliestExpiry == nil)
        try HoldFixtures.insert(db, count: 1, expiresIn: 90)
        try HoldFixtures.insert(db, count: 1, expiresIn: 30)
        let outlook = try store.outlook()
        let until = (outlook.earliestExpiry?.microseconds ?? 0) - outlook.databaseNow.microseconds
        #expect(until > 25_000_000 && until <= 30_000_000)
    }

    @Test func oldIdempotencyRecordsArePurgedInBoundedBatches() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let partner = try HoldFixtures.partnerId(db)
        for (hours, count) in [(100, 5), (73, 2), (71, 3)] {
            try db.query("""
                INSERT INTO idempotency_records (partner_id, idempotency_key, request_hash, status_code, content_type, body, created_at)
                SELECT \(partner), 'key-' || \(hours) || '-' || g, sha256(g::text::bytea), 201, 'application/json', '\\x7b7d'::bytea,
                       now() - make_interval(hours => \(hours))
                  FROM generate_series(1, \(count)) g
                """)
        }
        let store = ExpiryStore(db)
        #expect(try store.purgeIdempotencyRecords(olderThanHours: 72, limit: 4) == 4)
        #expect(try store.purgeIdempotencyRecords(olderThanHours: 72, limit: 4) == 3)
        #expect(try store.purgeIdempotencyRecords(olderThanHours: 72, limit: 4) == 0)
        let left = try db.query("SELECT idempotency_key FROM idempotency_records ORDER BY 1").map { try $0.decode("idempotency_key", as: String.self) }
        #expect(left == ["key-71-1", "key-71-2", "key-71-3"])

        // Housekeeping runs at most once per interval and stops at its per-round bound.
        try db.query("UPDATE idempotency_records SET created_at = now() - interval '100 hours'")
        var housekeeping = IdempotencyHousekeeping(retentionHours: 72, interval: .seconds(600), batchSize: 1, maxBatchesPerRound: 2)
        let now = ContinuousClock.now
        let first = try housekeeping.runIfDue(store, now: now, shouldStop: { false })
        let tooSoon = try housekeeping.runIfDue(store, now: now + .seconds(599), shouldStop: { false })
        let next = try housekeeping.runIfDue(store, now: now + .seconds(600), shouldStop: { false })
        #expect(first == 2 && tooSoon == nil && next == 1)
    }

    @Test func aNewHoldNotifiesItsExpiryOncePerStatement() throws {
        let t = try TestDatabase()
        let listener = try t.connect()
        let db = try t.connect()
        try listener.listen(HoldCreatedNotification.channel)
        try HoldFixtures.insert(db, count: 3, expiresIn: 120)
        let expected = try db.query("SELECT min(expires_at) AS e FROM reservations").first?.decode("e", as: Timestamp.self)
        let notifications = try listener.waitForNotifications(timeout: .seconds(5))
        #expect(notifications.count == 1)
        #expect(notifications.first.flatMap { HoldCreatedNotification.expiry(fromPayload: $0.payload) } == expected)
        // Expiring holds does not notify; only new holds do.
        try db.query("UPDATE reservations SET expires_at = now() - interval '1 second', created_at = now() - interval '1 hour'")
        _ = try ExpiryStore(db).expireDueHolds(limit: 10)
        #expect(try listener.waitForNotifications(timeout: .milliseconds(300)).isEmpty)
    }
}
