public import OTADomain
public import Postgres

/// Products, prices and OTA availability.
public struct CatalogStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    public func currency() throws(StoreError) -> String {
        try storeCall {
            try db.query("SELECT value FROM settings WHERE key = 'currency'").first?.decode("value", as: String.self) ?? "CNY"
        }
    }

    /// OTA availability and prices of the given products (nil: every product with an OTA
    /// pool), by product id. Ids without an OTA pool are simply absent.
    public func otaAvailability(productIds: [Int]?) throws(StoreError) -> [ProductAvailability] {
        try storeCall {
            let rows = try db.query("""
                SELECT p.product_id, p.weekday_price, p.weekend_price,
                       c.allocated - c.reserved - c.sold AS available,
                       coalesce((SELECT string_agg(d.customer_type || '=' || d.amount::text, ',' ORDER BY d.customer_type)
                                   FROM product_discounts d WHERE d.product_id = p.product_id), '') AS discounts
                  FROM products p
                  JOIN channel_inventory c ON c.product_id = p.product_id AND c.channel = 'ota'
                 WHERE \(productIds)::int[] IS NULL OR p.product_id = ANY(\(productIds)::int[])
                 ORDER BY p.product_id
                """)
            return try rows.map { row in
                let id = try row.decode("product_id", as: Int.self)
                return ProductAvailability(
                    productId: id, available: try row.decode("available", as: Int.self),
                    pricing: ProductPricing(
                        productId: id, weekdayPrice: try row.decode("weekday_price", as: Money.self),
                        weekendPrice: try row.decode("weekend_price", as: Money.self),
                        discounts: try Self.discounts(try row.decode("discounts", as: String.self))))
            }
        }
    }

    static func discounts(_ text: String) throws -> [(customerType: String, amount: Money)] {
        guard !text.isEmpty else { return [] }
        return try text.split(separator: ",").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let m = Money(String(kv[1])) else {
                throw StoreError.corrupt("discount entry \(pair)")
            }
            return (String(kv[0]), m)
        }
    }

    /// The prices a hold made today freezes, read from the database (nil: no such
    /// product); the gateway's in-memory catalog answers the same (CatalogSnapshot).
    public func pricingSnapshot(productId: Int, today: LocalDate) throws(StoreError) -> PricingSnapshot? {
        guard let product = try otaAvailability(productIds: [productId]).first else { return nil }
        return PricingSnapshot(pricing: product.pricing, specialDates: try specialDates(in: nil, from: today), currency: try currency())
    }

    public func customerTypes() throws(StoreError) -> [String] {
        try storeCall { try db.query("SELECT code FROM customer_types ORDER BY code").map { try $0.decode("code", as: String.self) } }
    }

    /// Special dates within `range`, or from `from` on (at most a year) when no range is given.
    public func specialDates(in range: ClosedRange<LocalDate>?, from: LocalDate) throws(StoreError) -> [SpecialDate] {
        let lower = range?.lowerBound ?? from
        let upper = range?.upperBound ?? from.adding(days: 366)
        return try storeCall {
            try db.query("""
                SELECT day, multiplier::text AS multiplier FROM special_dates
                 WHERE day BETWEEN \(lower)::date AND \(upper)::date ORDER BY day
                """).map { row in
                guard let m = PriceMultiplier(try row.decode("multiplier", as: String.self)) else {
                    throw StoreError.corrupt("special date multiplier")
                }
                return SpecialDate(date: try row.decode("day", as: LocalDate.self), multiplier: m)
            }
        }
    }
}
