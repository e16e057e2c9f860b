public import Postgres

/// One slot of a channel pool (inventory_slots): the pool is the sum of its slots.
public struct InventorySlot: Sendable, Equatable {
    public var productId: Int
    public var channel: String
    public var slot: Int
    public var allocated: Int
    public var reserved: Int
    public var sold: Int
    /// Open slots (0..stripes-1) take new holds; closed ones only keep what they have.
    public var open: Bool
    public var available: Int { allocated - reserved - sold }
}

/// Striping: how many slot rows a pool is split over, so that holds on one hot product
/// lock different rows (ota_hold's fast path) instead of queueing on one.
extension AllocationStore {
    /// The pool's slots by slot number; empty when there is no such pool.
    public func slots(productId: Int, channel: SalesChannel) throws(StoreError) -> [InventorySlot] {
        try storeCall {
            try db.query("""
                SELECT product_id, channel, slot, allocated, reserved, sold, open FROM inventory_slots
                 WHERE product_id = \(productId) AND channel = \(channel.rawValue) ORDER BY slot
                """).map(Self.slot)
        }
    }

    public static let stripesRange = 1...64

    public enum StripesOutcome: Sendable, Equatable {
        /// The pool and its slots after the change.
        case changed(ChannelAllocation, slots: [InventorySlot])
        case unknownProduct
        case noPool(channel: String)
        /// K outside 1...64.
        case outOfRange(Int)
        /// The database refused; the message says why.
        case refused(String)
    }

    /// Splits the product's pool over `k` open slots (ota_set_stripes): slots 0..k-1 open,
    /// the others closed; the free units are spread over the open slots in one UPDATE, so
    /// the pool's allocated, reserved and sold are the same before and after. Holds and
    /// tickets stay on their slots. Lock order: the pool row, then its slots.
    public func stripes(productId: Int, channel: SalesChannel = .ota, k: Int) throws(StoreError) -> StripesOutcome {
        guard Self.stripesRange.contains(k) else { return .outOfRange(k) }
        do {
            return try storeCall {
                try db.transaction { () throws -> StripesOutcome in
                    guard try db.query("SELECT 1 FROM products WHERE product_id = \(productId)").first != nil else {
                        return .unknownProduct
                    }
                    guard try db.query("""
                        SELECT 1 FROM channel_pools WHERE product_id = \(productId) AND channel = \(channel.rawValue) FOR NO KEY UPDATE
                        """).first != nil else { return .noPool(channel: channel.rawValue) }
                    try db.query("SELECT ota_set_stripes(\(productId), \(channel.rawValue), \(k))")
                    guard let pool = try db.query("""
                        \(unescaped: Self.selectPools) WHERE c.product_id = \(productId) AND c.channel = \(channel.rawValue)
                        """).first.map(Self.pool) else { throw StoreError.corrupt("pool vanished") }
                    return .changed(pool, slots: try slots(productId: productId, channel: channel))
                }
            }
        } catch let .refused(constraint, message) {
            return .refused(Self.explain(constraint: constraint, message: message))
        }
    }

    static func slot(_ row: PostgresRow) throws -> InventorySlot {
        InventorySlot(productId: try row.decode("product_id"), channel: try row.decode("channel"), slot: try row.decode("slot"),
                      allocated: try row.decode("allocated"), reserved: try row.decode("reserved"), sold: try row.decode("sold"),
                      open: try row.decode("open"))
    }
}
