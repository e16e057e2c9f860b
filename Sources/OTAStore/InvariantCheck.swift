public import Postgres

/// The invariants of the inventory (SPEC section 1), checked straight from SQL. The
/// database enforces them itself; this is for noticing when that enforcement was bypassed
/// (triggers disabled, a restore, hand-made changes) or when the expiry worker is not
/// running.
public struct InvariantCheck {
    public enum Status: String, Sendable { case ok = "OK", drift = "DRIFT", warning = "WARN" }

    public struct Result: Sendable, Equatable {
        public var name: String
        public var status: Status
        /// One line: what was checked, or what is wrong.
        public var summary: String
        /// One line per offending row (at most `maxDetails`).
        public var details: [String]
    }

    /// Enough rows to see the pattern without flooding a terminal.
    public static let maxDetails = 20
    /// An active hold this long past its expiry means no worker is releasing holds.
    public static let staleHoldMinutes = 5

    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    /// Runs every check in one read-only REPEATABLE READ transaction: all of them see the
    /// same snapshot, so a hold committed between two checks cannot look like a drift
    /// (the counters and the holds change in the same transactions).
    public func run() throws(StoreError) -> [Result] {
        try storeCall {
            try db.transaction(isolation: .repeatableRead) {
                try db.execute(unescaped: "SET TRANSACTION READ ONLY")
                return [try allocationsWithinCap(), try countersInRange(), try reservedMatchesHolds(), try soldMatchesTickets(),
                        try slotsMatchStripes(), try noStaleHolds(), try allotmentsRespected()]
            }
        }
    }

    func allocationsWithinCap() throws -> Result {
        let rows = try db.query("""
            SELECT p.product_id, p.sellable_cap, coalesce(sum(c.allocated), 0) AS total
              FROM products p LEFT JOIN inventory_slots c ON c.product_id = p.product_id
             GROUP BY p.product_id, p.sellable_cap
             ORDER BY p.product_id
            """)
        var bad: [String] = []
        for r in rows {
            let (cap, total) = (try r.decode("sellable_cap", as: Int.self), try r.decode("total", as: Int.self))
            if total > cap { bad.append("product \(try r.decode("product_id", as: Int.self)): allocations sum to \(total), sellable_cap \(cap)") }
        }
        return Self.result("allocations_within_cap", bad, ok: "allocations within sellable_cap (\(rows.count) products)",
                           drift: "allocations above sellable_cap")
    }

    /// Per slot (inventory_slots) and per pool (the channel_inventory view, the slots' sums).
    func countersInRange() throws -> Result {
        guard let n = try db.query("""
            SELECT (SELECT count(*) FROM channel_inventory) AS pools, (SELECT count(*) FROM inventory_slots) AS slots
            """).first else { throw StoreError.corrupt("count returned no row") }
        let bad = try db.query("""
            SELECT product_id, channel, slot::text AS slot, allocated, reserved, sold FROM inventory_slots
             WHERE reserved < 0 OR sold < 0 OR reserved + sold > allocated
            UNION ALL
            SELECT product_id, channel, NULL, allocated, reserved, sold FROM channel_inventory
             WHERE reserved < 0 OR sold < 0 OR reserved + sold > allocated
             ORDER BY 1, 2, 3 NULLS FIRST
            """).map { r in
            "\(try Self.place(r)): allocated \(try r.decode("allocated", as: Int.self)), reserved \(try r.decode("reserved", as: Int.self)), sold \(try r.decode("sold", as: Int.self))"
        }
        return Self.result("counters_in_range", bad,
                           ok: "reserved >= 0, sold >= 0, reserved + sold <= allocated (\(try n.decode("pools", as: Int.self)) pools, \(try n.decode("slots", as: Int.self)) slots)",
                           drift: "pools or slots with negative counters or oversold")
    }

    /// Per slot, then per pool: "product P CHANNEL" for a pool, "... slot N" for a slot.
    static func place(_ r: PostgresRow) throws -> String {
        let pool = "product \(try r.decode("product_id", as: Int.self)) \(try r.decode("channel", as: String.self))"
        return try r.decodeIfPresent("slot", as: String.self).map { pool + " slot " + $0 } ?? pool
    }

    func reservedMatchesHolds() throws -> Result {
        let bad = try counterMismatches("reserved", source: "active holds",
                                        units: "sum(quantity)", from: "reservations WHERE status = 'active'")
        return Self.result("reserved_matches_holds", bad, ok: "reserved equals the units of active holds, per slot and per pool",
                           drift: "reserved differs from active holds")
    }

    func soldMatchesTickets() throws -> Result {
        let bad = try counterMismatches("sold", source: "issued tickets",
                                        units: "count(*)", from: "tickets WHERE status <> 'CANCELLED'")
        return Self.result("sold_matches_tickets", bad, ok: "sold equals the issued (not cancelled) tickets, per slot and per pool",
                           drift: "sold differs from issued tickets")
    }

