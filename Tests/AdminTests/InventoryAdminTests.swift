import Foundation
import Testing
import Postgres
import TestSupport

/// `ota-admin allocation ...`, `allotment ...`, `verify` and `venue ...` against a clone of
/// the seeded template (product 106: ota 2000, direct 1000, sellable_cap 3000).
@Suite struct InventoryAdminTests {
    func allocated(_ db: PostgresConnection, _ product: Int, _ channel: String) throws -> Int {
        try db.int("SELECT allocated FROM channel_inventory WHERE product_id = \(product) AND channel = \(channel)")
    }

    @Test func allocationMoveKeepsTheSumAndNeverGoesBelowReservedPlusSoldOrAboveTheCap() throws {
        let t = try TestDatabase()
        let admin = AdminTool(databaseURL: t.url)
        let db = try t.connect()

        let moved = try admin.run("allocation", "move", "106", "--from", "direct", "--to", "ota", "100")
        #expect(moved.status == 0, "\(moved.err)")
        #expect(try allocated(db, 106, "ota") == 2100 && allocated(db, 106, "direct") == 900)

        // Hold 2050 of the 2100: the OTA allocation may not fall below that.
        #expect(try db.hold(partner: "ota-test-partner", product: 106, quantity: 2050) == ("held", 50))
        let below = try admin.run("allocation", "move", "106", "--from", "ota", "--to", "direct", "100")
        #expect(below.status == 1)
        #expect(below.err.contains("reserved + sold") && below.err.contains("2050"), "\(below.err)")
        #expect(try allocated(db, 106, "ota") == 2100 && allocated(db, 106, "direct") == 900)
        #expect(try admin.run("allocation", "move", "106", "--from", "ota", "--to", "direct", "50").status == 0)
        #expect(try allocated(db, 106, "ota") == 2050 && allocated(db, 106, "direct") == 950)

        let setBelow = try admin.run("allocation", "set", "106", "ota", "2000")
        #expect(setBelow.status == 1 && setBelow.err.contains("reserved + sold"), "\(setBelow.err)")
        let aboveCap = try admin.run("allocation", "set", "106", "direct", "1000")
        #expect(aboveCap.status == 1 && aboveCap.err.contains("sellable_cap"), "\(aboveCap.err)")
        #expect(try allocated(db, 106, "direct") == 950)
        #expect(try db.int("SELECT sum(allocated) FROM channel_inventory WHERE product_id = 106") == 3000)

        let lower = try admin.run("allocation", "set", "106", "direct", "900")
        #expect(lower.status == 0, "\(lower.err)")
        let show = try admin.run("allocation", "show", "106")
        #expect(show.status == 0)
        #expect(show.out.contains("2950 of sellable_cap 3000 allocated, 50 unallocated"), "\(show.out)")
        #expect(try admin.run("allocation", "show", "999").status == 1)
        #expect(try admin.run("allocation", "set", "999", "ota", "1").status == 1)
    }

