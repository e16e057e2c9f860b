public import JSON
public import OTACrypto
public import OTADomain
public import Postgres

/// The catalog and allocations of config/catalog.json, and optionally the development
/// partners. Seeding only creates what is missing: it never overwrites a price or an
/// allocation that the operator has changed since, so running it twice changes nothing.
public struct CatalogSeed: Sendable {
    public struct Product: Sendable {
        public var id: Int
        public var name: String
        public var sellableCap: Int
        public var weekday: Money
        public var weekend: Money
        public var discounts: [(String, Money)]
        public var allocations: [(channel: String, units: Int)]
        public var entitlements: [(code: String, label: String, uses: Int)]
    }

    public struct DevPartner: Sendable {
        public var code: String
        public var name: String
        public var key: String
        public var rateLimitPerMinute: Int?
        public var venues: [(id: String, name: String, address: String?)]
    }

    public var currency: String
    public var specialDates: [(date: LocalDate, multiplier: PriceMultiplier, note: String?)]
    public var products: [Product]
    public var devPartners: [DevPartner]

    public struct DataError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses the catalog file, naming the first thing wrong in it.
    public init(json: JSONValue) throws {
        func fail(_ m: String) -> DataError { DataError(description: "catalog: \(m)") }
        let top = try CatalogFileReader(json)
        currency = try top.optionalString("currency") ?? "CNY"
        guard currency.count == 3, currency.allSatisfy({ $0.isUppercase }) else { throw fail("currency must be an ISO 4217 code") }
        specialDates = try (top.optionalArray("special_dates") ?? []).map { v in
            let o = try CatalogFileReader(v, path: "special_dates[]")
            guard let d = LocalDate(try o.requiredString("date")) else { throw fail("special date must be YYYY-MM-DD") }
            guard case let .number(m)? = o.value("multiplier"), let mult = PriceMultiplier(m) else { throw fail("bad multiplier for \(d)") }
            return (d, mult, try o.optionalString("note"))
        }
        products = try (top.optionalArray("products") ?? []).map { v in
            let o = try CatalogFileReader(v, path: "products[]")
            let id = try o.requiredInteger("product_id")
            guard let prices = try o.optionalObject("prices"),
                  let weekday = prices.value("weekday").flatMap(Self.amount),
                  let weekend = prices.value("weekend").flatMap(Self.amount) else { throw fail("product \(id) needs prices.weekday and prices.weekend") }
            let discounts: [(String, Money)] = try (o.optionalObject("discounts")?.members ?? []).map { k, v in
                guard let m = Self.amount(v) else { throw fail("discount \(k) of product \(id)") }
                return (k, m)
            }
            let allocations: [(channel: String, units: Int)] = try (o.optionalObject("allocations")?.members ?? []).map { k, v in
                guard case let .number(n) = v, let units = Int(n) else { throw fail("allocation \(k) of product \(id)") }
                return (k, units)
            }
            let entitlements = try (o.optionalArray("entitlements") ?? []).map { e in
                let r = try CatalogFileReader(e, path: "entitlements[]")
                return (try r.requiredString("function_code"), try r.requiredString("label"), try r.requiredInteger("uses"))
            }
            return Product(id: id, name: try o.requiredString("name"), sellableCap: try o.requiredInteger("sellable_cap"),
                           weekday: weekday, weekend: weekend, discounts: discounts, allocations: allocations,
                           entitlements: entitlements)
        }
        devPartners = try (top.optionalArray("dev_partners") ?? []).map { v in
            let o = try CatalogFileReader(v, path: "dev_partners[]")
            let venues = try (o.optionalArray("venues") ?? []).map { v in
                let r = try CatalogFileReader(v, path: "venues[]")
                let id = try r.requiredString("venue_id")
                guard Venue.isValidId(id) else { throw fail("venue id \(id)") }
                return (id, try r.requiredString("name"), try r.optionalString("address"))
            }
            let rate = try o.optionalInteger("rate_limit_per_minute")
            if let r = rate, !(100...1000).contains(r) { throw fail("rate_limit_per_minute must be 100-1000") }
            return DevPartner(code: try o.requiredString("code"), name: try o.requiredString("name"), key: try o.requiredString("key"),
                              rateLimitPerMinute: rate, venues: venues)
        }
    }

