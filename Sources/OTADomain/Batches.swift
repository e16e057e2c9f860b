public enum DistributionMode: String, Sendable, CaseIterable {
    case directSale = "direct_sale"
    case resellerBatch = "reseller_batch"

    /// The batch's reference expiry (stored, shown, not enforced).
    public var referenceValiditySeconds: Int64 {
        switch self {
        case .directSale: return 7 * 86_400
        case .resellerBatch: return 30 * 86_400
        }
    }
}

/// A commission rate from 0 to 1, exact to 1/10000 (numeric(5,4)).
public struct CommissionRate: Sendable, Hashable, CustomStringConvertible {
    public var tenThousandths: Int

    public init(tenThousandths: Int) { self.tenThousandths = tenThousandths }

    public init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, whole == "0" || whole == "1" else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        while fraction.count > 4, fraction.hasSuffix("0") { fraction.removeLast() }
        guard parts.count == 1 || !parts[1].isEmpty, fraction.count <= 4, fraction.allSatisfy(\.isASCIIDigit) else { return nil }
        while fraction.count < 4 { fraction += "0" }
        guard let f = Int(fraction) else { return nil }
        tenThousandths = (whole == "1" ? 10_000 : 0) + f
        guard tenThousandths <= 10_000 else { return nil }
    }

    /// "0.15", "1", "0.0725".
    public var description: String {
        if tenThousandths == 10_000 { return "1" }
        var f = String(tenThousandths)
        while f.count < 4 { f = "0" + f }
        while f.hasSuffix("0") { f.removeLast() }
        return f.isEmpty ? "0" : "0.\(f)"
    }

    /// The commission on an amount, rounded half away from zero to the cent.
    public func of(_ amount: Money) -> Money {
        let p = amount.cents * Int64(tenThousandths)
        let (q, r) = p.quotientAndRemainder(dividingBy: 10_000)
        return Money(cents: q + (r.magnitude * 2 >= 10_000 ? (p < 0 ? -1 : 1) : 0))
    }
}

/// Who a batch is for: the reseller's id, name and commission, plus free fields.
public struct ResellerMetadata: Sendable, Equatable {
    public var resellerId: String?
    public var resellerName: String?
    public var commissionRate: CommissionRate?
    /// The whole object as the partner sent it (free fields included), as compact JSON text.
    /// The free fields are the partner's own, shown back as sent and read by no rule, so the
    /// domain keeps them opaque: the gateway writes this text, the store keeps it as jsonb.
    public var document: String

    public static let maxEncodedBytes = 4096
    public static let maxIdLength = 100
    public static let maxNameLength = 200

    public init(resellerId: String?, resellerName: String?, commissionRate: CommissionRate?, document: String) {
        self.resellerId = resellerId
        self.resellerName = resellerName
        self.commissionRate = commissionRate
        self.document = document
    }

    /// The size bound, on the encoded object.
    public static func checkDocumentSize(_ document: String) throws(FieldError) {
        guard document.utf8.count <= maxEncodedBytes else {
            throw .invalid("reseller_metadata", "must encode to at most \(maxEncodedBytes) bytes")
        }
    }

    /// A commission rate from the text of a number.
    public static func commissionRate(_ literal: String) throws(FieldError) -> CommissionRate {
        guard let r = CommissionRate(literal) else {
            throw .invalid("reseller_metadata.commission_rate", "must be between 0 and 1 with at most 4 decimals")
        }
        return r
    }
}

/// `POST /api/ota/tickets/bulk-generate`.
public struct BulkGenerateRequest: Sendable, Equatable {
    public var productId: Int
    public var quantity: Int
    public var batchId: String?
    public var mode: DistributionMode
    public typealias SpecialPricing = (basePrice: Money, weekendPremium: Money, discounts: [(customerType: String, amount: Money)])

    /// Partner-given prices for this batch, replacing the product's current ones.
    public var specialPricing: SpecialPricing?
    public var reseller: ResellerMetadata?

    public static let maxQuantity = 5000

    public static func == (a: BulkGenerateRequest, b: BulkGenerateRequest) -> Bool {
        a.productId == b.productId && a.quantity == b.quantity && a.batchId == b.batchId && a.mode == b.mode && a.reseller == b.reseller
            && a.specialPricing?.basePrice == b.specialPricing?.basePrice
            && a.specialPricing?.weekendPremium == b.specialPricing?.weekendPremium
    }

