public import OTADomain
public import Postgres

/// Holds on the OTA pool.
public struct ReservationStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    /// Takes the hold in one round trip: `ota_hold` locks one slot row of the pool with
    /// SELECT ... FOR UPDATE (SKIP LOCKED first when the pool is striped; all slots in slot
    /// order when no single one has the units; bounded by lock_timeout), checks, and
    /// inserts. A lock not granted in time surfaces as StoreError.busy.
    public func hold(reservationId: String, partnerId: Int64, request: HoldRequest, maxUnitsPerHold: Int,
                     snapshot: PricingSnapshot) throws(StoreError) -> HoldOutcome {
        let snapshotText = StoredPricingSnapshot.encode(snapshot)
        return try storeCall {
            let rows = try db.query("""
                SELECT outcome, available, created_at, expires_at
                  FROM ota_hold(\(reservationId), \(partnerId), \(request.productId), \(request.quantity),
                                \(maxUnitsPerHold), \(request.expiresAt)::timestamptz, \(snapshotText)::jsonb)
                """)
            guard let row = rows.first else { throw StoreError.corrupt("ota_hold returned no row") }
            let available = try row.decode("available", as: Int.self)
            switch try row.decode("outcome", as: String.self) {
            case "held":
                return .held(available: available, createdAt: try row.decode("created_at", as: Timestamp.self),
                             expiresAt: try row.decode("expires_at", as: Timestamp.self))
            case "insufficient": return .insufficient(available: available)
            case "over_limit": return .overLimit(available: available, maxPerHold: maxUnitsPerHold)
            case "over_allotment": return .overAllotment(remaining: available)
            case "no_allocation": return .noAllocation
            case let other: throw StoreError.corrupt("ota_hold outcome \(other)")
            }
        }
    }

    /// The partner's own reservation; another partner's is indistinguishable from none.
    public func find(reservationId: String, partnerId: Int64) throws(StoreError) -> Reservation? {
        try storeCall {
            try db.query("""
                SELECT reservation_id, partner_id, product_id, quantity, status, expires_at, created_at,
                       pricing_snapshot::text AS pricing_snapshot
                  FROM reservations WHERE reservation_id = \(reservationId) AND partner_id = \(partnerId)
                """).first.map(Self.reservation)
        }
    }

    static func reservation(_ row: PostgresRow) throws -> Reservation {
        guard let status = ReservationStatus(rawValue: try row.decode("status", as: String.self)) else {
            throw StoreError.corrupt("reservation status")
        }
        let snapshotText = try row.decode("pricing_snapshot", as: String.self)
        guard let snapshot = StoredPricingSnapshot.decode(snapshotText) else {
            throw StoreError.corrupt("reservation pricing snapshot")
        }
        return Reservation(
            reservationId: try row.decode("reservation_id", as: String.self),
            partnerId: try row.decode("partner_id", as: Int64.self),
            productId: try row.decode("product_id", as: Int.self),
            quantity: try row.decode("quantity", as: Int.self), status: status,
            expiresAt: try row.decode("expires_at", as: Timestamp.self),
            createdAt: try row.decode("created_at", as: Timestamp.self), pricing: snapshot)
    }
}
