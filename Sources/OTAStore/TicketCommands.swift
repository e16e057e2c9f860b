public import OTADomain
import OTARepresentation
public import Postgres

/// The use cases of a single ticket, one command each, owning its transaction. The
/// lifecycle rule is TicketStatus.canBecome (the tickets_lifecycle trigger enforces the
/// same in SQL, as the last line of defence).
extension TicketStore {
    public enum ActivateOutcome: Sendable, Equatable {
        case activated(Ticket)
        case notFound
        case illegal(from: TicketStatus)
        case invalid(FieldError)
    }

    /// PRE_GENERATED -> ACTIVE with the customer, at its final price from the batch's
    /// frozen pricing (customer type and travel date; undated: today).
    public func activate(ticketCode: String, partnerId: Int64, request: TicketActivationRequest,
                         today: LocalDate) throws(StoreError) -> ActivateOutcome {
        try storeCall {
            try db.transaction { () throws -> ActivateOutcome in
                guard let t = try find(ticketCode: ticketCode, partnerId: partnerId, forUpdate: true) else { return .notFound }
                guard t.status.canBecome(.active) else { return .illegal(from: t.status) }
                let customerTypes = try CatalogStore(db).customerTypes()
                do throws(FieldError) {
                    try request.validate(customerTypes: customerTypes, today: today)
                } catch {
                    return .invalid(error)
                }
                guard let pricing = try batchPricing(ticketCode: ticketCode) else {
                    throw StoreError.corrupt("pre-generated ticket \(ticketCode) without a batch")
                }
                let price = pricing.unitPrice(on: request.travelDate ?? today, customerType: request.customerType)
                let customer = request.customer
                try db.query("""
                    UPDATE tickets SET status = 'ACTIVE', customer_type = \(request.customerType),
                           travel_date = \(request.travelDate)::date, price = \(price)::numeric,
                           customer_name = \(customer.name), customer_email = \(customer.email), customer_phone = \(customer.phone)
                     WHERE ticket_code = \(ticketCode)
                    """)
                guard let updated = try find(ticketCode: ticketCode, partnerId: partnerId) else { return .notFound }
                try WebhookOutbox(db).record([OutboxEvent(partnerId: partnerId, type: .ticketActivated,
                                                          data: WebhookEventBody.ticketData(updated))])
                return .activated(updated)
            }
        }
    }

    public enum CancelOutcome: Sendable, Equatable {
        case cancelled(Ticket)
        case notFound
        case illegal(from: TicketStatus)
        /// It has a redemption: its unit is consumed and billed, so it stays sold.
        case redeemed
    }

    /// PRE_GENERATED | ACTIVE -> CANCELLED; the tickets trigger returns the unit to the
    /// pool. A ticket with any redemption is refused: its unit must not be sold again.
    public func cancel(ticketCode: String, partnerId: Int64) throws(StoreError) -> CancelOutcome {
        try storeCall {
            try db.transaction { () throws -> CancelOutcome in
                guard let t = try find(ticketCode: ticketCode, partnerId: partnerId, forUpdate: true) else { return .notFound }
                guard t.status.canBecome(.cancelled) else { return .illegal(from: t.status) }
                guard t.entitlements.allSatisfy({ $0.usesLeft == $0.usesTotal }),
                      try db.query("SELECT 1 FROM redemptions WHERE ticket_code = \(ticketCode) LIMIT 1").first == nil else {
                    return .redeemed
                }
                try db.query("UPDATE tickets SET status = 'CANCELLED' WHERE ticket_code = \(ticketCode)")
                guard let updated = try find(ticketCode: ticketCode, partnerId: partnerId) else { return .notFound }
                try WebhookOutbox(db).record([OutboxEvent(partnerId: partnerId, type: .ticketCancelled,
                                                          data: WebhookEventBody.ticketData(updated))])
                return .cancelled(updated)
            }
        }
    }
}
