public import OTADomain
public import Postgres

/// Business gauges for /metrics, read from the database at scrape time.
public struct MetricsStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    public struct Snapshot: Sendable {
        public var activeHolds: Int
        public var activeHoldUnits: Int
        public var holdsByStatus: [(status: String, count: Int)]
        /// The OTA pool of every product, by product.
        public var otaPools: [ChannelAllocation]
        /// Seconds the oldest due hold has waited past its expiry (0: none due).
        public var expiryLagSeconds: Double
    }

    public func snapshot() throws(StoreError) -> Snapshot {
        try storeCall {
            let holds = try db.query("""
                SELECT status, count(*)::int AS n, coalesce(sum(quantity), 0)::int AS units FROM reservations GROUP BY status ORDER BY status
                """)
            var active = 0, activeUnits = 0
            var byStatus: [(String, Int)] = []
            for row in holds {
                let status: String = try row.decode("status")
                let n: Int = try row.decode("n")
                byStatus.append((status, n))
                if status == "active" { active = n; activeUnits = try row.decode("units") }
            }
            let pools = try AllocationStore(db).pools(productId: nil, channel: .ota)
            let lag = try db.query("""
                SELECT coalesce(extract(epoch FROM now() - min(expires_at)), 0)::float8 AS lag
                  FROM reservations WHERE status = 'active' AND expires_at < now()
                """).first?.decode("lag", as: Double.self) ?? 0
            return Snapshot(activeHolds: active, activeHoldUnits: activeUnits, holdsByStatus: byStatus, otaPools: pools,
                            expiryLagSeconds: max(0, lag))
        }
    }
}
