public import OTADomain
public import Postgres

/// Everything the hot paths read of the catalog, as one value: prices and discounts of
/// every product, special dates, the currency, customer types, and which partners
/// subscribe to which webhook events. A gateway keeps one in memory while it hears the
/// catalog's change notifications (sql/migrations/0018).
public struct CatalogSnapshot: Sendable {
    public var currency: String
    public var customerTypes: [String]
    /// Every special date, in date order.
    public var specialDates: [SpecialDate]
    /// Every product's prices, by product id (whether or not it has an OTA pool).
    public var products: [Int: ProductPricing]
    /// Enabled webhook subscriptions: partner -> event types.
    public var subscriptions: [Int64: Set<WebhookEventType>]

    public init(currency: String, customerTypes: [String], specialDates: [SpecialDate], products: [Int: ProductPricing],
                subscriptions: [Int64: Set<WebhookEventType>]) {
        self.currency = currency
        self.customerTypes = customerTypes
        self.specialDates = specialDates
        self.products = products
        self.subscriptions = subscriptions
    }

    /// Special dates within `range`, or from `from` on (at most a year) when no range is
    /// given: what CatalogStore.specialDates answers from the database.
    public func specialDates(in range: ClosedRange<LocalDate>?, from: LocalDate) -> [SpecialDate] {
        let lower = range?.lowerBound ?? from
        let upper = range?.upperBound ?? from.adding(days: 366)
        return specialDates.filter { $0.date >= lower && $0.date <= upper }
    }

    /// The prices a hold made today freezes (nil: no such product).
    public func pricingSnapshot(productId: Int, today: LocalDate) -> PricingSnapshot? {
        products[productId].map { PricingSnapshot(pricing: $0, specialDates: specialDates(in: nil, from: today), currency: currency) }
    }

    public func subscribes(partnerId: Int64, to type: WebhookEventType) -> Bool {
        subscriptions[partnerId]?.contains(type) ?? false
    }
}

extension CatalogStore {
    /// The whole snapshot in one statement (one round trip, one MVCC snapshot, so its parts
    /// agree). Lists travel as text with separators none of their values can contain:
    /// codes and event types are `[a-z._]`, numbers and dates have no `,;= `.
    public func snapshot() throws(StoreError) -> CatalogSnapshot {
        try storeCall {
            guard let row = try db.query("""
                SELECT (SELECT value FROM settings WHERE key = 'currency') AS currency,
                       (SELECT coalesce(string_agg(code, ',' ORDER BY code), '') FROM customer_types) AS customer_types,
                       (SELECT coalesce(string_agg(day::text || '=' || multiplier::text, ',' ORDER BY day), '')
                          FROM special_dates) AS special_dates,
                       (SELECT coalesce(string_agg(p.product_id || ';' || p.weekday_price || ';' || p.weekend_price || ';'
                                   || coalesce((SELECT string_agg(d.customer_type || '=' || d.amount::text, ',' ORDER BY d.customer_type)
                                                  FROM product_discounts d WHERE d.product_id = p.product_id), ''),
                                   ' ' ORDER BY p.product_id), '')
                          FROM products p) AS products,
                       (SELECT coalesce(string_agg(e.partner_id || '=' || array_to_string(e.events, ','), ' '), '')
                          FROM webhook_endpoints e WHERE e.status = 'enabled') AS subscriptions
                """).first else { throw StoreError.corrupt("catalog snapshot returned no row") }
            let specialDates = try Self.split(try row.decode("special_dates", as: String.self), ",").map { entry in
                let kv = entry.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, let d = LocalDate(String(kv[0])), let m = PriceMultiplier(String(kv[1])) else {
                    throw StoreError.corrupt("special date \(entry)")
                }
                return SpecialDate(date: d, multiplier: m)
            }
            var products: [Int: ProductPricing] = [:]
            for entry in Self.split(try row.decode("products", as: String.self), " ") {
                let f = entry.split(separator: ";", maxSplits: 3, omittingEmptySubsequences: false)
                guard f.count == 4, let id = Int(f[0]), let weekday = Money(String(f[1])), let weekend = Money(String(f[2])) else {
                    throw StoreError.corrupt("product \(entry)")
                }
                products[id] = ProductPricing(productId: id, weekdayPrice: weekday, weekendPrice: weekend,
                                              discounts: try Self.discounts(String(f[3])))
            }
            var subscriptions: [Int64: Set<WebhookEventType>] = [:]
            for entry in Self.split(try row.decode("subscriptions", as: String.self), " ") {
                let kv = entry.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, let partner = Int64(kv[0]) else { throw StoreError.corrupt("subscription \(entry)") }
                // An event type this build does not know yet (a newer one) matters to no hold.
                subscriptions[partner, default: []].formUnion(kv[1].split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) })
            }
            return CatalogSnapshot(currency: try row.decodeIfPresent("currency", as: String.self) ?? "CNY",
                                   customerTypes: Self.split(try row.decode("customer_types", as: String.self), ","),
                                   specialDates: specialDates, products: products, subscriptions: subscriptions)
        }
    }

    static func split(_ text: String, _ separator: Character) -> [String] {
        text.split(separator: separator).map(String.init)
    }
}
