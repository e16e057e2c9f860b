public import OTADomain
import OTARepresentation
public import Postgres

/// The use cases of a hold, one command each: it owns its transaction (a savepoint when
/// the caller has one open, e.g. under an Idempotency-Key) and says how it ended.
extension ReservationStore {
    public enum PlaceOutcome: Sendable, Equatable {
        case held(Reservation)
        case insufficient(available: Int)
        case overLimit(available: Int, maxPerHold: Int)
        case overAllotment(remaining: Int)
        case noAllocation
    }

    /// POST /reserve: takes the hold with `ota_hold`, which locks the pool, priced with
    /// `snapshot` (the catalog as it is now, which the activation will use). The caller
    /// says whether the partner subscribes to reservation.created (both come from the
    /// gateway's in-memory catalog, or `pricingSnapshot` and WebhookOutbox.hasSubscriber):
    /// without a subscriber the hold is one autocommit statement.
    public func place(reservationId: String, partnerId: Int64, request: HoldRequest, maxUnitsPerHold: Int,
                      snapshot: PricingSnapshot, subscribed: Bool) throws(StoreError) -> PlaceOutcome {
        func take() throws(StoreError) -> PlaceOutcome {
            switch try hold(reservationId: reservationId, partnerId: partnerId, request: request,
                            maxUnitsPerHold: maxUnitsPerHold, snapshot: snapshot) {
            case let .held(_, createdAt, expiresAt):
                return .held(Reservation(reservationId: reservationId, partnerId: partnerId, productId: request.productId,
                                         quantity: request.quantity, status: .active, expiresAt: expiresAt, createdAt: createdAt,
                                         pricing: snapshot))
            case let .insufficient(available): return .insufficient(available: available)
            case let .overLimit(available, maxPerHold): return .overLimit(available: available, maxPerHold: maxPerHold)
            case let .overAllotment(remaining): return .overAllotment(remaining: remaining)
            case .noAllocation: return .noAllocation
            }
        }
        // Webhooks: the hold and its reservation.created event commit together. Without a
        // subscriber the hold stays one autocommit statement (the pool row lock lives no
        // longer than it).
        guard subscribed else { return try take() }
        let outbox = WebhookOutbox(db)
        return try storeCall {
            try db.transaction { () throws -> PlaceOutcome in
                let outcome = try take()
                if case let .held(r) = outcome {
                    try outbox.record([OutboxEvent(partnerId: partnerId, type: .reservationCreated, data: WebhookEventBody.reservationData(r))])
                }
                return outcome
            }
        }
    }

    public enum CancelOutcome: Sendable, Equatable {
        case cancelled(Reservation)
        case notFound
        case notActive(ReservationStatus)
    }

    /// active -> cancelled; the reservations trigger returns the units to the pool. A hold
    /// past its expiry (by the database clock, under the row lock) is refused as expired.
    public func cancel(reservationId: String, partnerId: Int64) throws(StoreError) -> CancelOutcome {
        try storeCall {
            try db.transaction { () throws -> CancelOutcome in
                guard let (r, pastExpiry) = try lockForChange(reservationId: reservationId, partnerId: partnerId) else { return .notFound }
                guard r.status == .active else { return .notActive(r.status) }
                // Past its expiry it is expired, whether or not the worker has released it yet.
                guard !pastExpiry else { return .notActive(.expired) }
                try end(reservationId: reservationId, as: .cancelled)
                var cancelled = r
                cancelled.status = .cancelled
                try WebhookOutbox(db).record([OutboxEvent(partnerId: partnerId, type: .reservationCancelled,
                                                          data: WebhookEventBody.reservationData(cancelled))])
                return .cancelled(cancelled)
            }
        }
    }

    public enum ActivateOutcome: Sendable, Equatable {
        case activated(Order, tickets: [Ticket])
        case notFound
        case notActive(ReservationStatus)
        /// Past its expiry by the database clock, even if the worker has not released it yet.
        case expired(Timestamp)
        case invalid(FieldError)
    }

    /// Turns an active hold into an order with one ACTIVE ticket per unit, priced from the
    /// hold's snapshot. The expiry is decided under the row lock by the database clock.
    /// `orderId` and `ticketCodes` (one per requested unit) come from the caller.
    public func activate(reservationId: String, partnerId: Int64, request: ActivationRequest, orderId: String,
                         ticketCodes: [String], today: LocalDate) throws(StoreError) -> ActivateOutcome {
        try storeCall {
            try db.transaction { () throws -> ActivateOutcome in
                guard let (r, pastExpiry) = try lockForChange(reservationId: reservationId, partnerId: partnerId) else {
                    return .notFound
                }
                guard r.status == .active else { return .notActive(r.status) }
                guard !pastExpiry else { return .expired(r.expiresAt) }
                let customerTypes = try CatalogStore(db).customerTypes()
                do throws(FieldError) {
                    try request.validate(quantity: r.quantity, customerTypes: customerTypes, today: today)
                } catch {
                    return .invalid(error)
                }
                guard ticketCodes.count == request.units.count else {
                    throw StoreError.other("activation needs one ticket code per unit")
                }
                let prices = request.unitPrices(r.pricing, today: today)
                let order = try OrderStore(db).insert(for: r, request: request, prices: prices, orderId: orderId, ticketCodes: ticketCodes)
                let tickets = try TicketStore(db).tickets(orderId: order.orderId, partnerId: partnerId,
                                                          limit: max(order.quantity, 1), afterCode: nil).items
                try WebhookOutbox(db).record([OutboxEvent(partnerId: partnerId, type: .reservationActivated,
                                                          data: WebhookEventBody.activationData(order, tickets: tickets))])
                return .activated(order, tickets: tickets)
            }
        }
    }
}
