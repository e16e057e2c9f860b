import Foundation
import JSON
import Testing
import OTACrypto
import OTADomain
import Postgres
import TestSupport
@testable import OTAStore

/// Striped pools (0017): product 106's OTA pool (2000 units in the seeded template) split
/// over K slot rows. Every use case keeps the invariants per slot and per pool, which
/// `InvariantCheck` (ota-admin verify) checks after each step.
@Suite struct StripedPoolTests {
    let snapshot = PricingSnapshot(basePrice: Money("288")!, weekendPremium: Money("30")!, discounts: [], specialDates: [], currency: "CNY")
    static let today = LocalDate(year: 2026, month: 12, day: 1)!

    func partnerId(_ db: PostgresConnection, _ code: String = "ota-test-partner") throws -> Int64 {
        try #require(try db.query("SELECT partner_id FROM partners WHERE code = \(code)").first).decode("partner_id", as: Int64.self)
    }

    func stripe(_ db: PostgresConnection, _ k: Int, product: Int = 106) throws {
        guard case .changed(let pool, let slots) = try AllocationStore(db).stripes(productId: product, k: k) else {
            Issue.record("stripes \(k) refused"); return
        }
        #expect(pool.stripes == k && slots.filter(\.open).map(\.slot) == Array(0..<k))
    }

    func hold(_ db: PostgresConnection, _ partner: Int64, _ quantity: Int, maxUnits: Int = 100, expiresIn: Int64 = 3600,
              id: String? = nil) throws -> HoldOutcome {
        let request = HoldRequest(productId: 106, quantity: quantity, expiresAt: Timestamp(seconds: Int64(Date().timeIntervalSince1970) + expiresIn))
        return try ReservationStore(db).hold(reservationId: try id ?? SecureRandom.identifier(prefix: "res_"), partnerId: partner,
                                             request: request, maxUnitsPerHold: maxUnits, snapshot: snapshot)
    }

    func pool(_ db: PostgresConnection) throws -> ChannelAllocation {
        try #require(try AllocationStore(db).pools(productId: 106).first { $0.channel == "ota" })
    }

    func slots(_ db: PostgresConnection) throws -> [InventorySlot] { try AllocationStore(db).slots(productId: 106, channel: .ota) }

    /// `ota-admin verify`'s checks: no drift (a stale-hold warning is no drift).
    func expectClean(_ db: PostgresConnection, _ step: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let drifts = try InvariantCheck(db).run().filter { $0.status == .drift }
        #expect(drifts.isEmpty, "\(step): \(drifts.map { "\($0.name): \($0.summary) \($0.details)" })", sourceLocation: sourceLocation)
    }

    func generate(_ db: PostgresConnection, _ partner: Int64, _ quantity: Int) throws -> BatchStore.GenerateOutcome {
        let request = BulkGenerateRequest(productId: 106, quantity: quantity, batchId: nil, mode: .resellerBatch, specialPricing: nil,
                                          reseller: nil)
        let codes = try (0..<quantity).map { _ in try SecureRandom.ticketCode() }
        return try BatchStore(db).generate(partnerId: partner, request: request, requestHash: Digest.sha256(UUID().uuidString),
                                           batchId: try SecureRandom.identifier(prefix: "bat_"), ticketCodes: codes, today: Self.today)
    }

    func activate(_ db: PostgresConnection, _ partner: Int64, _ reservationId: String, units: Int) throws -> ReservationStore.ActivateOutcome {
        let request = ActivationRequest(customer: Customer(name: "Ann Example"),
                                        units: Array(repeating: .init(customerType: "adult", travelDate: nil), count: units))
        return try ReservationStore(db).activate(reservationId: reservationId, partnerId: partner, request: request,
                                                 orderId: try SecureRandom.identifier(prefix: "ord_"),
                                                 ticketCodes: try (0..<units).map { _ in try SecureRandom.ticketCode() }, today: Self.today)
    }

