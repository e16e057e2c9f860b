import Foundation
import Testing
import OTADomain
import Postgres
import TestSupport
@testable import OTAStore

/// Every KPI of the console against KPIFixture, computed by hand (see the table there).
@Suite struct KPITests {
    static let from = Timestamp(rfc3339: "2026-01-10T00:00:00Z")!
    static let to = Timestamp(rfc3339: "2026-01-12T00:00:00Z")!

    func fixture() throws -> (TestDatabase, PostgresConnection) {
        let t = try TestDatabase()
        let db = try t.connect()
        try KPIFixture.load(db)
        return (t, db)
    }

    func partner(_ db: PostgresConnection, _ code: String) throws -> Int64 {
        try #require(try db.query("SELECT partner_id FROM partners WHERE code = \(code)").first).decode("partner_id")
    }

    @Test func holdsAndRatesCountTheWindowEdgesExactly() throws {
        let (t, db) = try fixture()
        defer { withExtendedLifetime(t) {} }
        let r = try KPIStore(db).report(from: Self.from, to: Self.to, filter: KPI.Filter())
        // Made in W: r2 (at `from`), r3 (the last microsecond), r4, r6, r7; not r1 (a second
        // before) nor r5 (at `to`).
        #expect(r.total.holds.made == 5)
        #expect(r.total.holds.madeUnits == 17)
        // Ended in W: r1 (at `from`) and r6 activated, r4 cancelled, r2 expired; r3 ended at `to`.
        #expect(r.total.holds.activated == 2)
        #expect(r.total.holds.cancelled == 1)
        #expect(r.total.holds.expired == 1)
        #expect(r.total.holds.activationRate == 0.5)
        #expect(r.total.holds.expiryRate == 0.25)
    }

    @Test func salesRedemptionsAndBilling() throws {
        let (t, db) = try fixture()
        defer { withExtendedLifetime(t) {} }
        let r = try KPIStore(db).report(from: Self.from, to: Self.to, filter: KPI.Filter())
        #expect(r.total.sales.fromHolds == 11, "r1's 5 (at from) and r6's 6")
        #expect(r.total.sales.fromBatches == 4, "b-jan; a-jan was generated before W")
        #expect(r.total.sales.cancelled == 1)
        #expect(r.total.billing.redemptions == 2, "the third is at `to`")
        #expect(r.total.billing.billedTickets == 2)
        #expect(r.total.billing.gross == Money("388.00"))
        #expect(r.total.billing.commission == Money("10.00"))
        #expect(r.total.billing.net == Money("378.00"))
        #expect(r.partnersOnboarded == 1, "late-co")
        #expect(r.partnersActive == 3)
    }

    @Test func perProductIncludingOneWithoutTraffic() throws {
        let (t, db) = try fixture()
        defer { withExtendedLifetime(t) {} }
        let r = try KPIStore(db).report(from: Self.from, to: Self.to, filter: KPI.Filter())
        #expect(r.products.map(\.productId) == [106, 107, 108])
        let p106 = r.products[0].activity, p107 = r.products[1].activity, p108 = r.products[2].activity
        #expect((p106.holds.made, p106.holds.madeUnits, p106.holds.activated, p106.holds.expired, p106.holds.cancelled) == (3, 7, 1, 1, 0))
        #expect((p107.holds.made, p107.holds.madeUnits, p107.holds.activated, p107.holds.cancelled) == (2, 10, 1, 1))
        #expect((p106.sales.fromHolds, p106.sales.fromBatches, p106.sales.cancelled) == (5, 4, 1))
        #expect((p107.sales.fromHolds, p107.sales.fromBatches) == (6, 0))
        #expect(p106.billing.gross == Money("100.00") && p107.billing.gross == Money("288.00"))
        #expect(p108 == KPI.Activity(), "no traffic: every figure zero")
        #expect(p108.holds.activationRate == nil && p108.holds.expiryRate == nil, "no rate without ended holds")
        // Filtered to 108 alone: zeros, and its pools only.
        let only = try KPIStore(db).report(from: Self.from, to: Self.to, filter: KPI.Filter(productId: 108))
        #expect(only.total == KPI.Activity())
        #expect(only.products.map(\.productId) == [108])
        #expect(Set(only.pools.map(\.productId)) == [108])
        #expect(only.partners.isEmpty)
    }

    @Test func perPartnerAndTopPartners() throws {
        let (t, db) = try fixture()
        defer { withExtendedLifetime(t) {} }
        let a = try partner(db, "ota-test-partner")
        let r = try KPIStore(db).report(from: Self.from, to: Self.to, filter: KPI.Filter())
        #expect(r.partners.count == 2, "late-co did nothing")
        let top = try #require(r.partners.first)
        #expect(top.partnerId == a, "A sold 11 units, B 4")
        #expect((top.activity.holds.made, top.activity.holds.activated, top.activity.holds.expired) == (3, 2, 1))
        #expect(top.activity.sales.total == 11)
        let b = r.partners[1].activity
        #expect((b.holds.made, b.holds.cancelled, b.sales.fromBatches) == (2, 1, 4))
        #expect(b.billing.net == Money("90.00"))

        let onlyA = try KPIStore(db).report(from: Self.from, to: Self.to, filter: KPI.Filter(partnerId: a))
        #expect(onlyA.total == top.activity)
        #expect(onlyA.partnersOnboarded == 0)
        #expect(onlyA.pools.count == 6, "pools are shared: the partner filter leaves them whole")
    }

