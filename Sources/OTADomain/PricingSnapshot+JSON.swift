import JSON

extension Money {
    /// A JSON number with two decimals: 288.00.
    public var json: JSONValue { .number(description) }

    /// Reads a JSON number (or numeric string, as PostgreSQL's jsonb may hold) exactly.
    public init?(json: JSONValue) {
        switch json {
        case let .number(text), let .string(text):
            guard let m = Money(text) else { return nil }
            self = m
        default: return nil
        }
    }
}

extension PricingSnapshot {
    /// The snapshot as partners see it (and as it is stored):
    /// {"base_price": 288.00, "weekend_premium": 30.00, "customer_discounts": {...},
    ///  "special_dates": {"2025-12-31": {"multiplier": 1.5}}, "currency": "CNY"}
    public var json: JSONValue {
        .object([
            ("base_price", basePrice.json),
            ("weekend_premium", weekendPremium.json),
            ("customer_discounts", .object(discounts.map { ($0.customerType, $0.amount.json) })),
            ("special_dates", .object(specialDates.map { ("\($0.date)", .object([("multiplier", .number($0.multiplier.description))])) })),
            ("currency", .string(currency)),
        ])
    }

    public init?(json: JSONValue) {
        guard let base = json["base_price"].flatMap(Money.init(json:)),
              let premium = json["weekend_premium"].flatMap(Money.init(json:)),
              case let .object(discountMembers)? = json["customer_discounts"],
              case let .object(dateMembers)? = json["special_dates"],
              case let .string(currency)? = json["currency"] else { return nil }
        var discounts: [(customerType: String, amount: Money)] = []
        for (type, value) in discountMembers {
            guard let m = Money(json: value) else { return nil }
            discounts.append((type, m))
        }
        var dates: [SpecialDate] = []
        for (day, value) in dateMembers {
            guard let d = LocalDate(day), case let .number(m)? = value["multiplier"], let mult = PriceMultiplier(m) else { return nil }
            dates.append(SpecialDate(date: d, multiplier: mult))
        }
        // jsonb stores object keys in its own order; restore a stable one.
        discounts.sort { $0.customerType < $1.customerType }
        dates.sort { $0.date < $1.date }
        self.init(basePrice: base, weekendPremium: premium, discounts: discounts, specialDates: dates, currency: currency)
    }
}