    /// Per slot, then per pool, where the `counter` column (reserved, sold) differs from the
    /// `units` of its source rows (`from`: a table and condition, fixed by the caller), as
    /// "PLACE: COUNTER n, SOURCE m".
    func counterMismatches(_ counter: String, source: String, units: String, from rows: String) throws -> [String] {
        try db.query("""
            SELECT coalesce(c.product_id, s.product_id) AS product_id, coalesce(c.channel, s.channel) AS channel,
                   coalesce(c.slot, s.slot)::text AS slot, c.\(unescaped: counter) AS counter, coalesce(s.units, 0) AS units
              FROM inventory_slots c
              FULL JOIN (SELECT product_id, channel, slot, \(unescaped: units) AS units FROM \(unescaped: rows)
                          GROUP BY product_id, channel, slot) s
                ON s.product_id = c.product_id AND s.channel = c.channel AND s.slot = c.slot
             WHERE c.\(unescaped: counter) IS DISTINCT FROM coalesce(s.units, 0)
            UNION ALL
            SELECT coalesce(c.product_id, s.product_id), coalesce(c.channel, s.channel), NULL, c.\(unescaped: counter), coalesce(s.units, 0)
              FROM channel_inventory c
              FULL JOIN (SELECT product_id, channel, \(unescaped: units) AS units FROM \(unescaped: rows)
                          GROUP BY product_id, channel) s
                ON s.product_id = c.product_id AND s.channel = c.channel
             WHERE c.\(unescaped: counter) IS DISTINCT FROM coalesce(s.units, 0)
             ORDER BY 1, 2, 3 NULLS FIRST
            """).map { r in
            "\(try Self.place(r)): \(counter) \(try r.decodeIfPresent("counter", as: Int.self).map(String.init) ?? "(no pool)"), \(source) \(try r.decode("units", as: Int.self))"
        }
    }

    /// Every pool has slots 0..stripes-1 open and every other slot closed (so stripes is the
    /// number of open slots), and no slot without its pool row. Free units in closed slots
    /// are no drift: the next slow-path hold or allocation change moves them.
    func slotsMatchStripes() throws -> Result {
        let bad = try db.query("""
            SELECT p.product_id, p.channel, p.stripes, count(s.slot) FILTER (WHERE s.open) AS open_slots,
                   count(s.slot) FILTER (WHERE s.open <> (s.slot < p.stripes)) AS misplaced,
                   count(s.slot) FILTER (WHERE s.slot < p.stripes) AS present
              FROM channel_pools p LEFT JOIN inventory_slots s ON s.product_id = p.product_id AND s.channel = p.channel
             GROUP BY p.product_id, p.channel, p.stripes
            HAVING count(s.slot) FILTER (WHERE s.open) <> p.stripes
                OR count(s.slot) FILTER (WHERE s.open <> (s.slot < p.stripes)) > 0
                OR count(s.slot) FILTER (WHERE s.slot < p.stripes) <> p.stripes
             ORDER BY 1, 2
            """).map { r in
            "product \(try r.decode("product_id", as: Int.self)) \(try r.decode("channel", as: String.self)): stripes \(try r.decode("stripes", as: Int.self)), open slots \(try r.decode("open_slots", as: Int.self)) (slots 0..stripes-1 must exist and be open, the rest closed)"
        } + db.query("""
            SELECT s.product_id, s.channel, count(*) AS n FROM inventory_slots s
             WHERE NOT EXISTS (SELECT 1 FROM channel_pools p WHERE p.product_id = s.product_id AND p.channel = s.channel)
             GROUP BY 1, 2 ORDER BY 1, 2
            """).map { r in
            "product \(try r.decode("product_id", as: Int.self)) \(try r.decode("channel", as: String.self)): \(try r.decode("n", as: Int.self)) slots without a pool row"
        }
        guard let closed = try db.query("""
            SELECT count(*) AS n, coalesce(sum(allocated - reserved - sold), 0) AS free FROM inventory_slots WHERE NOT open
            """).first else { throw StoreError.corrupt("count returned no row") }
        return Self.result("slots_match_stripes", bad,
                           ok: "every pool's open slots are 0..stripes-1 (\(try closed.decode("n", as: Int.self)) closed slots, \(try closed.decode("free", as: Int.self)) free units in them)",
                           drift: "pools whose slots do not match their stripes")
    }

    /// A warning, not a drift: the counters are still right, the units just stay held.
    func noStaleHolds() throws -> Result {
        guard let r = try db.query("""
            SELECT count(*) AS n, coalesce(sum(quantity), 0) AS units, min(expires_at)::text AS oldest
              FROM reservations
             WHERE status = 'active' AND expires_at < now() - make_interval(mins => \(Self.staleHoldMinutes))
            """).first else { throw StoreError.corrupt("count returned no row") }
        let n = try r.decode("n", as: Int.self)
        guard n > 0 else {
            return Result(name: "no_stale_holds", status: .ok,
                          summary: "no active hold is more than \(Self.staleHoldMinutes) minutes past its expiry", details: [])
        }
        return Result(name: "no_stale_holds", status: .warning,
                      summary: "\(n) active holds (\(try r.decode("units", as: Int.self)) units) are more than \(Self.staleHoldMinutes) minutes past their expiry, the oldest since \(try r.decode("oldest", as: String.self)): is ota-expiry-worker running?",
                      details: [])
    }

    func allotmentsRespected() throws -> Result {
        let rows = try db.query("""
            SELECT p.code, a.product_id, a.units, ota_partner_usage(a.partner_id, a.product_id) AS used
              FROM partner_allotments a JOIN partners p ON p.partner_id = a.partner_id
             ORDER BY p.code, a.product_id
            """)
        var bad: [String] = []
        for r in rows {
            let (units, used) = (try r.decode("units", as: Int.self), try r.decode("used", as: Int.self))
            if used > units {
                bad.append("partner \(try r.decode("code", as: String.self)) product \(try r.decode("product_id", as: Int.self)): uses \(used) units, allotment \(units)")
            }
        }
        return Self.result("allotments_respected", bad, ok: "no partner above its allotment (\(rows.count) allotments)",
                           drift: "partners above their allotment")
    }

    static func result(_ name: String, _ bad: [String], ok: String, drift: String) -> Result {
        guard !bad.isEmpty else { return Result(name: name, status: .ok, summary: ok, details: []) }
        var details = Array(bad.prefix(maxDetails))
        if bad.count > maxDetails { details.append("... and \(bad.count - maxDetails) more") }
        return Result(name: name, status: .drift, summary: "\(drift): \(bad.count)", details: details)
    }
}