    @Test func verifyExits0WhenHealthyAnd3OnDrift() throws {
        let t = try TestDatabase()
        let admin = AdminTool(databaseURL: t.url)
        let db = try t.connect()
        _ = try db.hold(partner: "ota-test-partner", product: 107, quantity: 20)

        let healthy = try admin.run("verify")
        #expect(healthy.status == 0, "\(healthy.out)\(healthy.err)")
        #expect(healthy.out.split(separator: "\n").filter { $0.hasPrefix("OK ") }.count == 7, "\(healthy.out)")  // 6 checks and, since 0017, slots_match_stripes

        // A hold left active well past its expiry: a warning, not a drift.
        try db.query("""
            INSERT INTO reservations (reservation_id, partner_id, product_id, quantity, expires_at, created_at, pricing_snapshot)
            SELECT 'res_staleaaaaaaaaaaaaaaaaaaaa', partner_id, 108, 3, now() - interval '10 minutes', now() - interval '1 hour', '{}'
              FROM partners WHERE code = 'ota-test-partner'
            """)
        let stale = try admin.run("verify")
        #expect(stale.status == 0)
        #expect(stale.out.contains("WARN  no_stale_holds") && stale.out.contains("ota-expiry-worker"), "\(stale.out)")

        // Drift can only be made with the guard trigger off.
        try db.execute(unescaped: """
            ALTER TABLE inventory_slots DISABLE TRIGGER channel_inventory_derived_counters;
            UPDATE inventory_slots SET reserved = reserved + 5 WHERE product_id = 107 AND channel = 'ota' AND slot = 0;
            UPDATE inventory_slots SET sold = sold + 2 WHERE product_id = 106 AND channel = 'direct' AND slot = 0;
            ALTER TABLE inventory_slots ENABLE TRIGGER channel_inventory_derived_counters;
            """)
        let drift = try admin.run("verify")
        #expect(drift.status == 3, "\(drift.out)\(drift.err)")
        #expect(drift.out.contains("DRIFT reserved_matches_holds"), "\(drift.out)")
        #expect(drift.out.contains("product 107 ota: reserved 25, active holds 20"), "\(drift.out)")
        #expect(drift.out.contains("product 107 ota slot 0: reserved 25, active holds 20"), "per slot too: \(drift.out)")
        #expect(drift.out.contains("DRIFT sold_matches_tickets"), "\(drift.out)")
        #expect(drift.out.contains("OK    counters_in_range"), "\(drift.out)")
        #expect(drift.out.contains("OK    slots_match_stripes"), "\(drift.out)")

        // A pool whose open slots do not match its stripes.
        try db.query("UPDATE inventory_slots SET open = false WHERE product_id = 108 AND channel = 'ota'")
        let closed = try admin.run("verify")
        #expect(closed.status == 3)
        #expect(closed.out.contains("DRIFT slots_match_stripes") && closed.out.contains("product 108 ota: stripes 1, open slots 0"), "\(closed.out)")
    }

    @Test func aPartnerCappedAt10UnitsIsRefusedPast10WhileAnotherStillHolds() throws {
        let t = try TestDatabase()
        let admin = AdminTool(databaseURL: t.url)
        let db = try t.connect()

        let set = try admin.run("allotment", "set", "ota-test-partner", "106", "10")
        #expect(set.status == 0, "\(set.err)")
        #expect(try db.hold(partner: "ota-test-partner", product: 106, quantity: 6) == ("held", 1994))
        #expect(try db.hold(partner: "ota-test-partner", product: 106, quantity: 5) == ("over_allotment", 4))
        // The pool is shared: the other partner still holds, and availability is checked first.
        #expect(try db.hold(partner: "ota251103", product: 106, quantity: 50) == ("held", 1944))
        #expect(try db.hold(partner: "ota-test-partner", product: 106, quantity: 5000) == ("insufficient", 1944))
        #expect(try db.hold(partner: "ota-test-partner", product: 106, quantity: 4) == ("held", 1940))
        #expect(try db.hold(partner: "ota-test-partner", product: 106, quantity: 1) == ("over_allotment", 0))
        // Another product is not capped.
        #expect(try db.hold(partner: "ota-test-partner", product: 107, quantity: 30).0 == "held")

        let list = try admin.run("allotment", "list", "ota-test-partner")
        #expect(list.status == 0)
        let row = try #require(list.out.split(separator: "\n").first { $0.hasPrefix("ota-test-partner") })
        #expect(row.split(separator: " ", omittingEmptySubsequences: true) == ["ota-test-partner", "106", "10", "10", "0"])

        // Not below what the partner uses; `none` removes the cap.
        let below = try admin.run("allotment", "set", "ota-test-partner", "106", "9")
        #expect(below.status == 1 && below.err.contains("already uses 10"), "\(below.err)")
        #expect(try admin.run("verify").status == 0)
        #expect(try admin.run("allotment", "set", "ota-test-partner", "106", "none").status == 0)
        #expect(try db.hold(partner: "ota-test-partner", product: 106, quantity: 1).0 == "held")
        #expect(try admin.run("allotment", "set", "nobody", "106", "5").status == 1)
    }

