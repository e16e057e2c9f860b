public import OTADomain
public import Postgres

/// The sales channels that have inventory pools (channel_pools.channel).
public enum SalesChannel: String, Sendable, CaseIterable {
    case direct, ota
}

/// A partner's cap inside the shared OTA pool of a product, with what it uses now.
public struct Allotment: Sendable, Equatable {
    public var partnerId: Int64
    public var partnerCode: String
    public var productId: Int
    public var units: Int
    /// Active holds plus issued (not cancelled) tickets of the product.
    public var used: Int
    public var remaining: Int { max(units - used, 0) }
}

/// Channel allocations and partner allotments, as the operator changes them.
///
/// Lock order, the same in every method and in the SQL functions they call
/// (ota_set_allocation, ota_move_allocation, ota_create_pool, ota_set_stripes): the product
/// row, the product's channel_pools rows by channel name, their inventory_slots rows by
/// (channel, slot), then a partner_allotments row. Holds and batches lock only slots (one,
/// or all of the OTA pool in slot order) and then the allotment row; the counter triggers
/// and a rebalance between slots never lock the product row, so no cycle can form.
public struct AllocationStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    public enum ChangeOutcome: Sendable, Equatable {
        /// The product's pools after the change.
        case changed([ChannelAllocation])
        case unknownProduct
        /// The channel has no pool for this product (move only; set creates it).
        case noPool(channel: String)
        /// The channel's allocation would fall below its reserved + sold.
        case belowCommitted(ChannelAllocation, requested: Int)
        /// The product's allocations would sum above its sellable_cap.
        case aboveCap(cap: Int, otherChannels: Int, requested: Int)
        /// The database refused although the checks passed (a rule this code does not
        /// know); the message says which.
        case refused(String)
    }

    /// Sets one channel's allocation (creating the pool when the product has none for it).
    public func set(productId: Int, channel: SalesChannel, units: Int) throws(StoreError) -> ChangeOutcome {
        try change(productId: productId) { cap, pools throws -> ChangeOutcome? in
            let others = pools.filter { $0.channel != channel.rawValue }.reduce(0) { $0 + $1.allocated }
            if let pool = pools.first(where: { $0.channel == channel.rawValue }) {
                guard units >= pool.committed else { return .belowCommitted(pool, requested: units) }
                guard others + units <= cap else { return .aboveCap(cap: cap, otherChannels: others, requested: units) }
                // Spread over the pool's slots, each keeping its reserved + sold.
                try db.query("SELECT ota_set_allocation(\(productId), \(channel.rawValue), \(units))")
            } else {
                guard others + units <= cap else { return .aboveCap(cap: cap, otherChannels: others, requested: units) }
                try db.query("SELECT ota_create_pool(\(productId), \(channel.rawValue), \(units))")
            }
            return nil
        }
    }

    /// Moves units from one channel's allocation to another's: one UPDATE of both pools'
    /// slots (ota_move_allocation), so the sum never changes, not even between two statements.
    public func move(productId: Int, from: SalesChannel, to: SalesChannel, units: Int) throws(StoreError) -> ChangeOutcome {
        try change(productId: productId) { _, pools throws -> ChangeOutcome? in
            guard let source = pools.first(where: { $0.channel == from.rawValue }) else { return .noPool(channel: from.rawValue) }
            guard pools.contains(where: { $0.channel == to.rawValue }) else { return .noPool(channel: to.rawValue) }
            guard source.allocated - units >= source.committed else {
                return .belowCommitted(source, requested: source.allocated - units)
            }
            try db.query("SELECT ota_move_allocation(\(productId), \(from.rawValue), \(to.rawValue), \(units))")
            return nil
        }
    }

    /// Locks the product and its pools in the fixed order, runs `body` (nil: go on) and
    /// answers the pools after it. The database's own refusals become readable outcomes.
    private func change(productId: Int,
                        _ body: (_ cap: Int, _ pools: [ChannelAllocation]) throws -> ChangeOutcome?) throws(StoreError) -> ChangeOutcome {
        do {
            return try storeCall {
                try db.transaction {
                    guard let product = try db.query("""
                        SELECT sellable_cap FROM products WHERE product_id = \(productId) FOR NO KEY UPDATE
                        """).first else { return .unknownProduct }
                    let cap = try product.decode("sellable_cap", as: Int.self)
                    try lockPools(productId: productId, channel: nil)
                    let pools = try db.query("""
                        \(unescaped: Self.selectPools) WHERE c.product_id = \(productId) ORDER BY c.channel
                        """).map(Self.pool)
                    if let early = try body(cap, pools) { return early }
                    return .changed(try db.query("""
                        \(unescaped: Self.selectPools) WHERE c.product_id = \(productId) ORDER BY c.channel
                        """).map(Self.pool))
                }
            }
        } catch let .refused(constraint, message) {
            return .refused(Self.explain(constraint: constraint, message: message))
        }
    }

    /// Locks the product's pool rows by channel, then their slots by (channel, slot): the
    /// order after the product row. `channel` nil: every pool of the product.
    func lockPools(productId: Int, channel: SalesChannel?) throws {
        let c = channel?.rawValue
        try db.query("""
            SELECT 1 FROM channel_pools WHERE product_id = \(productId) AND (\(c)::text IS NULL OR channel = \(c)::text)
             ORDER BY channel FOR NO KEY UPDATE
            """)
        try db.query("""
            SELECT 1 FROM inventory_slots WHERE product_id = \(productId) AND (\(c)::text IS NULL OR channel = \(c)::text)
             ORDER BY channel, slot FOR UPDATE
            """)
    }

    static func explain(constraint: String?, message: String) -> String {
        switch constraint {
        case "channel_inventory_no_oversell": "an allocation may not fall below its reserved + sold units"
        case "channel_inventory_within_sellable_cap": "the product's allocations may not sum above its sellable_cap (\(message))"
        case "channel_inventory_allocated_check": "an allocation may not be negative"
        case "channel_pools_stripes_range": "a pool has 1 to 64 stripes"
        default: message
        }
    }
}

