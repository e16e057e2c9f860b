public import OTADomain
import OTARepresentation
public import Postgres

/// A hold that a sweep marked expired; its units went back to the pool in the same
/// transaction (the trigger on reservations lowers its slot's reserved).
public struct ExpiredHold: Sendable, Equatable {
    public var reservationId: String
    public var partnerId: Int64
    public var productId: Int
    public var channel: String
    public var quantity: Int

    public init(reservationId: String, partnerId: Int64, productId: Int, channel: String, quantity: Int) {
        self.reservationId = reservationId
        self.partnerId = partnerId
        self.productId = productId
        self.channel = channel
        self.quantity = quantity
    }
}

/// The database's clock and the earliest expiry of any active hold, read together so the
/// caller can schedule its next sweep without trusting its own clock.
public struct ExpiryOutlook: Sendable, Equatable {
    public var databaseNow: Timestamp
    /// nil when there is no active hold.
    public var earliestExpiry: Timestamp?

    public init(databaseNow: Timestamp, earliestExpiry: Timestamp?) {
        self.databaseNow = databaseNow
        self.earliestExpiry = earliestExpiry
    }
}

/// The SQL of the expiry worker: releasing due holds and purging old idempotency records.
/// Safe to run from any number of workers at once.
public struct ExpiryStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    /// Releases up to `limit` holds whose expiry has passed (database clock), earliest
    /// first, in one transaction; returns them once it committed.
    ///
    /// Lock order, so that no two transactions can wait on each other in a cycle:
    /// 1. the due reservation rows, with SKIP LOCKED: never waits, and two workers never
    ///    claim the same hold (one being cancelled or activated right now is skipped too);
    /// 2. their slot rows in inventory_slots, in (product_id, channel, slot) order, the
    ///    order every writer locks slots in: the trigger would otherwise lock them in the
    ///    order the holds happen to be updated, and two workers (or a worker and a slow-path
    ///    hold, which locks all of a pool's slots in slot order) could deadlock;
    /// 3. the update itself, which only touches rows already locked.
    /// A partner's hold locks slot rows and inserts a new reservation, never waiting for
    /// an existing one, so it cannot close a cycle with step 1 either.
    public func expireDueHolds(limit: Int) throws(StoreError) -> [ExpiredHold] {
        guard limit > 0 else { return [] }
        return try storeCall {
            try db.transaction {
                let due = try db.query("""
                    SELECT reservation_id, product_id, channel, slot FROM reservations
                     WHERE status = 'active' AND expires_at <= now()
                     ORDER BY expires_at
                     LIMIT \(limit)
                       FOR UPDATE SKIP LOCKED
                    """)
                guard !due.isEmpty else { return [] }
                var ids: [String] = []
                ids.reserveCapacity(due.count)
                var pools = Set<Slot>()
                for row in due {
                    ids.append(try row.decode("reservation_id", as: String.self))
                    pools.insert(Slot(productId: try row.decode("product_id", as: Int.self),
                                      channel: try row.decode("channel", as: String.self), slot: try row.decode("slot", as: Int.self)))
                }
                let ordered = pools.sorted()
                try db.query("""
                    SELECT product_id FROM inventory_slots
                     WHERE (product_id, channel, slot) IN (SELECT * FROM unnest(\(ordered.map(\.productId))::integer[],
                                                                                \(ordered.map(\.channel))::text[],
                                                                                \(ordered.map(\.slot))::smallint[]))
                     ORDER BY product_id, channel, slot
                       FOR UPDATE
                    """)
                let released = try db.query("""
                    UPDATE reservations SET status = 'expired', ended_at = now(), updated_at = now()
                     WHERE reservation_id = ANY(\(ids)::text[]) AND status = 'active'
                    RETURNING reservation_id, partner_id, product_id, channel, quantity,
                              status, expires_at, created_at, pricing_snapshot::text AS pricing_snapshot
                    """)
                // reservation.expired, committed with the release, for partners who listen.
                let outbox = WebhookOutbox(db)
                let listening = try outbox.subscribedPartners(try released.map { try $0.decode("partner_id", as: Int64.self) },
                                                              type: .reservationExpired)
                if !listening.isEmpty {
                    try outbox.record(try released.compactMap { row in
                        guard listening.contains(try row.decode("partner_id", as: Int64.self)) else { return nil }
                        let r = try ReservationStore.reservation(row)
                        return OutboxEvent(partnerId: r.partnerId, type: .reservationExpired, data: WebhookEventBody.reservationData(r))
                    })
                }
                return try released.map { row in
                    ExpiredHold(
                        reservationId: try row.decode("reservation_id", as: String.self),
                        partnerId: try row.decode("partner_id", as: Int64.self),
                        productId: try row.decode("product_id", as: Int.self),
                        channel: try row.decode("channel", as: String.self),
                        quantity: try row.decode("quantity", as: Int.self))
                }
            }
        }
    }

    /// The database's now() and the earliest expiry among active holds. An earliest
    /// expiry at or before now belongs to a hold another transaction has locked (another
    /// worker's batch, a cancel in progress).
    public func outlook() throws(StoreError) -> ExpiryOutlook {
        try storeCall {
            guard let row = try db.query("""
                SELECT now() AS database_now,
                       (SELECT min(expires_at) FROM reservations WHERE status = 'active') AS earliest_expiry
                """).first else { throw StoreError.corrupt("the expiry outlook returned no row") }
            return ExpiryOutlook(databaseNow: try row.decode("database_now", as: Timestamp.self),
                                 earliestExpiry: try row.decodeIfPresent("earliest_expiry", as: Timestamp.self))
        }
    }

    /// Deletes up to `limit` idempotency records created more than `olderThanHours` ago,
    /// oldest first, in one statement; returns how many went. Callers loop for more, so no
    /// statement runs long or holds many locks.
    public func purgeIdempotencyRecords(olderThanHours hours: Int, limit: Int) throws(StoreError) -> Int {
        guard limit > 0 else { return 0 }
        return try storeCall {
            try db.query("""
                DELETE FROM idempotency_records
                 WHERE (partner_id, idempotency_key) IN (
                       SELECT partner_id, idempotency_key FROM idempotency_records
                        WHERE created_at < now() - make_interval(hours => \(hours))
                        ORDER BY created_at
                        LIMIT \(limit)
                          FOR UPDATE SKIP LOCKED)
                """).affectedRows
        }
    }

    /// A slot of a channel pool, ordered as every writer locks them.
    private struct Slot: Hashable, Comparable {
        var productId: Int
        var channel: String
        var slot: Int

        static func < (a: Slot, b: Slot) -> Bool {
            (a.productId, a.channel, a.slot) < (b.productId, b.channel, b.slot)
        }
    }
}
