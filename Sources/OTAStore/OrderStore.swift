public import OTADomain
public import Postgres

/// Orders and the tickets issued with them.
public struct OrderStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    /// Turns a locked, active hold into an order with one ACTIVE ticket per unit, inside the
    /// caller's transaction (ReservationStore.activate). The hold is ended first (reserved
    /// falls), then the tickets are inserted on the hold's slot (sold rises there), so
    /// reserved + sold never passes the slot's allocation on the way.
    func insert(for reservation: Reservation, request: ActivationRequest, prices: [Money], orderId: String,
                ticketCodes codes: [String]) throws -> Order {
        guard prices.count == request.units.count, codes.count == request.units.count else {
            throw StoreError.other("an order needs one price and one ticket code per unit")
        }
        let total = prices.reduce(Money.zero, +)
        let customer = request.customer
        let types = request.units.map(\.customerType)
        let dates: [String?] = request.units.map { $0.travelDate?.description }
        let priceTexts = prices.map(\.description)
        try ReservationStore(db).end(reservationId: reservation.reservationId, as: .activated)
        guard let row = try db.query("""
            INSERT INTO orders (order_id, partner_id, reservation_id, product_id, quantity, total_amount, currency,
                                customer_name, customer_email, customer_phone)
            VALUES (\(orderId), \(reservation.partnerId), \(reservation.reservationId), \(reservation.productId),
                    \(reservation.quantity), \(total)::numeric, \(reservation.pricing.currency),
                    \(customer.name), \(customer.email), \(customer.phone))
            RETURNING created_at
            """).first else { throw StoreError.corrupt("order insert returned nothing") }
        try db.query("""
            INSERT INTO tickets (ticket_code, partner_id, product_id, slot, order_id, status, customer_type, travel_date, price,
                                 customer_name, customer_email, customer_phone)
            SELECT u.code, \(reservation.partnerId), \(reservation.productId), r.slot, \(orderId), 'ACTIVE', u.ctype, u.tdate, u.price,
                   \(customer.name), \(customer.email), \(customer.phone)
              FROM reservations r,
                   unnest(\(codes)::text[], \(types)::text[], \(dates)::date[], \(priceTexts)::numeric[]) AS u(code, ctype, tdate, price)
             WHERE r.reservation_id = \(reservation.reservationId)
            """)
        try TicketStore(db).grantEntitlements(ticketCodes: codes, productId: reservation.productId)
        return Order(orderId: orderId, partnerId: reservation.partnerId, reservationId: reservation.reservationId,
                     productId: reservation.productId, status: "confirmed", quantity: reservation.quantity,
                     totalAmount: total, currency: reservation.pricing.currency, customer: customer,
                     createdAt: try row.decode("created_at", as: Timestamp.self))
    }

    public func find(orderId: String, partnerId: Int64) throws(StoreError) -> Order? {
        try storeCall {
            try db.query("""
                SELECT order_id, partner_id, reservation_id, product_id, status, quantity, total_amount, currency,
                       customer_name, customer_email, customer_phone, created_at
                  FROM orders WHERE order_id = \(orderId) AND partner_id = \(partnerId)
                """).first.map(Self.order)
        }
    }

    public struct Filter: Sendable {
        public var status: String?
        public var createdFrom: Timestamp?
        public var createdTo: Timestamp?
        public init(status: String? = nil, createdFrom: Timestamp? = nil, createdTo: Timestamp? = nil) {
            self.status = status
            self.createdFrom = createdFrom
            self.createdTo = createdTo
        }
    }

    /// Newest first; `createdTo` is exclusive.
    public func list(partnerId: Int64, filter: Filter, page: PageRequest) throws(StoreError) -> (items: [Order], more: Bool) {
        let afterTime = page.after?.createdAt
        let afterId = page.after?.id
        return try storeCall {
            let rows = try db.query("""
                SELECT order_id, partner_id, reservation_id, product_id, status, quantity, total_amount, currency,
                       customer_name, customer_email, customer_phone, created_at
                  FROM orders
                 WHERE partner_id = \(partnerId)
                   AND (\(filter.status)::text IS NULL OR status = \(filter.status)::text)
                   AND (\(filter.createdFrom)::timestamptz IS NULL OR created_at >= \(filter.createdFrom)::timestamptz)
                   AND (\(filter.createdTo)::timestamptz IS NULL OR created_at < \(filter.createdTo)::timestamptz)
                   AND (\(afterTime)::timestamptz IS NULL OR (created_at, order_id) < (\(afterTime)::timestamptz, \(afterId)::text))
                 ORDER BY created_at DESC, order_id DESC
                 LIMIT \(page.limit + 1)
                """)
            return try rows.page(page.limit, Self.order)
        }
    }

    static func order(_ row: PostgresRow) throws -> Order {
        Order(orderId: try row.decode("order_id"), partnerId: try row.decode("partner_id"),
              reservationId: try row.decodeIfPresent("reservation_id"), productId: try row.decode("product_id"),
              status: try row.decode("status"), quantity: try row.decode("quantity"),
              totalAmount: try row.decode("total_amount"), currency: try row.decode("currency"),
              customer: Customer(name: try row.decode("customer_name"), email: try row.decodeIfPresent("customer_email"),
                                 phone: try row.decodeIfPresent("customer_phone")),
              createdAt: try row.decode("created_at"))
    }
}
