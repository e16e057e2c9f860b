import Foundation
import Testing
import OTACrypto
import OTADomain
import Postgres
import TestSupport
@testable import OTAStore

/// Store-level holds against a real PostgreSQL (the seeded template: product 106 has
/// 2000 OTA units; the development partners exist).
@Suite struct HoldTests {
    let snapshot = PricingSnapshot(basePrice: Money("288")!, weekendPremium: Money("30")!, discounts: [], specialDates: [], currency: "CNY")

    func partnerId(_ db: PostgresConnection, _ code: String = "ota-test-partner") throws -> Int64 {
        try db.query("SELECT partner_id FROM partners WHERE code = \(code)").first!.decode("partner_id", as: Int64.self)
    }

    func hold(_ db: PostgresConnection, quantity: Int, product: Int = 106, maxUnits: Int = 100, partner: Int64) throws -> HoldOutcome {
        let request = HoldRequest(productId: product, quantity: quantity, expiresAt: Timestamp(seconds: Int64(Date().timeIntervalSince1970) + 3600))
        return try ReservationStore(db).hold(reservationId: try SecureRandom.identifier(prefix: "res_"), partnerId: partner,
                                             request: request, maxUnitsPerHold: maxUnits, snapshot: snapshot)
    }

    func pool(_ db: PostgresConnection, _ product: Int = 106) throws -> (allocated: Int, reserved: Int, sold: Int, activeHolds: Int) {
        let row = try db.query("""
            SELECT allocated, reserved, sold,
                   (SELECT coalesce(sum(quantity), 0) FROM reservations r WHERE r.product_id = c.product_id AND r.status = 'active') AS holds
              FROM channel_inventory c WHERE product_id = \(product) AND channel = 'ota'
            """).first!
        return (try row.decode("allocated"), try row.decode("reserved"), try row.decode("sold"), try row.decode("holds"))
    }

    @Test func availabilityIsCheckedBeforeThePerHoldMaximum() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partnerId(db)
        guard case .held(let first, _, _) = try hold(db, quantity: 50, partner: p) else { Issue.record("first hold refused"); return }
        #expect(first == 1950)
        guard case .held(let left, _, _) = try hold(db, quantity: 50, partner: p) else { Issue.record("second hold refused"); return }
        #expect(left == 1900)
        #expect(try hold(db, quantity: 5000, partner: p) == .insufficient(available: 1900))
        #expect(try hold(db, quantity: Int(Int32.max), partner: p) == .insufficient(available: 1900))
        #expect(try hold(db, quantity: 101, partner: p) == .overLimit(available: 1900, maxPerHold: 100))
        #expect(try hold(db, quantity: 1, product: 999, partner: p) == .noAllocation)
        let after = try pool(db)
        #expect(after.reserved == 100 && after.activeHolds == 100)
    }

    @Test func theDatabaseRefusesAnOversellEvenWhenCodeIsBypassed() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let oversell = postgresError { try db.query("UPDATE channel_inventory SET reserved = allocated + 1 WHERE product_id = 106 AND channel = 'ota'") }
        #expect(oversell?.code == .checkViolation, "refused, else an oversell was written")
        #expect(oversell?.constraint == "channel_inventory_no_oversell", "refused, else an oversell was written")
        // A drift that does not oversell is refused too: reserved follows the holds only.
        #expect(postgresError { try db.query("UPDATE channel_inventory SET reserved = 5 WHERE product_id = 106 AND channel = 'ota'") }?.constraint == "channel_inventory_derived_counters", "refused, else reserved drifted from the holds")
        // Allocations never exceed the sellable cap.
        #expect(postgresError { try db.query("UPDATE channel_inventory SET allocated = 2001 WHERE product_id = 106 AND channel = 'ota'") }?.code == .checkViolation, "refused, else allocations exceeded the sellable cap")
        #expect(try pool(db).reserved == 0)
    }

    @Test func aLockedPoolRowAnswersBusyWithinTheLockTimeout() throws {
        let t = try TestDatabase()
        let blocker = try t.connect()
        var config = PostgresConfiguration(url: t.url)
        config.lockTimeout = .milliseconds(200)
        let db = try PostgresConnection(config)
        let p = try partnerId(db)
        try blocker.transaction { () throws -> Void in
            try blocker.query("SELECT * FROM inventory_slots WHERE product_id = 106 AND channel = 'ota' FOR UPDATE")
            let started = Date()
            #expect(throws: StoreError.self) { try hold(db, quantity: 1, partner: p) }
            do { _ = try hold(db, quantity: 1, partner: p) } catch let e as StoreError {
                guard case .busy = e else { Issue.record("expected busy, got \(e)"); return }
            }
            // Two waits of the configured 200 ms; generous, yet short of two of the 3 s default.
            #expect(Date().timeIntervalSince(started) < 5)
        }
        #expect(try pool(db).reserved == 0)
    }

    @Test func concurrentHoldsNeverSumAboveTheAllocation() throws {
        let t = try TestDatabase()
        let url = t.url
        let setup = try t.connect()
        let p = try partnerId(setup)
        let held = Mutex64()
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            guard let db = try? PostgresConnection(PostgresConfiguration(url: url)) else { return }
            var rng = SeededGenerator("HoldTests.concurrentHolds", i)
            while true {
                let q = Int.random(in: 1...100, using: &rng)
                guard let outcome = try? hold(db, quantity: q, partner: p) else { continue }
                switch outcome {
                case .held: held.add(q)
                case .insufficient(let available): if available == 0 { return }
                default: return
                }
            }
        }
        let after = try pool(setup)
        #expect(held.value == 2000, "\(TestSeed.replay)")
        #expect(after.reserved == held.value, "\(TestSeed.replay)")
        #expect(after.activeHolds == after.reserved)
        #expect(after.reserved + after.sold <= after.allocated)
    }
}

/// A counter shared by test threads.
final class Mutex64: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var total = 0
    func add(_ n: Int) { lock.lock(); total += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return total }
}
