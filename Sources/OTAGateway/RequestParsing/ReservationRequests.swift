import OTADomain

// Holds and their activation, read from JSON bodies. Each member is read (its JSON type
// and presence) and handed to its OTADomain rule at once, so the first wrong member is
// the one named.

extension HoldRequest {
    /// Reads `{"product_id", "quantity", "reservation_expires_at"?}`.
    static func parse(_ body: JSONObjectReader, now: Timestamp, maxHoldSeconds: Int) throws(FieldError) -> HoldRequest {
        let productId = try body.requiredInteger("product_id")
        try ProductId.check(productId)
        let quantity = try body.requiredInteger("quantity")
        try checkQuantity(quantity)
        let expiresAt = try expiry(requested: try body.optionalString("reservation_expires_at"), now: now, maxHoldSeconds: maxHoldSeconds)
        return HoldRequest(productId: productId, quantity: quantity, expiresAt: expiresAt)
    }
}

extension ActivationRequest {
    /// Reads `{"customer": {...}, "units": [{"customer_type", "travel_date"?}, ...]}`; what
    /// needs the database (the customer type list, the hold's quantity) is `validate`'s.
    static func parse(_ body: JSONObjectReader, maxUnits: Int = defaultMaxUnits) throws(FieldError) -> ActivationRequest {
        guard let c = try body.optionalObject("customer") else { throw .invalid("customer", "is required: {\"name\": ...}") }
        let customer = try Customer.parse(c, field: "customer")
        guard let items = try body.optionalArray("units") else {
            throw .invalid("units", "is required: one entry per held unit, e.g. [{\"customer_type\": \"adult\"}]")
        }
        try checkUnitCount(items.count, maxUnits: maxUnits)
        var units: [Unit] = []
        units.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            let u = try JSONObjectReader(item, path: "units[\(i)]")
            let type = try u.requiredString("customer_type", maxLength: maxCustomerTypeLength)
            let date = try u.optionalString("travel_date", maxLength: LocalDate.textLength).map { t throws(FieldError) in
                try LocalDate(field: "units[\(i)].travel_date", text: t)
            }
            units.append(Unit(customerType: type, travelDate: date))
        }
        return ActivationRequest(customer: customer, units: units)
    }
}

extension Customer {
    /// Reads `{"name", "email"?, "phone"?}` at `field`.
    static func parse(_ o: JSONObjectReader, field: String) throws(FieldError) -> Customer {
        let name = try Self.name(try o.requiredString("name", maxLength: maxNameLength), field: field)
        let email = try o.optionalString("email", maxLength: maxEmailLength)
        if let e = email { try checkEmail(e, field: field) }
        let phone = try o.optionalString("phone", maxLength: maxPhoneLength)
        if let p = phone { try checkPhone(p, field: field) }
        return Customer(name: name, email: email, phone: phone)
    }
}