    public static func isValidBatchId(_ s: String) -> Bool {
        let b = Array(s.utf8)
        func ok(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
        }
        return (1...64).contains(b.count) && ok(b[0]) && b.allSatisfy { ok($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x3A || $0 == 0x2D }
    }

    public static let maxBatchIdLength = 64
    /// A special price is an amount from 0 to 1000000.
    public static let maxSpecialPrice = Money(cents: 100_000_000)

    /// `specialPricing` discounts are kept in customer-type order, whatever order they came in.
    public init(productId: Int, quantity: Int, batchId: String?, mode: DistributionMode, specialPricing: SpecialPricing?,
                reseller: ResellerMetadata?) {
        self.productId = productId
        self.quantity = quantity
        self.batchId = batchId
        self.mode = mode
        self.specialPricing = specialPricing.map { sp in
            (sp.basePrice, sp.weekendPremium, sp.discounts.sorted { $0.customerType < $1.customerType })
        }
        self.reseller = reseller
    }

    public static func checkQuantity(_ quantity: Int) throws(FieldError) {
        guard (1...maxQuantity).contains(quantity) else { throw .invalid("quantity", "must be a whole number from 1 to \(maxQuantity)") }
    }

    public static func checkBatchId(_ batchId: String) throws(FieldError) {
        guard isValidBatchId(batchId) else {
            throw .invalid("batch_id", "must be 1 to 64 characters: letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
        }
    }

    /// The distribution mode, which a request must name.
    public static func mode(_ text: String?) throws(FieldError) -> DistributionMode {
        guard let text else { throw .invalid("distribution_mode", "is required: direct_sale or reseller_batch") }
        guard let mode = DistributionMode(rawValue: text) else { throw .invalid("distribution_mode", "must be direct_sale or reseller_batch") }
        return mode
    }

    /// A special price (at `field`) from the text of a number: exact, at most 2 decimals.
    public static func specialPrice(_ literal: String, field: String) throws(FieldError) -> Money {
        guard let m = Money(literal), m >= .zero, m <= maxSpecialPrice else {
            throw .invalid(field, "must be an amount from 0 to 1000000 with at most 2 decimals")
        }
        return m
    }

    /// Special pricing may only name known customer types.
    public func validate(customerTypes: [String]) throws(FieldError) {
        for d in specialPricing?.discounts ?? [] where !customerTypes.contains(d.customerType) {
            throw .invalid("special_pricing.customer_discounts", "'\(d.customerType)' is not a customer type; use \(customerTypes.joined(separator: ", "))")
        }
    }

    /// The batch's frozen pricing: the special pricing when given, else the product's.
    public func snapshot(product: ProductPricing, specialDates: [SpecialDate], currency: String) -> PricingSnapshot {
        if let sp = specialPricing {
            return PricingSnapshot(basePrice: sp.basePrice, weekendPremium: sp.weekendPremium, discounts: sp.discounts,
                                   specialDates: specialDates, currency: currency)
        }
        return PricingSnapshot(pricing: product, specialDates: specialDates, currency: currency)
    }
}

public struct Batch: Sendable, Equatable {
    public var batchId: String
    public var partnerId: Int64
    public var productId: Int
    public var quantity: Int
    public var mode: DistributionMode
    public var referenceExpiresAt: Timestamp
    public var pricing: PricingSnapshot
    public var specialPricing: Bool
    public var reseller: ResellerMetadata?
    public var createdAt: Timestamp
    /// Tickets of the batch by status (absent statuses are zero).
    public var statusCounts: [TicketStatus: Int]

    public init(batchId: String, partnerId: Int64, productId: Int, quantity: Int, mode: DistributionMode, referenceExpiresAt: Timestamp,
                pricing: PricingSnapshot, specialPricing: Bool, reseller: ResellerMetadata?, createdAt: Timestamp,
                statusCounts: [TicketStatus: Int]) {
        self.batchId = batchId
        self.partnerId = partnerId
        self.productId = productId
        self.quantity = quantity
        self.mode = mode
        self.referenceExpiresAt = referenceExpiresAt
        self.pricing = pricing
        self.specialPricing = specialPricing
        self.reseller = reseller
        self.createdAt = createdAt
        self.statusCounts = statusCounts
    }
}

/// `POST /api/ota/tickets/{code}/activate` for a pre-generated ticket.
public struct TicketActivationRequest: Sendable, Equatable {
    public var customer: Customer
    public var customerType: String
    public var travelDate: LocalDate?

    /// The customer type of a request that names none.
    public static let defaultCustomerType = "adult"

    public init(customer: Customer, customerType: String = defaultCustomerType, travelDate: LocalDate?) {
        self.customer = customer
        self.customerType = customerType
        self.travelDate = travelDate
    }

    public func validate(customerTypes: [String], today: LocalDate) throws(FieldError) {
        guard customerTypes.contains(customerType) else {
            throw .invalid("customer_type", "must be one of \(customerTypes.joined(separator: ", "))")
        }
        if let d = travelDate, d < today.adding(days: -1) || d > today.adding(days: 366) {
            throw .invalid("travel_date", "must lie between yesterday and a year from today")
        }
    }
}