    /// An amount of the file: a number (or a numeric string), exact to the cent.
    static func amount(_ v: JSONValue) -> Money? {
        switch v {
        case let .number(text), let .string(text): return Money(text)
        default: return nil
        }
    }

    /// Inserts whatever is missing, in one transaction. Returns a line per thing created.
    @discardableResult
    public func apply(to db: PostgresConnection, devPartners withDevPartners: Bool) throws -> [String] {
        var created: [String] = []
        try db.transaction {
            let cur = try db.query("""
                INSERT INTO settings (key, value) VALUES ('currency', \(currency)) ON CONFLICT (key) DO NOTHING
                """)
            if cur.affectedRows > 0 { created.append("currency \(currency)") }
            for s in specialDates {
                let r = try db.query("""
                    INSERT INTO special_dates (day, multiplier, note) VALUES (\(s.date)::date, \(s.multiplier.description)::numeric, \(s.note))
                    ON CONFLICT (day) DO NOTHING
                    """)
                if r.affectedRows > 0 { created.append("special date \(s.date) x\(s.multiplier)") }
            }
            for p in products {
                let r = try db.query("""
                    INSERT INTO products (product_id, name, sellable_cap, weekday_price, weekend_price)
                    VALUES (\(p.id), \(p.name), \(p.sellableCap), \(p.weekday)::numeric, \(p.weekend)::numeric)
                    ON CONFLICT (product_id) DO NOTHING
                    """)
                if r.affectedRows > 0 { created.append("product \(p.id) \(p.name)") }
                for (type, amount) in p.discounts {
                    try db.query("""
                        INSERT INTO product_discounts (product_id, customer_type, amount) VALUES (\(p.id), \(type), \(amount)::numeric)
                        ON CONFLICT DO NOTHING
                        """)
                }
                for e in p.entitlements {
                    try db.query("""
                        INSERT INTO product_entitlements (product_id, function_code, label, uses) VALUES (\(p.id), \(e.code), \(e.label), \(e.uses))
                        ON CONFLICT DO NOTHING
                        """)
                }
                for a in p.allocations {
                    // A new pool, through the view (its trigger makes the pool and its slot 0;
                    // on a database before 0017 it is the table); an existing one is left alone.
                    let r = try db.query("""
                        INSERT INTO channel_inventory (product_id, channel, allocated)
                        SELECT \(p.id), \(a.channel), \(a.units)
                         WHERE NOT EXISTS (SELECT 1 FROM channel_inventory WHERE product_id = \(p.id) AND channel = \(a.channel))
                        """)
                    if r.affectedRows > 0 { created.append("allocation \(p.id)/\(a.channel) \(a.units)") }
                }
            }
            if withDevPartners {
                let partners = PartnerStore(db)
                for d in devPartners {
                    let existed = try db.query("SELECT 1 FROM partners WHERE code = \(d.code)").count > 0
                    let id = try partners.ensurePartner(code: d.code, name: d.name, permissions: Permission.allCases)
                    try partners.addKey(partnerId: id, key: APIKey.fixed(d.key), label: "development key")
                    if !existed {
                        created.append("partner \(d.code)")
                        if let r = d.rateLimitPerMinute {
                            try db.query("UPDATE partners SET rate_limit_per_minute = \(r) WHERE partner_id = \(id)")
                        }
                    }
                    for v in d.venues {
                        if try VenueStore(db).ensure(venueId: v.id, partnerId: id, name: v.name, address: v.address) {
                            created.append("venue \(v.id)")
                        }
                    }
                }
            }
        }
        return created
    }
}