    @Test func concurrentHoldsOfRandomSizesAcrossEightSlotsNeverSumAboveTheAllocation() throws {
        let t = try TestDatabase()
        let url = t.url
        let setup = try t.connect()
        let p = try partnerId(setup)
        try stripe(setup, 8)
        let held = Mutex64()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            guard let db = try? PostgresConnection(PostgresConfiguration(url: url)) else { return }
            var rng = SeededGenerator("StripedPoolTests.concurrentHolds", i)
            for _ in 0..<2000 {
                let q = Int.random(in: 1...100, using: &rng)
                guard let outcome = try? hold(db, p, q) else { continue }
                switch outcome {
                case .held: held.add(q)
                case .insufficient(let available): if available == 0 { return }
                default: return
                }
            }
        }
        let after = try pool(setup)
        #expect(held.value == 2000, "\(TestSeed.replay)")
        #expect(after.reserved == held.value && after.allocated == 2000, "\(TestSeed.replay)")
        #expect(try slots(setup).allSatisfy { $0.reserved + $0.sold <= $0.allocated })
        #expect(Set(try setup.query("SELECT DISTINCT slot FROM reservations WHERE product_id = 106").map { try $0.decode("slot", as: Int.self) }).count > 1,
                "the holds spread over the slots")
        try expectClean(setup, "after the concurrent holds")
    }

    @Test func aQuantityNoSingleSlotHoldsButThePoolDoesIsHeldAndMoreThanThePoolIs409WithTheExactAvailable() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partnerId(db)
        try stripe(db, 4)
        #expect(try slots(db).map(\.available) == [500, 500, 500, 500])
        guard case .held(let left, _, _) = try hold(db, p, 1500, maxUnits: 2000) else { Issue.record("1500 of 2000 refused"); return }
        #expect(left == 500)
        #expect(try slots(db).map(\.available).reduce(0, +) == 500 && slots(db).contains { $0.reserved == 1500 })
        try expectClean(db, "after the slow-path hold")
        // More than the pool: 409 with the pool-wide figure, also above the per-hold maximum.
        #expect(try hold(db, p, 501, maxUnits: 2000) == .insufficient(available: 500))
        #expect(try hold(db, p, 5000) == .insufficient(available: 500))
        #expect(try hold(db, p, Int(Int32.max)) == .insufficient(available: 500))
        // Within the pool but above the per-hold maximum: 422 with the exact available.
        #expect(try hold(db, p, 101) == .overLimit(available: 500, maxPerHold: 100))
        // Free units spread unevenly: 300 no slot has alone, the pool has.
        guard case .held = try hold(db, p, 200, maxUnits: 2000) else { Issue.record("200 refused"); return }
        guard case .held(let rest, _, _) = try hold(db, p, 300, maxUnits: 2000) else { Issue.record("the last 300 refused"); return }
        #expect(rest == 0)
        #expect(try hold(db, p, 1) == .insufficient(available: 0))
        try expectClean(db, "after the pool is exhausted")
    }

    @Test func movesAllocationChangesExpiryCancelActivationTicketsAndBatchesKeepEveryInvariant() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partnerId(db)
        let store = AllocationStore(db)
        try stripe(db, 8)
        var ids: [String] = []
        for q in [40, 60, 100, 7, 93] {
            let id = try SecureRandom.identifier(prefix: "res_")
            guard case .held = try hold(db, p, q, id: id) else { Issue.record("hold \(q) refused"); return }
            ids.append(id)
        }
        try expectClean(db, "after the holds")

        guard case .changed = try store.move(productId: 106, from: .ota, to: .direct, units: 500) else { Issue.record("move refused"); return }
        #expect(try pool(db).allocated == 1500 && pool(db).reserved == 300)
        try expectClean(db, "after moving 500 to direct")
        guard case .changed = try store.move(productId: 106, from: .direct, to: .ota, units: 200) else { Issue.record("move back refused"); return }
        try expectClean(db, "after moving 200 back")
        guard case .changed = try store.set(productId: 106, channel: .ota, units: 1000) else { Issue.record("set down refused"); return }
        #expect(try pool(db).allocated == 1000 && slots(db).map(\.allocated).reduce(0, +) == 1000)
        guard case .belowCommitted = try store.set(productId: 106, channel: .ota, units: 299) else { Issue.record("set below reserved"); return }
        guard case .aboveCap = try store.set(productId: 106, channel: .ota, units: 1701) else { Issue.record("set above the cap"); return }
        guard case .changed = try store.set(productId: 106, channel: .ota, units: 1700) else { Issue.record("set up refused"); return }
        #expect(try pool(db).allocated == 1700)
        try expectClean(db, "after the allocation changes")

        // Cancel, activation, expiry, each on its own slot.
        guard case .cancelled = try ReservationStore(db).cancel(reservationId: ids[0], partnerId: p) else { Issue.record("cancel"); return }
        try expectClean(db, "after a cancel")
        guard case .activated(_, let tickets) = try activate(db, p, ids[1], units: 60) else { Issue.record("activation"); return }
        #expect(try tickets.count == 60 && pool(db).sold == 60)
        let activatedSlot = try #require(try db.query("SELECT slot FROM reservations WHERE reservation_id = \(ids[1])").first).decode("slot", as: Int.self)
        let ticketSlots = try db.query("SELECT slot FROM tickets WHERE order_id IS NOT NULL").map { try $0.decode("slot", as: Int.self) }
        #expect(Set(ticketSlots) == [activatedSlot], "the tickets are on the hold's slot")
        try expectClean(db, "after an activation")
        try db.query("""
            UPDATE reservations SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'
             WHERE reservation_id = ANY(\([ids[2], ids[3]])::text[])
            """)
        #expect(try ExpiryStore(db).expireDueHolds(limit: 10).map(\.quantity).sorted() == [7, 100])
        #expect(try pool(db).reserved == 93)
        try expectClean(db, "after the expiry")

        // A ticket cancelled gives its unit back to its slot; a batch takes its units on one slot.
        guard case .cancelled = try TicketStore(db).cancel(ticketCode: tickets[0].ticketCode, partnerId: p) else { Issue.record("ticket cancel"); return }
        #expect(try pool(db).sold == 59)
        try expectClean(db, "after a ticket cancellation")
        guard case .created(_, let codes) = try generate(db, p, 1500) else { Issue.record("batch of 1500 refused"); return }
        #expect(Set(try db.query("SELECT slot FROM tickets WHERE ticket_code = ANY(\(codes)::text[])").map { try $0.decode("slot", as: Int.self) }).count == 1)
        #expect(try pool(db).sold == 1559)
        guard case .insufficient(let available) = try generate(db, p, 1000) else { Issue.record("a batch above the pool"); return }
        #expect(available == 1700 - 93 - 1559)
        try expectClean(db, "after the batches")
    }

    @Test func aPartnersAllotmentIsNeverExceededByConcurrentHoldsOnDifferentSlots() throws {
        let t = try TestDatabase()
        let url = t.url
        let setup = try t.connect()
        let p = try partnerId(setup)
        try stripe(setup, 8)
        #expect(try AllocationStore(setup).setAllotment(partnerId: p, productId: 106, units: 50) != .noOTAPool)
        let held = Mutex64()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            guard let db = try? PostgresConnection(PostgresConfiguration(url: url)) else { return }
            var rng = SeededGenerator("StripedPoolTests.allotment", i)
            for _ in 0..<500 {
                let q = Int.random(in: 1...10, using: &rng)
                guard let outcome = try? hold(db, p, q) else { continue }
                switch outcome {
                case .held: held.add(q)
                case .overAllotment(let remaining): if remaining == 0 { return }
                default: return
                }
            }
        }
        #expect(held.value == 50, "\(TestSeed.replay)")
        #expect(try pool(setup).reserved == 50)
        #expect(try hold(setup, try partnerId(setup, "ota251103"), 100).isHeld, "the pool is still shared")
        try expectClean(setup, "after the capped holds")
    }

    @Test func changingTheStripesUpAndDownWithHoldsAndSoldTicketsKeepsTheTotals() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partnerId(db)
        var ids: [String] = []
        for q in [100, 50, 25] {
            let id = try SecureRandom.identifier(prefix: "res_")
            guard case .held = try hold(db, p, q, id: id) else { Issue.record("hold refused"); return }
            ids.append(id)
        }
        guard case .created = try generate(db, p, 300) else { Issue.record("batch refused"); return }
        var before = try pool(db)
        for k in [16, 3, 64, 1, 5] {
            try stripe(db, k)
            let now = try pool(db)
            #expect((now.allocated, now.reserved, now.sold) == (before.allocated, before.reserved, before.sold), "K=\(k)")
            #expect(try slots(db).filter { !$0.open }.allSatisfy { $0.available == 0 }, "K=\(k): closed slots give their free units back")
            try expectClean(db, "K=\(k)")
            guard case .held = try hold(db, p, 10) else { Issue.record("K=\(k): hold refused"); return }
            before.reserved += 10
        }
        // Holds on slots that are now closed still end on their slot.
        for id in ids { guard case .cancelled = try ReservationStore(db).cancel(reservationId: id, partnerId: p) else { Issue.record("cancel"); return } }
        #expect(try pool(db).reserved == 50)
        try expectClean(db, "after the cancels")
        guard case .outOfRange(65) = try AllocationStore(db).stripes(productId: 106, k: 65) else { Issue.record("K=65 accepted"); return }
        guard case .outOfRange(0) = try AllocationStore(db).stripes(productId: 106, k: 0) else { Issue.record("K=0 accepted"); return }
        guard case .unknownProduct = try AllocationStore(db).stripes(productId: 999, k: 2) else { Issue.record("no product"); return }
        // The remaining units, all of them, through the slow path.
        let free = try pool(db).available
        guard case .held(let rest, _, _) = try hold(db, p, free, maxUnits: free) else { Issue.record("the rest refused"); return }
        #expect(rest == 0)
    }

    @Test func unitsFreedOnAClosedSlotCountAndTheSlowPathTakesThem() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partnerId(db)
        try stripe(db, 4)
        // A hold that landed on slot 3 (the fast path picks slots at random).
        var onSlot3: String?
        for _ in 0..<200 where onSlot3 == nil {
            let id = try SecureRandom.identifier(prefix: "res_")
            guard case .held = try hold(db, p, 5, id: id) else { Issue.record("hold refused"); return }
            if try db.query("SELECT slot FROM reservations WHERE reservation_id = \(id)").first?.decode("slot", as: Int.self) == 3 { onSlot3 = id }
        }
        let id = try #require(onSlot3)
        try stripe(db, 1)
        #expect(try slots(db).filter { !$0.open }.allSatisfy { $0.available == 0 })
        let before = try pool(db).available
        guard case .cancelled = try ReservationStore(db).cancel(reservationId: id, partnerId: p) else { Issue.record("cancel"); return }
        #expect(try slots(db)[3].available == 5, "the units go back to the closed slot they were held on")
        #expect(try pool(db).available == before + 5)
        try expectClean(db, "after a release on a closed slot")
        guard case .held(let rest, _, _) = try hold(db, p, before + 5, maxUnits: 5000) else { Issue.record("the whole pool refused"); return }
        #expect(rest == 0)
        #expect(try slots(db).allSatisfy { $0.available == 0 })
        try expectClean(db, "after the slow path took the closed slot's units")
    }

    @Test func aDBAsUpdateOfTheViewSetsThePoolTotalAndCountersStayDerived() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partnerId(db)
        try stripe(db, 8)
        guard case .held = try hold(db, p, 30) else { Issue.record("hold refused"); return }
        try db.query("UPDATE channel_inventory SET allocated = 1500 WHERE product_id = 106 AND channel = 'ota'")
        #expect(try pool(db).allocated == 1500 && slots(db).map(\.allocated).reduce(0, +) == 1500)
        #expect(try slots(db).map(\.available).max()! - slots(db).map(\.available).min()! <= 1, "the free units spread evenly")
        try db.query("UPDATE channel_inventory SET stripes = 2 WHERE product_id = 106 AND channel = 'ota'")
        #expect(try pool(db).stripes == 2 && pool(db).allocated == 1500)
        for sql: PostgresQuery in ["UPDATE channel_inventory SET reserved = 0 WHERE product_id = 106 AND channel = 'ota'",
                                   "UPDATE inventory_slots SET reserved = 0 WHERE product_id = 106 AND channel = 'ota'",
                                   "UPDATE inventory_slots SET sold = 1 WHERE product_id = 106 AND channel = 'ota' AND slot = 1"] {
            #expect(postgresError { try db.query(sql) }?.constraint == "channel_inventory_derived_counters", "refused, else a counter was written directly")
        }
        #expect(postgresError { try db.query("UPDATE channel_inventory SET allocated = 29 WHERE product_id = 106 AND channel = 'ota'") }?.constraint == "channel_inventory_no_oversell", "refused, else the allocation went below the holds")
        #expect(postgresError { try db.query("UPDATE channel_inventory SET allocated = 2001 WHERE product_id = 106 AND channel = 'ota'") }?.constraint == "channel_inventory_within_sellable_cap", "refused, else the allocations passed the sellable cap")
        try db.query("INSERT INTO products (product_id, name, sellable_cap, weekday_price, weekend_price) VALUES (109, 'Striped', 1000, 1, 1)")
        try db.query("INSERT INTO channel_inventory (product_id, channel, allocated, stripes) VALUES (109, 'ota', 100, 4)")
        #expect(try AllocationStore(db).slots(productId: 109, channel: .ota).map(\.allocated) == [25, 25, 25, 25])
        try expectClean(db, "after the DBA's changes")
    }

    /// 0019 checks the cap with a row trigger queued only when a slot's allocated grows:
    /// a raw write to one slot is still refused above the cap, and a rebalance between
    /// slots (the slow path raising one slot, lowering others) still passes.
    @Test func aRawSlotRaiseAboveTheCapIsRefusedAndARebalanceIsNot() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partnerId(db)
        try stripe(db, 4) // 2000 units over 4 slots of 500; the product's cap is 3000 with 1000 direct
        #expect(postgresError { try db.query("UPDATE inventory_slots SET allocated = allocated + 1 WHERE product_id = 106 AND channel = 'ota' AND slot = 2") }?.constraint == "channel_inventory_within_sellable_cap", "refused, else a slot's raw raise passed the sellable cap")
        // 900 units: no slot has them, so the slow path moves units into one slot.
        guard case .held = try hold(db, p, 900, maxUnits: 2000) else { Issue.record("900 of 2000 refused"); return }
        #expect(try slots(db).map(\.allocated).reduce(0, +) == 2000)
        #expect(try slots(db).contains { $0.allocated >= 900 })
        try expectClean(db, "after the raw write and the rebalance")
    }

    @Test func existingPoolsHoldsAndTicketsBecomeOneSlotEachOnUpgrade() throws {
        // A database before 0017 (built the old way, to 0011), seeded, with holds and tickets.
        let t = try TestDatabase(template: "template0")
        let db = try t.connect()
        for m in try Migrator.load(directory: FunctionsFirstTests.fixture) where m.version <= 11 { try db.execute(unescaped: m.sql) }
        let data = try #require(FileManager.default.contents(atPath: repositoryRoot + "/config/catalog.json"))
        try CatalogSeed(json: try JSONValue.parse([UInt8](data))).apply(to: db, devPartners: true)
        let p = try partnerId(db)
        for q in [10, 20, 30] { guard case .held = try hold(db, p, q) else { Issue.record("hold before the upgrade"); return } }
        try db.query("""
            UPDATE reservations SET status = 'activated', ended_at = now() WHERE quantity = 10;
            """)
        try db.execute(unescaped: """
            INSERT INTO orders (order_id, partner_id, reservation_id, product_id, quantity, total_amount, currency, customer_name)
            SELECT 'ord_aaaaaaaaaaaaaaaaaaaaaaaa', partner_id, reservation_id, 106, 10, 0, 'CNY', 'Ann'
              FROM reservations WHERE quantity = 10;
            INSERT INTO tickets (ticket_code, partner_id, product_id, order_id, status, price)
            SELECT 'TKT-AAAAAAAAAAAAAAA' || g, partner_id, 106, 'ord_aaaaaaaaaaaaaaaaaaaaaaaa', 'ACTIVE', 0
              FROM reservations, generate_series(0, 9) g WHERE quantity = 10;
            """)
        let poolsBefore = try db.query("SELECT product_id, channel, allocated, reserved, sold FROM channel_inventory ORDER BY 1, 2")
            .map { try "\($0.decode("product_id", as: Int.self)) \($0.decode("channel", as: String.self)) \($0.decode("allocated", as: Int.self)) \($0.decode("reserved", as: Int.self)) \($0.decode("sold", as: Int.self))" }
        #expect(poolsBefore.contains("106 ota 2000 50 10"))

        try Migrator.migrate(db, try Migrator.source(directory: repositoryRoot + "/sql"))
        let poolsAfter = try db.query("SELECT product_id, channel, allocated, reserved, sold FROM channel_inventory ORDER BY 1, 2")
            .map { try "\($0.decode("product_id", as: Int.self)) \($0.decode("channel", as: String.self)) \($0.decode("allocated", as: Int.self)) \($0.decode("reserved", as: Int.self)) \($0.decode("sold", as: Int.self))" }
        #expect(poolsAfter == poolsBefore)
        #expect(try db.query("SELECT DISTINCT stripes FROM channel_pools").map { try $0.decode("stripes", as: Int.self) } == [1])
        #expect(try db.query("SELECT DISTINCT slot FROM inventory_slots UNION SELECT slot FROM reservations UNION SELECT slot FROM tickets")
            .map { try $0.decode("slot", as: Int.self) } == [0])
        try expectClean(db, "after the upgrade")
        // And it keeps working, striped.
        try stripe(db, 4)
        guard case .held = try hold(db, p, 100) else { Issue.record("hold after the upgrade"); return }
        try expectClean(db, "striped after the upgrade")
    }
}

extension HoldOutcome {
    var isHeld: Bool { if case .held = self { true } else { false } }
}