// MARK: - Partner allotments

extension AllocationStore {
    /// Allotments of one partner or of all, by partner code and product.
    public func allotments(partnerId: Int64?) throws(StoreError) -> [Allotment] {
        try storeCall {
            try db.query("""
                SELECT a.partner_id, p.code, a.product_id, a.units, ota_partner_usage(a.partner_id, a.product_id) AS used
                  FROM partner_allotments a JOIN partners p ON p.partner_id = a.partner_id
                 WHERE \(partnerId)::bigint IS NULL OR a.partner_id = \(partnerId)::bigint
                 ORDER BY p.code, a.product_id
                """).map(Self.allotment)
        }
    }

    public enum AllotmentOutcome: Sendable, Equatable {
        case set(Allotment)
        case removed
        /// `none` for a partner that had no allotment of the product.
        case nothingToRemove
        /// The product has no OTA pool to be capped in.
        case noOTAPool
        /// The partner already uses more than the new allotment.
        case belowUsage(used: Int)
    }

    /// Sets (units) or removes (nil) the partner's allotment of the product. The usage is
    /// counted under the locks of all the OTA pool's slots (in slot order, then the
    /// allotment row): no hold or batch of the product is in flight meanwhile, so it is exact.
    public func setAllotment(partnerId: Int64, productId: Int, units: Int?) throws(StoreError) -> AllotmentOutcome {
        try storeCall {
            try db.transaction {
                guard try db.query("""
                    SELECT 1 FROM inventory_slots WHERE product_id = \(productId) AND channel = 'ota' ORDER BY slot FOR UPDATE
                    """).first != nil else { return .noOTAPool }
                guard let units else {
                    let n = try db.query("""
                        DELETE FROM partner_allotments WHERE partner_id = \(partnerId) AND product_id = \(productId)
                        """).affectedRows
                    return n == 1 ? .removed : .nothingToRemove
                }
                let used = try db.query("SELECT ota_partner_usage(\(partnerId), \(productId)) AS used").first?.decode("used", as: Int.self) ?? 0
                guard units >= used else { return .belowUsage(used: used) }
                try db.query("""
                    INSERT INTO partner_allotments (partner_id, product_id, units) VALUES (\(partnerId), \(productId), \(units))
                    ON CONFLICT (partner_id, product_id) DO UPDATE SET units = EXCLUDED.units, updated_at = now()
                    """)
                guard let row = try db.query("""
                    SELECT a.partner_id, p.code, a.product_id, a.units, \(used)::bigint AS used
                      FROM partner_allotments a JOIN partners p ON p.partner_id = a.partner_id
                     WHERE a.partner_id = \(partnerId) AND a.product_id = \(productId)
                    """).first else { throw StoreError.corrupt("allotment vanished") }
                return .set(try Self.allotment(row))
            }
        }
    }

    static func allotment(_ row: PostgresRow) throws -> Allotment {
        Allotment(partnerId: try row.decode("partner_id"), partnerCode: try row.decode("code"), productId: try row.decode("product_id"),
                  units: try row.decode("units"), used: try row.decode("used"))
    }
}
