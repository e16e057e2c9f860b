public import OTADomain
public import Postgres

/// The shared GCRA state (table rate_limit_state, function ota_rate_take).
public struct RateLimitStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    /// Takes one request from `key`'s allowance, in one autocommitted statement.
    public func take(key: String, policy: RateLimitPolicy) throws(StoreError) -> RateLimitDecision {
        try storeCall {
            guard let row = try db.query("""
                SELECT allowed, tat_us, now_us FROM ota_rate_take(\(key), \(policy.intervalMicros), \(policy.toleranceMicros))
                """).first else { throw StoreError.corrupt("ota_rate_take returned no row") }
            return RateLimitDecision(allowed: try row.decode("allowed"), tatMicros: try row.decode("tat_us"),
                                     nowMicros: try row.decode("now_us"))
        }
    }
}
