import Testing
@testable import OTADomain

/// The hold rules on values, without JSON (the body's reading is OTAGatewayTests' RequestParsingTests).
@Suite struct HoldRuleTests {
    let now = Timestamp(rfc3339: "2025-11-03T14:30:00Z")!

    @Test func expiryDefaultsToADayOrThePartnersMaximum() throws {
        #expect(try HoldRequest.expiry(requested: nil, now: now, maxHoldSeconds: 86_400).description == "2025-11-04T14:30:00Z")
        #expect(try HoldRequest.expiry(requested: nil, now: now, maxHoldSeconds: 600).description == "2025-11-03T14:40:00Z")
    }

    @Test func expiryMustLieInTheWindow() throws {
        #expect(try HoldRequest.expiry(requested: "2025-11-03T14:31:00Z", now: now, maxHoldSeconds: 86_400)
            == Timestamp(rfc3339: "2025-11-03T14:31:00Z"))
        #expect(throws: FieldError.invalid("reservation_expires_at", "must be at least 1 minute ahead")) {
            try HoldRequest.expiry(requested: "2025-11-03T14:30:59Z", now: now, maxHoldSeconds: 86_400)
        }
        #expect(throws: FieldError.self) { try HoldRequest.expiry(requested: "2025-11-04T14:30:01Z", now: now, maxHoldSeconds: 86_400) }
        #expect(throws: FieldError.self) { try HoldRequest.expiry(requested: "tomorrow", now: now, maxHoldSeconds: 86_400) }
    }

    @Test func quantitiesAndProductIdsArePositive() throws {
        try HoldRequest.checkQuantity(1)
        #expect(throws: FieldError.invalid("quantity", "must be a whole number of at least 1")) { try HoldRequest.checkQuantity(0) }
        try ProductId.check(106)
        #expect(throws: FieldError.invalid("product_id", "must be a positive product id")) { try ProductId.check(-4) }
    }

    @Test func textLimitsCountUnicodeScalars() throws {
        // One grapheme cluster, three scalars: counted as three, as PostgreSQL's length() does.
        let e = "e\u{301}\u{301}"
        #expect(e.count == 1)
        #expect(throws: FieldError.invalid("name", "must be at most 2 characters")) { try TextLimit.check(e, maxLength: 2, field: "name") }
        try TextLimit.check(e, maxLength: 3, field: "name")
    }
}

@Suite struct InventoryQueryTests {
    @Test func parsesIdsAndRange() throws {
        let q = try InventoryQuery.parse(productIds: "106, 107,106", dateRange: "2025-12-01,2025-12-31")
        #expect(q.productIds == [106, 107])
        #expect(q.dateRange == LocalDate("2025-12-01")!...LocalDate("2025-12-31")!)
        #expect(try InventoryQuery.parse(productIds: nil, dateRange: nil) == InventoryQuery(productIds: nil, dateRange: nil))
    }

    @Test(arguments: [("abc", nil), ("106,", nil), ("0", nil), (nil, "2025-12-31,2025-12-01"), (nil, "2025-01-01,2026-01-02"),
                      (nil, "2025-01-01"), (nil, "2025-02-30,2025-03-01")] as [(String?, String?)])
    func refusesBadInput(ids: String?, range: String?) {
        #expect(throws: FieldError.self) { try InventoryQuery.parse(productIds: ids, dateRange: range) }
    }

    @Test func acceptsAFullLeapYearButNoMore() throws {
        #expect(try InventoryQuery.parse(productIds: nil, dateRange: "2024-01-01,2024-12-31").dateRange != nil)
        #expect(throws: FieldError.self) { try InventoryQuery.parse(productIds: nil, dateRange: "2024-01-01,2025-01-01") }
    }
}
