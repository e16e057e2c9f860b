import Foundation
import Testing
import OTACrypto
import OTADomain
import Postgres
import TestSupport
@testable import OTAStore

/// A partner's allotment inside the shared OTA pool (0010): ota_hold's 'over_allotment'
/// outcome and the same rule for bulk ticket generation, against the seeded template
/// (product 106: 2000 OTA units).
@Suite struct AllotmentTests {
    let snapshot = PricingSnapshot(basePrice: Money("288")!, weekendPremium: Money("30")!, discounts: [], specialDates: [], currency: "CNY")

    func partnerId(_ db: PostgresConnection, _ code: String) throws -> Int64 {
        try #require(try db.query("SELECT partner_id FROM partners WHERE code = \(code)").first).decode("partner_id", as: Int64.self)
    }

    func hold(_ db: PostgresConnection, _ partner: Int64, _ quantity: Int, product: Int = 106, maxUnits: Int = 100) throws -> HoldOutcome {
        let request = HoldRequest(productId: product, quantity: quantity, expiresAt: Timestamp(seconds: Int64(Date().timeIntervalSince1970) + 3600))
        return try ReservationStore(db).hold(reservationId: try SecureRandom.identifier(prefix: "res_"), partnerId: partner,
                                             request: request, maxUnitsPerHold: maxUnits, snapshot: snapshot)
    }

    func generate(_ db: PostgresConnection, _ partner: Int64, _ quantity: Int) throws -> BatchStore.GenerateOutcome {
        let body = "{\"product_id\": 106, \"quantity\": \(quantity), \"distribution_mode\": \"reseller_batch\"}"
        let request = BulkGenerateRequest(productId: 106, quantity: quantity, batchId: nil, mode: .resellerBatch, specialPricing: nil,
                                          reseller: nil)
        let codes = try (0..<quantity).map { _ in try SecureRandom.ticketCode() }
        return try BatchStore(db).generate(partnerId: partner, request: request, requestHash: Digest.sha256(body + UUID().uuidString),
                                           batchId: try SecureRandom.identifier(prefix: "bat_"), ticketCodes: codes,
                                           today: LocalDate(year: 2026, month: 12, day: 1)!)
    }

    func allot(_ db: PostgresConnection, _ partner: Int64, _ units: Int) throws {
        #expect(try AllocationStore(db).setAllotment(partnerId: partner, productId: 106, units: units) != .noOTAPool)
    }

    @Test func holdsPastTheAllotmentAnswerOverAllotmentWithWhatIsLeft() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let capped = try partnerId(db, "ota-test-partner")
        let other = try partnerId(db, "ota251103")
        try allot(db, capped, 10)

        guard case .held(let available, _, _) = try hold(db, capped, 6) else { Issue.record("first hold refused"); return }
        #expect(available == 1994)
        #expect(try hold(db, capped, 5) == .overAllotment(remaining: 4))
        // Availability first: more than the pool has is 'insufficient', whatever the allotment.
        #expect(try hold(db, capped, 5000) == .insufficient(available: 1994))
        // The allotment before the per-hold maximum: the partner learns what it has left.
        #expect(try hold(db, capped, 5, maxUnits: 3) == .overAllotment(remaining: 4))
        #expect(try hold(db, capped, 4, maxUnits: 3) == .overLimit(available: 1994, maxPerHold: 3))
        // Others share the pool without the cap.
        guard case .held = try hold(db, other, 100) else { Issue.record("uncapped partner refused"); return }
        guard case .held = try hold(db, capped, 4) else { Issue.record("hold within the allotment refused"); return }
        #expect(try hold(db, capped, 1) == .overAllotment(remaining: 0))

        // An ended hold gives its units back to the allotment.
        try db.query("""
            UPDATE reservations SET status = 'cancelled', ended_at = now()
             WHERE partner_id = \(capped) AND quantity = 6 AND status = 'active'
            """)
        #expect(try hold(db, capped, 7) == .overAllotment(remaining: 6))
        guard case .held = try hold(db, capped, 6) else { Issue.record("released units not usable"); return }
    }

    @Test func ticketsCountTowardsTheAllotmentAndBatchesRespectIt() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let capped = try partnerId(db, "ota-test-partner")
        try allot(db, capped, 10)

        guard case .created(_, let codes) = try generate(db, capped, 8) else { Issue.record("batch within the allotment refused"); return }
        guard case .overAllotment(let remaining) = try generate(db, capped, 3) else { Issue.record("batch past the allotment accepted"); return }
        #expect(remaining == 2)
        #expect(try hold(db, capped, 3) == .overAllotment(remaining: 2))
        // A cancelled ticket no longer counts.
        guard case .cancelled = try TicketStore(db).cancel(ticketCode: codes[0], partnerId: capped) else {
            Issue.record("cancelling an unredeemed ticket refused"); return
        }
        guard case .created = try generate(db, capped, 3) else { Issue.record("batch after a cancellation refused"); return }
        #expect(try hold(db, capped, 1) == .overAllotment(remaining: 0))
        #expect(try db.query("SELECT ota_allotment_remaining(\(capped), 106) AS r").first?.decode("r", as: Int.self) == 0)
        // Without an allotment there is no limit but the pool.
        #expect(try db.query("SELECT ota_allotment_remaining(\(try partnerId(db, "ota251103")), 106) AS r").first?.isNull("r") == true)
    }

    @Test func concurrentHoldsNeverExceedTheAllotment() throws {
        let t = try TestDatabase()
        let setup = try t.connect()
        let capped = try partnerId(setup, "ota-test-partner")
        try allot(setup, capped, 150)
        let url = t.url
        let held = Mutex64()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            guard let db = try? PostgresConnection(PostgresConfiguration(url: url)) else { return }
            var rng = SeededGenerator("AllotmentTests.concurrentHolds", i)
            while true {
                let q = Int.random(in: 1...7, using: &rng)
                guard let outcome = try? hold(db, capped, q) else { continue }
                switch outcome {
                case .held: held.add(q)
                case .overAllotment(let remaining): if remaining == 0 { return }
                default: return
                }
            }
        }
        #expect(held.value == 150, "\(TestSeed.replay)")
        #expect(try setup.query("SELECT ota_partner_usage(\(capped), 106) AS u").first?.decode("u", as: Int.self) == 150)
        #expect(try setup.query("SELECT reserved FROM channel_inventory WHERE product_id = 106 AND channel = 'ota'")
            .first?.decode("reserved", as: Int.self) == 150)
    }

    @Test func anAllotmentCannotBeSetBelowWhatThePartnerUses() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partnerId(db, "ota251103")
        guard case .held = try hold(db, p, 12) else { Issue.record("hold refused"); return }
        let store = AllocationStore(db)
        #expect(try store.setAllotment(partnerId: p, productId: 106, units: 11) == .belowUsage(used: 12))
        guard case .set(let a) = try store.setAllotment(partnerId: p, productId: 106, units: 12) else { Issue.record("not set"); return }
        #expect(a.used == 12 && a.remaining == 0)
        #expect(try store.setAllotment(partnerId: p, productId: 999, units: 1) == .noOTAPool)
        #expect(try store.setAllotment(partnerId: p, productId: 106, units: nil) == .removed)
        #expect(try store.setAllotment(partnerId: p, productId: 106, units: nil) == .nothingToRemove)
        #expect(try InvariantCheck(db).run().allSatisfy { $0.status == .ok })
    }
}
