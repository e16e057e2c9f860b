public import OTADomain
public import Postgres

/// Tickets and their entitlements.
public struct TicketStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    /// Copies the product's entitlements onto newly issued tickets, in one statement.
    func grantEntitlements(ticketCodes: [String], productId: Int) throws {
        try db.query("""
            INSERT INTO ticket_entitlements (ticket_code, function_code, label, uses_total, uses_left)
            SELECT t.code, e.function_code, e.label, e.uses, e.uses
              FROM unnest(\(ticketCodes)::text[]) AS t(code)
              CROSS JOIN product_entitlements e
             WHERE e.product_id = \(productId)
            """)
    }

    /// The columns of a ticket, with its entitlements packed into one text column
    /// (unit and record separators), so a page of tickets is one query.
    static let selectTicket = """
        SELECT t.ticket_code, t.partner_id, t.product_id, t.order_id, t.status, t.customer_type, t.travel_date, t.price,
               t.created_at, (SELECT b.batch_id FROM ticket_batches b WHERE b.batch_key = t.batch_key) AS batch_id,
               coalesce((SELECT string_agg(concat_ws(chr(31), e.function_code, e.label, e.uses_total, e.uses_left), chr(30)
                                           ORDER BY e.function_code)
                           FROM ticket_entitlements e WHERE e.ticket_code = t.ticket_code), '') AS entitlements
          FROM tickets t
        """

    /// The tickets of one order, by code, one page after `afterCode`.
    public func tickets(orderId: String, partnerId: Int64, limit: Int, afterCode: String?) throws(StoreError) -> (items: [Ticket], more: Bool) {
        try storeCall {
            let rows = try db.query("""
                \(unescaped: Self.selectTicket)
                 WHERE t.order_id = \(orderId) AND t.partner_id = \(partnerId)
                   AND (\(afterCode)::text IS NULL OR t.ticket_code > \(afterCode)::text)
                 ORDER BY t.ticket_code
                 LIMIT \(limit + 1)
                """)
            return try rows.page(limit, Self.ticket)
        }
    }

    /// The partner's ticket; another partner's is indistinguishable from none.
    public func find(ticketCode: String, partnerId: Int64, forUpdate: Bool = false) throws(StoreError) -> Ticket? {
        try storeCall {
            try db.query("""
                \(unescaped: Self.selectTicket)
                 WHERE t.ticket_code = \(ticketCode) AND t.partner_id = \(partnerId)
                \(unescaped: forUpdate ? "FOR UPDATE OF t" : "")
                """).first.map(Self.ticket)
        }
    }

    /// The frozen pricing a batch ticket is billed from (nil for an order's ticket).
    public func batchPricing(ticketCode: String) throws(StoreError) -> PricingSnapshot? {
        try storeCall {
            guard let text = try db.query("""
                SELECT b.pricing_snapshot::text AS s FROM tickets t JOIN ticket_batches b ON b.batch_key = t.batch_key
                 WHERE t.ticket_code = \(ticketCode)
                """).first?.decode("s", as: String.self) else { return nil }
            guard let snap = StoredPricingSnapshot.decode(text) else {
                throw StoreError.corrupt("batch pricing snapshot")
            }
            return snap
        }
    }

    static func ticket(_ row: PostgresRow) throws -> Ticket {
        guard let status = TicketStatus(rawValue: try row.decode("status", as: String.self)) else {
            throw StoreError.corrupt("ticket status")
        }
        let packed = try row.decode("entitlements", as: String.self)
        let entitlements: [Entitlement] = try packed.isEmpty ? [] : packed.split(separator: "\u{1E}").map { item in
            let f = item.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            guard f.count == 4, let total = Int(f[2]), let left = Int(f[3]) else { throw StoreError.corrupt("ticket entitlement") }
            return Entitlement(functionCode: String(f[0]), label: String(f[1]), usesTotal: total, usesLeft: left)
        }
        return Ticket(ticketCode: try row.decode("ticket_code"), partnerId: try row.decode("partner_id"),
                      productId: try row.decode("product_id"), orderId: try row.decodeIfPresent("order_id"),
                      batchId: try row.decodeIfPresent("batch_id"), status: status,
                      customerType: try row.decodeIfPresent("customer_type"), travelDate: try row.decodeIfPresent("travel_date"),
                      price: try row.decode("price"), entitlements: entitlements, createdAt: try row.decode("created_at"))
    }
}
