/// `POST /api/ota/reservations/{id}/activate`: the customer and one entry per held unit.
public struct ActivationRequest: Sendable, Equatable {
    public struct Unit: Sendable, Equatable {
        public var customerType: String
        public var travelDate: LocalDate?
        public init(customerType: String, travelDate: LocalDate?) {
            self.customerType = customerType
            self.travelDate = travelDate
        }
    }

    public var customer: Customer
    public var units: [Unit]

    public init(customer: Customer, units: [Unit]) {
        self.customer = customer
        self.units = units
    }

    public static let defaultMaxUnits = 10_000
    /// Customer types are catalog codes ("adult", "child").
    public static let maxCustomerTypeLength = 32

    /// The rules that need no database: what needs it (the customer type list, the hold's
    /// quantity) is checked by `validate`.
    public static func checkUnitCount(_ count: Int, maxUnits: Int = defaultMaxUnits) throws(FieldError) {
        guard count >= 1, count <= maxUnits else { throw .invalid("units", "must list 1 to \(maxUnits) entries") }
    }

    /// The rules against the hold and the catalog: one unit per held unit, known customer
    /// types, travel dates from yesterday (time zones) up to a year ahead.
    public func validate(quantity: Int, customerTypes: [String], today: LocalDate) throws(FieldError) {
        guard units.count == quantity else {
            throw .invalid("units", "must have exactly \(quantity) entries, one per held unit (got \(units.count))")
        }
        for (i, u) in units.enumerated() {
            guard customerTypes.contains(u.customerType) else {
                throw .invalid("units[\(i)].customer_type", "must be one of \(customerTypes.joined(separator: ", "))")
            }
            if let d = u.travelDate {
                guard d >= today.adding(days: -1), d <= today.adding(days: 366) else {
                    throw .invalid("units[\(i)].travel_date", "must lie between yesterday and a year from today")
                }
            }
        }
    }

    /// Each unit's price from the hold's snapshot; an undated unit is priced for `today`.
    public func unitPrices(_ snapshot: PricingSnapshot, today: LocalDate) -> [Money] {
        units.map { snapshot.unitPrice(on: $0.travelDate ?? today, customerType: $0.customerType) }
    }
}