    @Test func utilisationNowAndInvariants() throws {
        let (t, db) = try fixture()
        defer { withExtendedLifetime(t) {} }
        let r = try KPIStore(db).report(from: Self.from, to: Self.to, filter: KPI.Filter())
        let ota = Dictionary(uniqueKeysWithValues: r.pools.filter { $0.channel == "ota" }.map { ($0.productId, $0) })
        // 106: r7 held (2); r1's 4 live tickets and b-jan's 4 sold. 107: r5 held (1); r6's 6 and a-jan's 3.
        #expect((ota[106]?.reserved, ota[106]?.sold) == (2, 8))
        #expect((ota[107]?.reserved, ota[107]?.sold) == (1, 9))
        #expect(ota[106]?.utilisation == 10.0 / 2000)
        #expect(ota[108]?.utilisation == 0)
        #expect(r.utilisation(channel: "ota") == 20.0 / 5000)
        #expect(!r.invariants.isEmpty)
        #expect(r.invariants.allSatisfy { $0.status != .drift })
    }

    @Test func dailySeriesOfHoldsRatesAndUtilisation() throws {
        let (t, db) = try fixture()
        defer { withExtendedLifetime(t) {} }
        let from = Timestamp(rfc3339: "2026-01-09T00:00:00Z")!
        let store = KPIStore(db)
        let holds = try store.series(.holds, step: .day, from: from, to: Self.to, filter: KPI.Filter())
        #expect(holds.starts.map(\.description) == ["2026-01-09T00:00:00Z", "2026-01-10T00:00:00Z", "2026-01-11T00:00:00Z"])
        func values(_ r: KPI.SeriesReport, _ name: String) -> [Double?] { r.series.first { $0.name == name }?.values ?? [] }
        #expect(values(holds, "made") == [1, 3, 2])
        #expect(values(holds, "activated") == [0, 1, 1])
        #expect(values(holds, "cancelled") == [0, 1, 0])
        #expect(values(holds, "expired") == [0, 0, 1])
        let rates = try store.series(.rates, step: .day, from: from, to: Self.to, filter: KPI.Filter())
        #expect(values(rates, "activation_rate") == [nil, 0.5, 0.5])
        #expect(values(rates, "expiry_rate") == [nil, 0, 0.5])
        // 106 at each day's end: 5 held (r1); then r1's units sold, r2 and r7 held (10); then
        // r2 expired, r3 held, b-jan sold, one ticket cancelled (12).
        let util = try store.series(.utilisation, step: .day, from: from, to: Self.to, filter: KPI.Filter(productId: 106))
        #expect(util.series.map(\.name) == ["106/ota", "106/direct"])
        let expected: [Double?] = [5.0 / 2000, 10.0 / 2000, 12.0 / 2000]
        #expect(values(util, "106/ota") == expected)
        #expect(values(util, "106/direct") == [0, 0, 0])
        let sold = try store.series(.sold, step: .day, from: from, to: Self.to, filter: KPI.Filter())
        #expect(values(sold, "from_holds") == [0, 5, 6])
        #expect(values(sold, "from_batches") == [3, 0, 4])
        let billing = try store.series(.billing, step: .day, from: from, to: Self.to, filter: KPI.Filter())
        #expect(values(billing, "gross") == [0, 10_000, 28_800], "cents")
    }

    /// Each day is divided by the allocation in force at its end (allocation_history), not by
    /// today's: 106/ota had 2000 until noon of the 10th, then 1000.
    @Test func theUtilisationSeriesDividesByTheAllocationOfItsDay() throws {
        let (t, db) = try fixture()
        defer { withExtendedLifetime(t) {} }
        try db.execute(unescaped: "UPDATE allocation_history SET valid_from = '2026-01-01T00:00:00Z' WHERE product_id = 106 AND channel = 'ota'")
        try db.execute(unescaped: "UPDATE channel_inventory SET allocated = 1000 WHERE product_id = 106 AND channel = 'ota'")
        try db.execute(unescaped: """
            UPDATE allocation_history SET valid_from = '2026-01-10T12:00:00Z'
             WHERE product_id = 106 AND channel = 'ota' AND valid_from > '2026-01-02T00:00:00Z'
            """)
        let from = Timestamp(rfc3339: "2026-01-09T00:00:00Z")!
        let util = try KPIStore(db).series(.utilisation, step: .day, from: from, to: Self.to, filter: KPI.Filter(productId: 106))
        let ota = util.series.first { $0.name == "106/ota" }?.values
        let expected: [Double?] = [5.0 / 2000, 10.0 / 1000, 12.0 / 1000]
        #expect(ota == expected)
        // A window after the change: the last change before it decides, not the first record.
        let later = try KPIStore(db).series(.utilisation, step: .day, from: Timestamp(rfc3339: "2026-01-11T00:00:00Z")!,
                                            to: Self.to, filter: KPI.Filter(productId: 106))
        let laterExpected: [Double?] = [12.0 / 1000]
        #expect(later.series.first { $0.name == "106/ota" }?.values == laterExpected)
    }

