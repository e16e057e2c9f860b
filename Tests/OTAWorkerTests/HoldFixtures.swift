import Foundation
import Postgres

/// Holds written straight with SQL (the trigger raises `reserved` as for real holds), and
/// the pool figures the tests compare.
enum HoldFixtures {
    static func partnerId(_ db: PostgresConnection, _ code: String = "ota-test-partner") throws -> Int64 {
        guard let row = try db.query("SELECT partner_id FROM partners WHERE code = \(code)").first else {
            throw Failure(description: "partner \(code) is not seeded")
        }
        return try row.decode("partner_id", as: Int64.self)
    }

    /// `count` holds of `quantity` units expiring `expiresIn` seconds from the database's
    /// now (negative: already due; created an hour before expiry then, as the CHECK wants),
    /// in one INSERT ... SELECT generate_series. Returns their ids.
    @discardableResult
    static func insert(_ db: PostgresConnection, count: Int, product: Int = 106, quantity: Int = 1,
                       expiresIn seconds: Double, partner: Int64? = nil) throws -> [String] {
        let partner = try partner ?? partnerId(db)
        let prefix = String(UUID().uuidString.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(8))
        return try db.query("""
            INSERT INTO reservations (reservation_id, partner_id, product_id, quantity, expires_at, created_at, pricing_snapshot)
            SELECT 'res_' || \(prefix) || lpad(g::text, 12, '0'), \(partner), \(product), \(quantity),
                   now() + make_interval(secs => \(seconds)),
                   least(now(), now() + make_interval(secs => \(seconds)) - interval '1 hour'), '{}'::jsonb
              FROM generate_series(1, \(count)) g
            RETURNING reservation_id
            """).map { try $0.decode("reservation_id", as: String.self) }
    }

    struct Pool: Equatable {
        var allocated: Int
        var reserved: Int
        var sold: Int
        /// The sum of the active holds' quantities, which `reserved` must equal.
        var activeHolds: Int
        var available: Int { allocated - reserved - sold }
    }

    static func pool(_ db: PostgresConnection, _ product: Int = 106) throws -> Pool {
        guard let row = try db.query("""
            SELECT allocated, reserved, sold,
                   (SELECT coalesce(sum(quantity), 0) FROM reservations r
                     WHERE r.product_id = c.product_id AND r.channel = c.channel AND r.status = 'active') AS holds
              FROM channel_inventory c WHERE product_id = \(product) AND channel = 'ota'
            """).first else { throw Failure(description: "no OTA pool for product \(product)") }
        return Pool(allocated: try row.decode("allocated"), reserved: try row.decode("reserved"),
                    sold: try row.decode("sold"), activeHolds: try row.decode("holds"))
    }

    static func statuses(_ db: PostgresConnection, _ ids: [String]) throws -> [String: String] {
        var statuses: [String: String] = [:]
        for row in try db.query("SELECT reservation_id, status FROM reservations WHERE reservation_id = ANY(\(ids)::text[])") {
            statuses[try row.decode("reservation_id")] = try row.decode("status", as: String.self)
        }
        return statuses
    }

    /// Room for many holds on product 106: sellable cap and OTA allocation raised.
    static func enlargePool(_ db: PostgresConnection, otaUnits: Int) throws {
        try db.query("UPDATE products SET sellable_cap = \(otaUnits + 1000) WHERE product_id = 106")
        try db.query("UPDATE channel_inventory SET allocated = \(otaUnits) WHERE product_id = 106 AND channel = 'ota'")
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}

/// Runs `body` on `count` threads of their own (blocking libpq calls stay off Swift's
/// two-thread cooperative pool) and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            body(index)
            group.leave()
        }.start()
    }
    group.wait()
}