    @Test func allocationStripesSplitsTheOTAPoolAndKeepsItsTotals() throws {
        let t = try TestDatabase()
        let admin = AdminTool(databaseURL: t.url)
        let db = try t.connect()
        #expect(try db.hold(partner: "ota-test-partner", product: 106, quantity: 30) == ("held", 1970))

        let split = try admin.run("allocation", "stripes", "106", "8")
        #expect(split.status == 0, "\(split.err)")
        #expect(split.out.contains("split over 8 slots"), "\(split.out)")
        let slotRows = split.out.split(separator: "\n").filter { $0.split(separator: " ", omittingEmptySubsequences: true).first.map { Int($0) != nil } ?? false }
        #expect(slotRows.count >= 9, "the pool row and its 8 slots: \(split.out)")
        #expect(try db.int("SELECT count(*) FROM inventory_slots WHERE product_id = 106 AND channel = 'ota' AND open") == 8)
        #expect(try allocated(db, 106, "ota") == 2000)
        #expect(try db.int("SELECT reserved FROM channel_inventory WHERE product_id = 106 AND channel = 'ota'") == 30)
        let show = try admin.run("allocation", "show", "106")
        #expect(show.out.contains("stripes"), "\(show.out)")
        let otaRow = try #require(show.out.split(separator: "\n").first { $0.contains(" ota ") })
        #expect(otaRow.split(separator: " ", omittingEmptySubsequences: true).suffix(2) == ["8", "3000"], "\(otaRow)")
        #expect(try db.hold(partner: "ota-test-partner", product: 106, quantity: 100).0 == "held")
        #expect(try admin.run("allocation", "stripes", "106", "2").status == 0)
        #expect(try allocated(db, 106, "ota") == 2000)
        let verify = try admin.run("verify")
        #expect(verify.status == 0 && verify.out.contains("OK    slots_match_stripes"), "\(verify.out)")

        // Bad input: a usage error (2) names the range; an unknown product fails (1).
        for k in ["0", "65", "x", "-1"] {
            let bad = try admin.run("allocation", "stripes", "106", k)
            #expect(bad.status == 2 && bad.err.contains("K"), "K=\(k): \(bad.err)")
        }
        #expect(try admin.run("allocation", "stripes", "106").status == 2)
        let unknown = try admin.run("allocation", "stripes", "999", "4")
        #expect(unknown.status == 1 && unknown.err.contains("no product 999"), "\(unknown.err)")
        #expect(try db.int("SELECT stripes FROM channel_inventory WHERE product_id = 106 AND channel = 'ota'") == 2)
    }

    @Test func venueCreateAndList() throws {
        let t = try TestDatabase()
        let admin = AdminTool(databaseURL: t.url)
        let created = try admin.run("venue", "create", "--partner", "ota251103", "--id", "G251103-GATE-B", "--name", "Gate B",
                                    "--address", "Pier 2")
        #expect(created.status == 0, "\(created.err)")
        let again = try admin.run("venue", "create", "--partner", "ota-test-partner", "--id", "G251103-GATE-B", "--name", "Mine")
        #expect(again.status == 1 && again.err.contains("exists already"))
        let list = try admin.run("venue", "list", "ota251103")
        #expect(list.out.contains("G251103-GATE-B") && list.out.contains("Pier 2") && !list.out.contains("TEST-PIER-1"))
        #expect(try admin.run("venue", "list").out.contains("TEST-PIER-1"))
        #expect(try admin.run("venue", "create", "--partner", "ota251103", "--id", "no spaces", "--name", "X").status == 2)
    }
}
