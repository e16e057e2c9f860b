public import Postgres

/// One channel pool of a product, with the product's cap: the figures ota-admin, the
/// console's KPIs (KPI.Pool) and /metrics show, all read by `AllocationStore.pools`.
public struct ChannelAllocation: Sendable, Equatable {
    public var productId: Int
    public var productName: String
    public var channel: String
    public var allocated: Int
    public var reserved: Int
    public var sold: Int
    public var sellableCap: Int
    /// The number of open slots the pool is split over (1: one row, as before striping).
    public var stripes: Int
    public var available: Int { allocated - reserved - sold }
    /// reserved + sold: what an allocation may never go below.
    public var committed: Int { reserved + sold }
    /// (reserved + sold) / allocated; nil when nothing is allocated.
    public var utilisation: Double? { allocated > 0 ? Double(committed) / Double(allocated) : nil }
}

extension AllocationStore {
    static let selectPools = """
        SELECT c.product_id, p.name, c.channel, c.allocated, c.reserved, c.sold, p.sellable_cap, c.stripes
          FROM channel_inventory c JOIN products p ON p.product_id = c.product_id
        """

    /// Every channel pool, or one product's, or one channel's, by product and channel.
    public func pools(productId: Int?, channel: SalesChannel? = nil) throws(StoreError) -> [ChannelAllocation] {
        let c = channel?.rawValue
        return try storeCall {
            try db.query("""
                \(unescaped: Self.selectPools)
                 WHERE (\(productId)::int IS NULL OR c.product_id = \(productId)::int)
                   AND (\(c)::text IS NULL OR c.channel = \(c)::text)
                 ORDER BY c.product_id, c.channel
                """).map(Self.pool)
        }
    }

    static func pool(_ row: PostgresRow) throws -> ChannelAllocation {
        ChannelAllocation(productId: try row.decode("product_id"), productName: try row.decode("name"),
                          channel: try row.decode("channel"), allocated: try row.decode("allocated"),
                          reserved: try row.decode("reserved"), sold: try row.decode("sold"),
                          sellableCap: try row.decode("sellable_cap"), stripes: try row.decode("stripes"))
    }
}
