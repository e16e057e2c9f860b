public import OTADomain
public import Postgres

/// The console's figures for a window [from, to), read in one REPEATABLE READ snapshot so
/// that every figure describes the same moment, and so every gateway answers the same.
///
/// What counts where:
/// - holds made: reservations created in the window; activated / cancelled / expired:
///   reservations that ended in the window (`ended_at`) with that outcome. The
///   reservation-to-activation and expiry rates are over the holds that ended in it.
/// - units sold: tickets issued in the window, from holds (activation) or batches
///   (bulk generation); cancelled: tickets cancelled in the window.
/// - redemptions: redemptions in the window; billed: billing lines written in it.
/// - a product filter applies to every figure; a partner filter to every figure but the
///   pools, which are shared by all partners.
public struct KPIStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    public func report(from: Timestamp, to: Timestamp, filter: KPI.Filter) throws(StoreError) -> KPI.Report {
        var report = try storeCall {
            try db.transaction(isolation: .repeatableRead) { () throws -> KPI.Report in
                try db.execute(unescaped: "SET TRANSACTION READ ONLY")
                let asOf: Timestamp = try db.query("SELECT now() AS t").first?.decode("t") ?? Timestamp(microseconds: 0)
                var cells: [Key: KPI.Activity] = [:]
                try holds(from: from, to: to, filter: filter, into: &cells)
                try sales(from: from, to: to, filter: filter, into: &cells)
                try billing(from: from, to: to, filter: filter, into: &cells)
                var total = KPI.Activity()
                var byProduct: [Int: KPI.Activity] = [:]
                var byPartner: [Int64: KPI.Activity] = [:]
                for (key, a) in cells {
                    total.add(a)
                    byProduct[key.productId, default: KPI.Activity()].add(a)
                    byPartner[key.partnerId, default: KPI.Activity()].add(a)
                }
                let products = try db.query("""
                    SELECT product_id, name FROM products WHERE (\(filter.productId)::int IS NULL OR product_id = \(filter.productId)::int)
                     ORDER BY product_id
                    """).map { row in
                    let id: Int = try row.decode("product_id")
                    return KPI.ProductActivity(productId: id, name: try row.decode("name"), activity: byProduct[id] ?? KPI.Activity())
                }
                if let p = filter.partnerId, byPartner[p] == nil { byPartner[p] = KPI.Activity() }
                let ids = Array(byPartner.keys)
                let partners = try db.query("""
                    SELECT partner_id, code, name FROM partners WHERE partner_id = ANY(\(ids)::bigint[])
                    """).map { row in
                    let id: Int64 = try row.decode("partner_id")
                    return KPI.PartnerActivity(partnerId: id, code: try row.decode("code"), name: try row.decode("name"),
                                               activity: byPartner[id] ?? KPI.Activity())
                }.sorted { a, b in
                    (a.activity.sales.total, a.activity.holds.made, b.code) > (b.activity.sales.total, b.activity.holds.made, a.code)
                }
                let onboarding = try db.query("""
                    SELECT count(*) FILTER (WHERE created_at >= \(from)::timestamptz AND created_at < \(to)::timestamptz) AS onboarded,
                           count(*) FILTER (WHERE status = 'active') AS active
                      FROM partners WHERE (\(filter.partnerId)::bigint IS NULL OR partner_id = \(filter.partnerId)::bigint)
                    """).first
                return KPI.Report(from: from, to: to, asOf: asOf, filter: filter, total: total, products: products, partners: partners,
                                  partnersOnboarded: try onboarding?.decode("onboarded") ?? 0,
                                  partnersActive: try onboarding?.decode("active") ?? 0,
                                  pools: try pools(productId: filter.productId),
                                  routes: try RequestMetricsStore(db).routes(from: from, to: to), invariants: [])
            }
        }
        // Its own snapshot: InvariantCheck runs its checks in a transaction of its own.
        report.invariants = try InvariantCheck(db).run()
        return report
    }

    struct Key: Hashable {
        var productId: Int
        var partnerId: Int64
    }

    /// Runs a query grouped by product_id and partner_id and lets `add` count each row into
    /// the activity of its (product, partner) cell.
    func count(_ query: PostgresQuery, into cells: inout [Key: KPI.Activity],
               _ add: (PostgresRow, inout KPI.Activity) throws -> Void) throws {
        for row in try db.query(query) {
            let key = Key(productId: try row.decode("product_id"), partnerId: try row.decode("partner_id"))
            try add(row, &cells[key, default: KPI.Activity()])
        }
    }

    func holds(from: Timestamp, to: Timestamp, filter: KPI.Filter, into cells: inout [Key: KPI.Activity]) throws {
        try count("""
            SELECT product_id, partner_id, count(*)::int AS n, sum(quantity)::int AS units FROM reservations
             WHERE created_at >= \(from)::timestamptz AND created_at < \(to)::timestamptz
               AND (\(filter.productId)::int IS NULL OR product_id = \(filter.productId)::int)
               AND (\(filter.partnerId)::bigint IS NULL OR partner_id = \(filter.partnerId)::bigint)
             GROUP BY 1, 2
            """, into: &cells) { row, a in
            a.holds.made += try row.decode("n", as: Int.self)
            a.holds.madeUnits += try row.decode("units", as: Int.self)
        }
        try count("""
            SELECT product_id, partner_id, count(*) FILTER (WHERE status = 'activated')::int AS activated,
                   count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
                   count(*) FILTER (WHERE status = 'expired')::int AS expired
              FROM reservations
             WHERE ended_at >= \(from)::timestamptz AND ended_at < \(to)::timestamptz
               AND (\(filter.productId)::int IS NULL OR product_id = \(filter.productId)::int)
               AND (\(filter.partnerId)::bigint IS NULL OR partner_id = \(filter.partnerId)::bigint)
             GROUP BY 1, 2
            """, into: &cells) { row, a in
            a.holds.activated += try row.decode("activated", as: Int.self)
            a.holds.cancelled += try row.decode("cancelled", as: Int.self)
            a.holds.expired += try row.decode("expired", as: Int.self)
        }
    }

    func sales(from: Timestamp, to: Timestamp, filter: KPI.Filter, into cells: inout [Key: KPI.Activity]) throws {
        try count("""
            SELECT product_id, partner_id,
                   count(*) FILTER (WHERE created_at >= \(from)::timestamptz AND created_at < \(to)::timestamptz
                                      AND order_id IS NOT NULL)::int AS from_holds,
                   count(*) FILTER (WHERE created_at >= \(from)::timestamptz AND created_at < \(to)::timestamptz
                                      AND batch_key IS NOT NULL)::int AS from_batches,
                   count(*) FILTER (WHERE cancelled_at >= \(from)::timestamptz AND cancelled_at < \(to)::timestamptz)::int AS cancelled
              FROM tickets
             WHERE ((created_at >= \(from)::timestamptz AND created_at < \(to)::timestamptz)
                    OR (cancelled_at >= \(from)::timestamptz AND cancelled_at < \(to)::timestamptz))
               AND (\(filter.productId)::int IS NULL OR product_id = \(filter.productId)::int)
               AND (\(filter.partnerId)::bigint IS NULL OR partner_id = \(filter.partnerId)::bigint)
             GROUP BY 1, 2
            """, into: &cells) { row, a in
            a.sales.fromHolds += try row.decode("from_holds", as: Int.self)
            a.sales.fromBatches += try row.decode("from_batches", as: Int.self)
            a.sales.cancelled += try row.decode("cancelled", as: Int.self)
        }
    }

    func billing(from: Timestamp, to: Timestamp, filter: KPI.Filter, into cells: inout [Key: KPI.Activity]) throws {
        try count("""
            SELECT t.product_id, r.partner_id, count(*)::int AS n
              FROM redemptions r JOIN tickets t ON t.ticket_code = r.ticket_code
             WHERE r.redeemed_at >= \(from)::timestamptz AND r.redeemed_at < \(to)::timestamptz
               AND (\(filter.productId)::int IS NULL OR t.product_id = \(filter.productId)::int)
               AND (\(filter.partnerId)::bigint IS NULL OR r.partner_id = \(filter.partnerId)::bigint)
             GROUP BY 1, 2
            """, into: &cells) { row, a in
            a.billing.redemptions += try row.decode("n", as: Int.self)
        }
        try count("""
            SELECT product_id, partner_id, count(*)::int AS n, sum(amount) AS gross, sum(commission) AS commission, sum(net) AS net
              FROM billing_lines
             WHERE billed_at >= \(from)::timestamptz AND billed_at < \(to)::timestamptz
               AND (\(filter.productId)::int IS NULL OR product_id = \(filter.productId)::int)
               AND (\(filter.partnerId)::bigint IS NULL OR partner_id = \(filter.partnerId)::bigint)
             GROUP BY 1, 2
            """, into: &cells) { row, a in
            var b = KPI.Billing()
            b.billedTickets = try row.decode("n")
            b.gross = try row.decode("gross")
            b.commission = try row.decode("commission")
            b.net = try row.decode("net")
            a.billing.add(b)
        }
    }

    /// Every pool now, by product and, as the console has always listed them, ota before direct.
    public func pools(productId: Int?) throws(StoreError) -> [KPI.Pool] {
        try AllocationStore(db).pools(productId: productId).sorted { ($0.productId, $1.channel) < ($1.productId, $0.channel) }
    }

    /// Whether the product and partner of a filter exist (an unknown id is the caller's mistake).
    public func exists(productId: Int?, partnerId: Int64?) throws(StoreError) -> (product: Bool, partner: Bool) {
        try storeCall {
            let row = try db.query("""
                SELECT (\(productId)::int IS NULL OR EXISTS (SELECT 1 FROM products WHERE product_id = \(productId)::int)) AS product,
                       (\(partnerId)::bigint IS NULL OR EXISTS (SELECT 1 FROM partners WHERE partner_id = \(partnerId)::bigint)) AS partner
                """).first
            return (try row?.decode("product") ?? false, try row?.decode("partner") ?? false)
        }
    }
}
