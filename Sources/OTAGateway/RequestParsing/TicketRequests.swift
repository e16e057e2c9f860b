import JSON
import OTADomain

// Batches and single tickets, read from JSON bodies: JSON types and presence here, each
// value's rule in OTADomain, member by member in the order the body is checked.

extension BulkGenerateRequest {
    static func parse(_ body: JSONObjectReader) throws(FieldError) -> BulkGenerateRequest {
        let productId = try body.requiredInteger("product_id")
        try ProductId.check(productId)
        let quantity = try body.requiredInteger("quantity")
        try checkQuantity(quantity)
        let batchId = try body.optionalString("batch_id", maxLength: maxBatchIdLength)
        if let b = batchId { try checkBatchId(b) }
        let mode = try Self.mode(try body.optionalString("distribution_mode"))
        let special = try body.optionalObject("special_pricing").map { sp throws(FieldError) in try specialPricing(sp) }
        let reseller = try body.optionalObject("reseller_metadata").map { o throws(FieldError) in try ResellerMetadata.parse(o) }
        return BulkGenerateRequest(productId: productId, quantity: quantity, batchId: batchId, mode: mode,
                                   specialPricing: special, reseller: reseller)
    }

    /// `{"base_price", "weekend_premium"?, "customer_discounts"?: {"<type>": amount}}`.
    static func specialPricing(_ sp: JSONObjectReader) throws(FieldError) -> SpecialPricing {
        func amount(_ key: String, _ v: JSONValue) throws(FieldError) -> Money {
            let field = "special_pricing.\(key)"
            guard case .number = v else { throw .malformed(field, "must be a number, got \(v.typeName)") }
            // Exact, whatever the spelling: 1e2 is 100, 12.3456e2 is 1234.56 (never a Double).
            return try specialPrice(v.exactDecimal?.normalized.plainText ?? "", field: field)
        }
        guard let b = sp.value("base_price") else { throw .invalid("special_pricing.base_price", "is required") }
        let base = try amount("base_price", b)
        let premium = try sp.value("weekend_premium").map { v throws(FieldError) in try amount("weekend_premium", v) } ?? .zero
        var discounts: [(customerType: String, amount: Money)] = []
        for (type, v) in try sp.optionalObject("customer_discounts")?.members ?? [] {
            discounts.append((type, try amount("customer_discounts.\(type)", v)))
        }
        return (base, premium, discounts)
    }
}

extension ResellerMetadata {
    /// Reads the reseller's known fields and keeps the whole object, free fields included,
    /// as the text the store keeps and the answers show.
    static func parse(_ o: JSONObjectReader) throws(FieldError) -> ResellerMetadata {
        let document = JSONValue.object(o.members).encodedString()
        try checkDocumentSize(document)
        let id = try o.optionalString("reseller_id", maxLength: maxIdLength)
        let name = try o.optionalString("reseller_name", maxLength: maxNameLength)
        var rate: CommissionRate?
        if let v = o.value("commission_rate") {
            guard case let .number(text) = v else { throw .malformed("reseller_metadata.commission_rate", "must be a number, got \(v.typeName)") }
            rate = try commissionRate(text)
        }
        return ResellerMetadata(resellerId: id, resellerName: name, commissionRate: rate, document: document)
    }
}

extension TicketActivationRequest {
    /// Reads `{"customer": {...}, "customer_type"?, "travel_date"?}`.
    static func parse(_ body: JSONObjectReader) throws(FieldError) -> TicketActivationRequest {
        guard let c = try body.optionalObject("customer") else { throw .invalid("customer", "is required: {\"name\": ...}") }
        let customer = try Customer.parse(c, field: "customer")
        let type = try body.optionalString("customer_type", maxLength: ActivationRequest.maxCustomerTypeLength) ?? defaultCustomerType
        let date = try body.optionalString("travel_date", maxLength: LocalDate.textLength).map { t throws(FieldError) in
            try LocalDate(field: "travel_date", text: t)
        }
        return TicketActivationRequest(customer: customer, customerType: type, travelDate: date)
    }
}
