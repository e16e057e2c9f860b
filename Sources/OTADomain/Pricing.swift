/// The prices of one product as they stand: per day type, and discounts per customer type.
public struct ProductPricing: Sendable, Equatable {
    public var productId: Int
    public var weekdayPrice: Money
    public var weekendPrice: Money
    /// Discount in currency units per customer type, in customer-type order.
    public var discounts: [(customerType: String, amount: Money)]

    public init(productId: Int, weekdayPrice: Money, weekendPrice: Money, discounts: [(customerType: String, amount: Money)]) {
        self.productId = productId
        self.weekdayPrice = weekdayPrice
        self.weekendPrice = weekendPrice
        self.discounts = discounts
    }

    public static func == (a: ProductPricing, b: ProductPricing) -> Bool {
        a.productId == b.productId && a.weekdayPrice == b.weekdayPrice && a.weekendPrice == b.weekendPrice
            && a.discounts.elementsEqual(b.discounts, by: { $0.customerType == $1.customerType && $0.amount == $1.amount })
    }
}

public struct SpecialDate: Sendable, Equatable {
    public var date: LocalDate
    public var multiplier: PriceMultiplier
    public init(date: LocalDate, multiplier: PriceMultiplier) {
        self.date = date
        self.multiplier = multiplier
    }
}

/// Prices frozen when a hold (or a batch) is made; later tickets are priced from it, so a
/// price change after the hold does not change what the partner pays.
public struct PricingSnapshot: Sendable, Equatable {
    public var basePrice: Money
    public var weekendPremium: Money
    public var discounts: [(customerType: String, amount: Money)]
    public var specialDates: [SpecialDate]
    public var currency: String

    public init(basePrice: Money, weekendPremium: Money, discounts: [(customerType: String, amount: Money)],
                specialDates: [SpecialDate], currency: String) {
        self.basePrice = basePrice
        self.weekendPremium = weekendPremium
        self.discounts = discounts
        self.specialDates = specialDates
        self.currency = currency
    }

    public init(pricing: ProductPricing, specialDates: [SpecialDate], currency: String) {
        self.init(basePrice: pricing.weekdayPrice, weekendPremium: pricing.weekendPrice - pricing.weekdayPrice,
                  discounts: pricing.discounts, specialDates: specialDates, currency: currency)
    }

    public static func == (a: PricingSnapshot, b: PricingSnapshot) -> Bool {
        a.basePrice == b.basePrice && a.weekendPremium == b.weekendPremium && a.specialDates == b.specialDates
            && a.currency == b.currency
            && a.discounts.elementsEqual(b.discounts, by: { $0.customerType == $1.customerType && $0.amount == $1.amount })
    }

    public func discount(for customerType: String) -> Money {
        discounts.first(where: { $0.customerType == customerType })?.amount ?? .zero
    }

    public func multiplier(on date: LocalDate) -> PriceMultiplier {
        specialDates.first(where: { $0.date == date })?.multiplier ?? .one
    }

    /// `(weekend(d) ? weekend : weekday) * multiplier(d) - discount(t)`, never below zero.
    public func unitPrice(on date: LocalDate, customerType: String) -> Money {
        let day = date.isWeekend ? basePrice + weekendPremium : basePrice
        let price = day.multiplied(by: multiplier(on: date)) - discount(for: customerType)
        return max(price, .zero)
    }
}
