public import OTADomain
import OTARepresentation
public import Postgres

/// Redeeming ticket entitlements at venues, and the billing line of a first redemption.
public struct RedemptionStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    public enum ScanOutcome: Sendable, Equatable {
        case redeemed(Redemption, ticket: Ticket, billed: Bool)
        /// The same scan_id again: what the first scan did.
        case replay(Redemption, ticket: Ticket)
        /// The scan_id was used for another ticket, function or venue.
        case scanIdReused
        case ticketNotFound
        case ticketNotActive(TicketStatus)
        case unknownFunction(available: [String])
        case noUsesLeft
    }

    /// One use of one entitlement, in one transaction. The ticket row is locked first
    /// (FOR UPDATE), so parallel scans of one ticket run one after the other and the
    /// conditional decrement (uses_left > 0) lets exactly as many through as there are uses.
    /// A scan_id replays only the same scan (ticket, function, venue); another is refused.
    public func redeem(ticketCode: String, partnerId: Int64, functionCode: String, venueId: String, operatorId: Int64,
                       scanId: String?) throws(StoreError) -> ScanOutcome {
        try storeCall { try db.transaction { () throws -> ScanOutcome in
            let tickets = TicketStore(db)
            if let scan = scanId {
                try db.query("SELECT pg_advisory_xact_lock(hashtextextended(\(scan), \(partnerId)))")
                if let row = try db.query("""
                    SELECT redemption_id, ticket_code, function_code, venue_id, operator_id, scan_id, uses_left, redeemed_at
                      FROM redemptions WHERE partner_id = \(partnerId) AND scan_id = \(scan)
                    """).first {
                    let r = try Self.redemption(row)
                    guard r.ticketCode == ticketCode, r.functionCode == functionCode, r.venueId == venueId else { return .scanIdReused }
                    guard let t = try tickets.find(ticketCode: r.ticketCode, partnerId: partnerId) else { return .ticketNotFound }
                    return .replay(r, ticket: t)
                }
            }
            guard let ticket = try tickets.find(ticketCode: ticketCode, partnerId: partnerId, forUpdate: true) else {
                return .ticketNotFound
            }
            guard ticket.status == .active else { return .ticketNotActive(ticket.status) }
            guard ticket.entitlements.contains(where: { $0.functionCode == functionCode }) else {
                return .unknownFunction(available: ticket.entitlements.map(\.functionCode))
            }
            guard let left = try db.query("""
                UPDATE ticket_entitlements SET uses_left = uses_left - 1
                 WHERE ticket_code = \(ticketCode) AND function_code = \(functionCode) AND uses_left > 0
                RETURNING uses_left
                """).first?.decode("uses_left", as: Int.self) else { return .noUsesLeft }
            guard let row = try db.query("""
                INSERT INTO redemptions (partner_id, ticket_code, function_code, venue_id, operator_id, scan_id, uses_left)
                VALUES (\(partnerId), \(ticketCode), \(functionCode), \(venueId), \(operatorId), \(scanId), \(left))
                RETURNING redemption_id, ticket_code, function_code, venue_id, operator_id, scan_id, uses_left, redeemed_at
                """).first else { throw StoreError.corrupt("redemption insert returned nothing") }
            let redemption = try Self.redemption(row)
            let billed = try bill(ticketCode: ticketCode, redemptionId: redemption.redemptionId)
            // Every use of every entitlement gone: the ticket is used up.
            try db.query("""
                UPDATE tickets SET status = 'USED'
                 WHERE ticket_code = \(ticketCode) AND status = 'ACTIVE'
                   AND NOT EXISTS (SELECT 1 FROM ticket_entitlements e WHERE e.ticket_code = \(ticketCode) AND e.uses_left > 0)
                """)
            guard let after = try tickets.find(ticketCode: ticketCode, partnerId: partnerId) else { return .ticketNotFound }
            var events = [OutboxEvent(partnerId: partnerId, type: .ticketRedeemed,
                                      data: WebhookEventBody.redemptionData(redemption, ticket: after))]
            if after.status == .used {
                events.append(OutboxEvent(partnerId: partnerId, type: .ticketUsed, data: WebhookEventBody.ticketData(after)))
            }
            try WebhookOutbox(db).record(events)
            return .redeemed(redemption, ticket: after, billed: billed)
        } }
    }

    /// The ticket's billing line at its first redemption: the price it was sold at (the
    /// batch snapshot's for batch tickets), the batch reseller's commission, and the net.
    /// Returns false when the ticket was billed before.
    func bill(ticketCode: String, redemptionId: Int64) throws -> Bool {
        try db.query("""
            INSERT INTO billing_lines (ticket_code, partner_id, product_id, batch_key, reseller_id, redemption_id, amount,
                                       commission_rate, commission, net, currency)
            SELECT t.ticket_code, t.partner_id, t.product_id, t.batch_key, b.reseller_id, \(redemptionId), t.price,
                   coalesce(b.commission_rate, 0),
                   round(t.price * coalesce(b.commission_rate, 0), 2),
                   t.price - round(t.price * coalesce(b.commission_rate, 0), 2),
                   coalesce(b.pricing_snapshot->>'currency', (SELECT value FROM settings WHERE key = 'currency'), 'CNY')
              FROM tickets t LEFT JOIN ticket_batches b ON b.batch_key = t.batch_key
             WHERE t.ticket_code = \(ticketCode)
            ON CONFLICT (ticket_code) DO NOTHING
            """).affectedRows == 1
    }

    /// The redemptions of one order's tickets, newest first, one page; nil when the page's
    /// cursor is not one of this listing.
    public func redemptions(orderId: String, partnerId: Int64, page: PageRequest) throws(StoreError) -> (items: [Redemption], more: Bool)? {
        var afterId: Int64?
        if let after = page.after {
            guard let id = Int64(after.id) else { return nil }
            afterId = id
        }
        let afterTime = page.after?.createdAt
        return try storeCall {
            let rows = try db.query("""
                SELECT r.redemption_id, r.ticket_code, r.function_code, r.venue_id, r.operator_id, r.scan_id, r.uses_left, r.redeemed_at
                  FROM redemptions r JOIN tickets t ON t.ticket_code = r.ticket_code
                 WHERE t.order_id = \(orderId) AND t.partner_id = \(partnerId) AND r.partner_id = \(partnerId)
                   AND (\(afterTime)::timestamptz IS NULL OR (r.redeemed_at, r.redemption_id) < (\(afterTime)::timestamptz, \(afterId)::bigint))
                 ORDER BY r.redeemed_at DESC, r.redemption_id DESC
                 LIMIT \(page.limit + 1)
                """)
            return try rows.page(page.limit, Self.redemption)
        }
    }

    static func redemption(_ row: PostgresRow) throws -> Redemption {
        Redemption(redemptionId: try row.decode("redemption_id"), ticketCode: try row.decode("ticket_code"),
                   functionCode: try row.decode("function_code"), venueId: try row.decode("venue_id"),
                   operatorId: try row.decode("operator_id"), scanId: try row.decodeIfPresent("scan_id"),
                   usesLeft: try row.decode("uses_left"), redeemedAt: try row.decode("redeemed_at"))
    }
}
