import Testing
@testable import OTADomain

@Suite struct TicketStatusTests {
    @Test func onlyTheFourTransitionsAreAllowed() {
        var allowed: [String] = []
        for a in TicketStatus.allCases {
            for b in TicketStatus.allCases where a.canBecome(b) { allowed.append("\(a.rawValue)->\(b.rawValue)") }
        }
        #expect(allowed.sorted() == ["ACTIVE->CANCELLED", "ACTIVE->USED", "PRE_GENERATED->ACTIVE", "PRE_GENERATED->CANCELLED"])
    }
}

/// The activation rules on values, without JSON (the body's reading is OTAGatewayTests'
/// RequestParsingTests).
@Suite struct ActivationRuleTests {
    let today = LocalDate("2025-11-03")!

    @Test func customerFieldsFollowTheirRules() throws {
        #expect(try Customer.name(" Ann ", field: "customer") == "Ann")
        #expect(throws: FieldError.invalid("customer.name", "must not be empty")) { try Customer.name("  ", field: "customer") }
        try Customer.checkEmail("ann@example.com", field: "customer")
        #expect(throws: FieldError.invalid("customer.email", "is not an email address")) { try Customer.checkEmail("nope", field: "customer") }
        try Customer.checkPhone("+86 (10) 1234-5678", field: "customer")
        #expect(throws: FieldError.self) { try Customer.checkPhone("call me", field: "customer") }
    }

    @Test func unitsAndDatesFollowTheirRules() throws {
        try ActivationRequest.checkUnitCount(1)
        #expect(throws: FieldError.self) { try ActivationRequest.checkUnitCount(0) }
        #expect(throws: FieldError.self) { try ActivationRequest.checkUnitCount(3, maxUnits: 2) }
        #expect(try LocalDate(field: "travel_date", text: "2025-11-08") == LocalDate("2025-11-08"))
        #expect(throws: FieldError.invalid("units[0].travel_date", "must be a date YYYY-MM-DD")) {
            try LocalDate(field: "units[0].travel_date", text: "08/11/2025")
        }
        let r = ActivationRequest(customer: Customer(name: "A"), units: [.init(customerType: "adult", travelDate: LocalDate("2025-10-01"))])
        #expect(throws: FieldError.self) { try r.validate(quantity: 1, customerTypes: ["adult"], today: today) }
    }
}

@Suite struct PageCursorTests {
    @Test func roundTripsAndRefusesForgeries() throws {
        let c = PageCursor(createdAt: Timestamp(microseconds: 1_762_180_200_123_456), id: "res_abc123")
        #expect(PageCursor(token: c.token) == c)
        #expect(PageCursor(token: "garbage") == nil)
        #expect(PageCursor(token: "c1zz") == nil)
        #expect(throws: FieldError.self) { try PageRequest.parse(limit: "0", cursor: nil) }
        #expect(throws: FieldError.self) { try PageRequest.parse(limit: "501", cursor: nil) }
        #expect(try PageRequest.parse(limit: nil, cursor: nil).limit == 50)
        #expect(try PageRequest.parse(limit: "500", cursor: c.token).after == c)
    }
}
