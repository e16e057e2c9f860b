public import OTADomain
public import Postgres

/// Redemption-based billing: one line per ticket, written at its first redemption.
public struct BillingStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    public enum GroupBy: String, Sendable, CaseIterable { case batch, reseller, product }

    public struct Group: Sendable, Equatable {
        public var key: String?
        public var tickets: Int
        public var gross: Money
        public var commission: Money
        public var net: Money
    }

    /// Totals per group of the partner's lines billed in [from, to).
    public func summary(partnerId: Int64, from: Timestamp, to: Timestamp, groupBy: GroupBy) throws(StoreError) -> [Group] {
        let keyExpression: String
        switch groupBy {
        case .batch: keyExpression = "b.batch_id"
        case .reseller: keyExpression = "l.reseller_id"
        case .product: keyExpression = "l.product_id::text"
        }
        return try storeCall {
            try db.query("""
                SELECT \(unescaped: keyExpression) AS group_key, count(*)::int AS tickets, sum(l.amount) AS gross,
                       sum(l.commission) AS commission, sum(l.net) AS net
                  FROM billing_lines l LEFT JOIN ticket_batches b ON b.batch_key = l.batch_key
                 WHERE l.partner_id = \(partnerId) AND l.billed_at >= \(from)::timestamptz AND l.billed_at < \(to)::timestamptz
                 GROUP BY 1 ORDER BY 1 NULLS LAST
                """).map { row in
                Group(key: try row.decodeIfPresent("group_key"), tickets: try row.decode("tickets"), gross: try row.decode("gross"),
                      commission: try row.decode("commission"), net: try row.decode("net"))
            }
        }
    }

    /// Every line billed in [from, to), oldest first, with its partner's code (the admin export).
    public func export(partnerId: Int64?, from: Timestamp, to: Timestamp) throws(StoreError) -> [(partnerCode: String, line: BillingLine)] {
        try storeCall {
            try db.query("""
                SELECT p.code, l.ticket_code, l.product_id, b.batch_id, l.reseller_id, l.amount, l.commission_rate::text AS rate,
                       l.commission, l.net, l.currency, l.billed_at
                  FROM billing_lines l JOIN partners p ON p.partner_id = l.partner_id
                  LEFT JOIN ticket_batches b ON b.batch_key = l.batch_key
                 WHERE (\(partnerId)::bigint IS NULL OR l.partner_id = \(partnerId)::bigint)
                   AND l.billed_at >= \(from)::timestamptz AND l.billed_at < \(to)::timestamptz
                 ORDER BY l.billed_at, l.ticket_code
                """).map { row in (try row.decode("code", as: String.self), try Self.line(row)) }
        }
    }

    static func line(_ row: PostgresRow) throws -> BillingLine {
        guard let rate = CommissionRate(try row.decode("rate", as: String.self)) else { throw StoreError.corrupt("commission rate") }
        return BillingLine(ticketCode: try row.decode("ticket_code"), productId: try row.decode("product_id"),
                           batchId: try row.decodeIfPresent("batch_id"), resellerId: try row.decodeIfPresent("reseller_id"),
                           amount: try row.decode("amount"), commissionRate: rate, commission: try row.decode("commission"),
                           net: try row.decode("net"), currency: try row.decode("currency"), billedAt: try row.decode("billed_at"))
    }

    /// The partner's lines newest first, one page; with `partnerId` nil, every partner's
    /// (the admin export).
    public func lines(partnerId: Int64?, from: Timestamp?, to: Timestamp?, page: PageRequest) throws(StoreError) -> (items: [BillingLine], more: Bool) {
        let afterTime = page.after?.createdAt
        let afterId = page.after?.id
        return try storeCall {
            let rows = try db.query("""
                SELECT l.ticket_code, l.product_id, b.batch_id, l.reseller_id, l.amount, l.commission_rate::text AS rate,
                       l.commission, l.net, l.currency, l.billed_at
                  FROM billing_lines l LEFT JOIN ticket_batches b ON b.batch_key = l.batch_key
                 WHERE (\(partnerId)::bigint IS NULL OR l.partner_id = \(partnerId)::bigint)
                   AND (\(from)::timestamptz IS NULL OR l.billed_at >= \(from)::timestamptz)
                   AND (\(to)::timestamptz IS NULL OR l.billed_at < \(to)::timestamptz)
                   AND (\(afterTime)::timestamptz IS NULL OR (l.billed_at, l.ticket_code) < (\(afterTime)::timestamptz, \(afterId)::text))
                 ORDER BY l.billed_at DESC, l.ticket_code DESC
                 LIMIT \(page.limit + 1)
                """)
            return try rows.page(page.limit, Self.line)
        }
    }
}
