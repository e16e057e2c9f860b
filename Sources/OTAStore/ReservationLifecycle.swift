public import OTADomain
public import Postgres

/// Listing, cancelling and locking the partner's reservations.
extension ReservationStore {
    static let columns: PostgresQuery = """
        SELECT reservation_id, partner_id, product_id, quantity, status, expires_at, created_at,
               pricing_snapshot::text AS pricing_snapshot
        """

    /// Newest first, one page (plus whether more follow).
    public func list(partnerId: Int64, status: ReservationStatus?, page: PageRequest) throws(StoreError) -> (items: [Reservation], more: Bool) {
        let afterTime = page.after?.createdAt
        let afterId = page.after?.id
        return try storeCall {
            let rows = try db.query("""
                SELECT reservation_id, partner_id, product_id, quantity, status, expires_at, created_at,
                       pricing_snapshot::text AS pricing_snapshot
                  FROM reservations
                 WHERE partner_id = \(partnerId)
                   AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue)::text)
                   AND (\(afterTime)::timestamptz IS NULL OR (created_at, reservation_id) < (\(afterTime)::timestamptz, \(afterId)::text))
                 ORDER BY created_at DESC, reservation_id DESC
                 LIMIT \(page.limit + 1)
                """)
            return try rows.page(page.limit, Self.reservation)
        }
    }

    /// The partner's reservation, locked for this transaction, and whether its expiry has
    /// passed by the database clock at the moment the lock was granted.
    public func lockForChange(reservationId: String, partnerId: Int64) throws(StoreError) -> (reservation: Reservation, isPastExpiry: Bool)? {
        try storeCall {
            guard let row = try db.query("""
                SELECT reservation_id, partner_id, product_id, quantity, status, expires_at, created_at,
                       pricing_snapshot::text AS pricing_snapshot, expires_at <= clock_timestamp() AS past_expiry
                  FROM reservations WHERE reservation_id = \(reservationId) AND partner_id = \(partnerId)
                   FOR UPDATE
                """).first else { return nil }
            return (try Self.reservation(row), try row.decode("past_expiry", as: Bool.self))
        }
    }

    /// Ends an active hold; the trigger on reservations returns its units to the pool.
    public func end(reservationId: String, as status: ReservationStatus) throws(StoreError) {
        try storeCall {
            let r = try db.query("""
                UPDATE reservations SET status = \(status.rawValue), ended_at = now(), updated_at = now()
                 WHERE reservation_id = \(reservationId) AND status = 'active'
                """)
            guard r.affectedRows == 1 else { throw StoreError.notFound("active reservation \(reservationId)") }
        }
    }
}
