import JSON
import OTADomain

/// The jsonb of reservations.pricing_snapshot and ticket_batches.pricing_snapshot: the
/// store's own codec, apart from the API's rendering (OTAGateway's Render.pricingSnapshot),
/// so that the answers can change shape without migrating rows.
///
/// Format 1, the only one so far, is the shape every row has had since 0004:
///   {"base_price": 288.00, "weekend_premium": 30.00, "customer_discounts": {"child": 100.00},
///    "special_dates": {"2025-12-31": {"multiplier": 1.5}}, "currency": "CNY"}
/// It carries no version member. A later format must add `"format": <n>` so that readers
/// tell the two apart; this reader refuses a format it does not know rather than guess.
enum StoredPricingSnapshot {
    /// The text written to the jsonb column (compact, members in this order).
    static func encode(_ s: PricingSnapshot) -> String {
        JSONValue.object([
            ("base_price", amount(s.basePrice)),
            ("weekend_premium", amount(s.weekendPremium)),
            ("customer_discounts", .object(s.discounts.map { ($0.customerType, amount($0.amount)) })),
            ("special_dates", .object(s.specialDates.map { ("\($0.date)", .object([("multiplier", .number($0.multiplier.description))])) })),
            ("currency", .string(s.currency)),
        ]).encodedString()
    }

    /// A snapshot from the column's text (`pricing_snapshot::text`); nil if it is not one.
    static func decode(_ text: String) -> PricingSnapshot? {
        guard let json = try? JSONValue.parse(text), json["format"] == nil else { return nil }
        return decodeFormat1(json)
    }

    static func decodeFormat1(_ json: JSONValue) -> PricingSnapshot? {
        guard let base = json["base_price"].flatMap(amount),
              let premium = json["weekend_premium"].flatMap(amount),
              case let .object(discountMembers)? = json["customer_discounts"],
              case let .object(dateMembers)? = json["special_dates"],
              case let .string(currency)? = json["currency"] else { return nil }
        var discounts: [(customerType: String, amount: Money)] = []
        for (type, value) in discountMembers {
            guard let m = amount(value) else { return nil }
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
        return PricingSnapshot(basePrice: base, weekendPremium: premium, discounts: discounts, specialDates: dates, currency: currency)
    }

    /// An amount is stored as a JSON number with two decimals: 288.00.
    static func amount(_ m: Money) -> JSONValue { .number(m.description) }

    /// Reads a JSON number (or a numeric string, as a hand-edited jsonb may hold) exactly.
    static func amount(_ json: JSONValue) -> Money? {
        switch json {
        case let .number(text), let .string(text): return Money(text)
        default: return nil
        }
    }
}