    /// The functions that change a pool's total write its history; restriping and moving
    /// units between one pool's slots do not.
    @Test func allocationChangesAreRecordedOncePerChange() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        func rows() throws -> [Int] {
            try db.query("SELECT allocated FROM allocation_history WHERE product_id = 106 AND channel = 'ota' ORDER BY valid_from")
                .map { try $0.decode("allocated", as: Int.self) }
        }
        #expect(try rows() == [2000], "the seed's pool")
        try db.execute(unescaped: "SELECT ota_set_stripes(106, 'ota', 4)")
        #expect(try rows() == [2000], "restriping keeps the total")
        try db.execute(unescaped: "SELECT ota_set_allocation(106, 'ota', 2000)")
        #expect(try rows() == [2000], "no change, no row")
        try db.execute(unescaped: "SELECT ota_move_allocation(106, 'direct', 'ota', 100)")
        #expect(try rows() == [2000, 2100])
        try db.transaction {
            try db.execute(unescaped: "SELECT ota_set_allocation(106, 'ota', 1900)")
            try db.execute(unescaped: "SELECT ota_set_allocation(106, 'ota', 1800)")
        }
        #expect(try rows() == [2000, 2100, 1900, 1800], "two changes in one transaction: a row each, in their order")
        let direct = try db.query("SELECT allocated FROM allocation_history WHERE product_id = 106 AND channel = 'direct' ORDER BY valid_from")
            .map { try $0.decode("allocated", as: Int.self) }
        #expect(direct == [1000, 900])
    }

    /// A change that began first but got the product lock second is recorded after the one
    /// it waited for: the history ends on the allocation the pool has.
    @Test func theHistoryFollowsTheOrderChangesCommitIn() throws {
        let t = try TestDatabase()
        let a = try t.connect(), b = try t.connect()
        try a.execute(unescaped: "BEGIN")
        try a.execute(unescaped: "SELECT now()")
        try b.execute(unescaped: "SELECT ota_set_allocation(106, 'ota', 1900)")
        try a.execute(unescaped: "SELECT ota_set_allocation(106, 'ota', 1800)")
        try a.execute(unescaped: "COMMIT")
        let last = try #require(try a.query("""
            SELECT allocated FROM allocation_history WHERE product_id = 106 AND channel = 'ota' ORDER BY valid_from DESC LIMIT 1
            """).first).decode("allocated", as: Int.self)
        let now = try #require(try a.query("SELECT allocated FROM channel_inventory WHERE product_id = 106 AND channel = 'ota'").first)
            .decode("allocated", as: Int.self)
        #expect(now == 1800)
        #expect(last == now)
    }

    @Test func theUtilisationSeriesEndsAtTheCountersOfNow() throws {
        let (t, db) = try fixture()
        defer { withExtendedLifetime(t) {} }
        let now = Timestamp(seconds: Int64(Date().timeIntervalSince1970) + 60)
        let util = try KPIStore(db).series(.utilisation, step: .day, from: Timestamp(rfc3339: "2026-01-01T00:00:00Z")!, to: now,
                                           filter: KPI.Filter())
        let pools = try KPIStore(db).pools(productId: nil)
        for pool in pools {
            let last = util.series.first { $0.name == "\(pool.productId)/\(pool.channel)" }?.values.last
            #expect(last == pool.utilisation, "\(pool.productId)/\(pool.channel)")
        }
    }

    @Test func hourlyStepsAndAnUnalignedWindow() throws {
        let (t, db) = try fixture()
        defer { withExtendedLifetime(t) {} }
        let from = Timestamp(rfc3339: "2026-01-10T12:30:00Z")!
        let to = Timestamp(rfc3339: "2026-01-10T15:00:00Z")!
        let holds = try KPIStore(db).series(.holds, step: .hour, from: from, to: to, filter: KPI.Filter())
        #expect(holds.starts.map(\.description) == ["2026-01-10T12:00:00Z", "2026-01-10T13:00:00Z", "2026-01-10T14:00:00Z"])
        // r4 was made at 12:00, before `from`: not counted; it was cancelled at 13:00.
        #expect(holds.series[0].values == [0, 0, 0] as [Double?])
        #expect(holds.series.first { $0.name == "cancelled" }?.values == [0, 1, 0])
    }
}
