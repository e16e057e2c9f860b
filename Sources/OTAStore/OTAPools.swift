public import OTADomain
public import Postgres

/// The OTA pools' availability at one moment of the database: what GET /inventory shows,
/// read in one statement so a gateway can keep it in memory for a few milliseconds.
public struct OTAPools: Sendable {
    /// The database's now() of the reading statement: its snapshot was taken at or after
    /// it, so the figures are never older than `at`.
    public var at: Timestamp
    /// Available units of every product with an OTA pool, by product id.
    public var available: [Int: Int]

    public init(at: Timestamp, available: [Int: Int]) {
        self.at = at
        self.available = available
    }
}

extension CatalogStore {
    /// One statement over the channel_inventory view (one row per pool), one row back.
    public func otaPools() throws(StoreError) -> OTAPools {
        try storeCall {
            guard let row = try db.query("""
                SELECT now() AS at,
                       coalesce(string_agg(product_id || '=' || (allocated - reserved - sold), ','), '') AS pools
                  FROM channel_inventory WHERE channel = 'ota'
                """).first else { throw StoreError.corrupt("OTA pools returned no row") }
            var available: [Int: Int] = [:]
            for entry in try row.decode("pools", as: String.self).split(separator: ",") {
                let kv = entry.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, let id = Int(kv[0]), let n = Int(kv[1]) else { throw StoreError.corrupt("OTA pool \(entry)") }
                available[id] = n
            }
            return OTAPools(at: try row.decode("at", as: Timestamp.self), available: available)
        }
    }
}
