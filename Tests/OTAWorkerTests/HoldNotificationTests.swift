import Foundation
import OTADomain
import Postgres
import Testing
import TestSupport
@testable import OTAWorker

/// When a new hold notifies the expiry workers (sql/functions/ota_notify_hold_created.sql):
/// only when it expires before every other active hold, or there is none, since every
/// notifying commit takes PostgreSQL's database-wide notify lock. The first hold of an
/// empty table is ExpiryStoreTests.aNewHoldNotifiesItsExpiryOncePerStatement.
@Suite struct HoldNotificationTests {
    /// The expiries notified within `timeout` (a silent insert shows as []).
    func notified(_ listener: PostgresConnection, within timeout: Duration = .seconds(5)) throws -> [Timestamp] {
        try listener.waitForNotifications(timeout: timeout)
            .filter { $0.channel == HoldCreatedNotification.channel }
            .compactMap { HoldCreatedNotification.expiry(fromPayload: $0.payload) }
    }

    func expiry(_ db: PostgresConnection, _ id: String) throws -> Timestamp? {
        try db.query("SELECT expires_at FROM reservations WHERE reservation_id = \(id)").first?.decode("expires_at", as: Timestamp.self)
    }

    @Test func aHoldExpiringBeforeEveryOtherActiveHoldNotifies() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let listener = try t.connect()
        try HoldFixtures.insert(db, count: 2, expiresIn: 3600)
        try listener.listen(HoldCreatedNotification.channel)
        let id = try HoldFixtures.insert(db, count: 1, expiresIn: 600)[0]
        #expect(try notified(listener) == [try #require(try expiry(db, id))])
    }

    @Test func aHoldExpiringAfterAnotherActiveHoldIsSilent() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let listener = try t.connect()
        try HoldFixtures.insert(db, count: 1, expiresIn: 600)
        try listener.listen(HoldCreatedNotification.channel)
        try HoldFixtures.insert(db, count: 3, expiresIn: 900)
        try HoldFixtures.insert(db, count: 1, expiresIn: 600.5)
        #expect(try notified(listener, within: .milliseconds(500)).isEmpty)
        // An earlier one still notifies afterwards: the silence was not a lost LISTEN.
        let id = try HoldFixtures.insert(db, count: 1, expiresIn: 300)[0]
        #expect(try notified(listener) == [try #require(try expiry(db, id))])
    }

    @Test func onlyActiveHoldsExpiringMoreThanFiveSecondsAwayCanSilenceANewHold() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let listener = try t.connect()
        // Ended holds, holds already due and a hold due in 2 s (which a worker may sweep
        // before the new hold commits) leave the worker with nothing earlier to wake for.
        let cancelled = try HoldFixtures.insert(db, count: 1, expiresIn: 60)
        try db.query("UPDATE reservations SET status = 'cancelled', ended_at = now() WHERE reservation_id = \(cancelled[0])")
        try HoldFixtures.insert(db, count: 2, expiresIn: -30)
        try HoldFixtures.insert(db, count: 1, expiresIn: 2)
        try listener.listen(HoldCreatedNotification.channel)
        let id = try HoldFixtures.insert(db, count: 1, expiresIn: 120)[0]
        #expect(try notified(listener) == [try #require(try expiry(db, id))])
    }

    @Test func aStatementNotifiesItsEarliestHoldWhenThatIsTheEarliestOfAll() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let listener = try t.connect()
        try HoldFixtures.insert(db, count: 1, expiresIn: 600)
        try listener.listen(HoldCreatedNotification.channel)
        let partner = try HoldFixtures.partnerId(db)
        try db.query("""
            INSERT INTO reservations (reservation_id, partner_id, product_id, quantity, expires_at, pricing_snapshot)
            VALUES ('res_batchlate00000000000', \(partner), 106, 1, now() + interval '900 seconds', '{}'),
                   ('res_batchearly0000000000', \(partner), 106, 1, now() + interval '300 seconds', '{}')
            """)
        #expect(try notified(listener) == [try #require(try expiry(db, "res_batchearly0000000000"))])
    }
}
