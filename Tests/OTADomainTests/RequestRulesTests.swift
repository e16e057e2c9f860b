import Testing
import JSON
@testable import OTADomain

@Suite struct IntegerLiteralTests {
    @Test func readsWholeNumbersInEveryForm() {
        #expect(IntegerLiteral.read("50") == .integer(50))
        #expect(IntegerLiteral.read("-3") == .integer(-3))
        #expect(IntegerLiteral.read("5.0") == .integer(5))
        #expect(IntegerLiteral.read("1e3") == .integer(1000))
        #expect(IntegerLiteral.read("0") == .integer(0))
        #expect(IntegerLiteral.read("1.5") == .fractional)
        #expect(IntegerLiteral.read("15e-1") == .fractional)
    }

    @Test func clampsHugeQuantitiesInsteadOfOverflowing() {
        #expect(IntegerLiteral.read("99999999999999999999999999") == .integer(Int(Int32.max)))
        #expect(IntegerLiteral.read("1e300") == .integer(Int(Int32.max)))
        #expect(IntegerLiteral.read("-1e300") == .integer(-Int(Int32.max)))
    }
}

@Suite struct HoldRequestTests {
    let now = Timestamp(rfc3339: "2025-11-03T14:30:00Z")!

    func parse(_ text: String, maxHold: Int = 86_400) throws(FieldError) -> HoldRequest {
        let json = try! JSONValue.parse(text)
        return try HoldRequest.parse(try JSONObjectReader(json), now: now, maxHoldSeconds: maxHold)
    }

    @Test func defaultsToTwentyFourHours() throws {
        let r = try parse(#"{"product_id": 106, "quantity": 50}"#)
        #expect(r.productId == 106 && r.quantity == 50)
        #expect(r.expiresAt.description == "2025-11-04T14:30:00Z")
    }

    @Test func customExpiryMustLieInTheWindow() throws {
        #expect(try parse(#"{"product_id":106,"quantity":1,"reservation_expires_at":"2025-11-03T14:31:00Z"}"#).expiresAt
            == Timestamp(rfc3339: "2025-11-03T14:31:00Z"))
        #expect(throws: FieldError.invalid("reservation_expires_at", "must be at least 1 minute ahead")) {
            try parse(#"{"product_id":106,"quantity":1,"reservation_expires_at":"2025-11-03T14:30:59Z"}"#)
        }
        #expect(throws: FieldError.self) {
            try parse(#"{"product_id":106,"quantity":1,"reservation_expires_at":"2025-11-04T14:30:01Z"}"#)
        }
        #expect(throws: FieldError.self) {
            try parse(#"{"product_id":106,"quantity":1,"reservation_expires_at":"tomorrow"}"#)
        }
    }

    @Test func tellsWrongTypesFromWrongValues() {
        func kind(_ text: String) -> FieldError.Kind? {
            do { _ = try parse(text); return nil } catch { return error.kind }
        }
        #expect(kind(#"{"product_id":"106","quantity":1}"#) == .malformed)
        #expect(kind(#"{"product_id":106,"quantity":"5"}"#) == .malformed)
        #expect(kind(#"{"product_id":106,"quantity":true}"#) == .malformed)
        #expect(kind(#"{"product_id":106,"quantity":0}"#) == .invalid)
        #expect(kind(#"{"product_id":106,"quantity":-4}"#) == .invalid)
        #expect(kind(#"{"product_id":106,"quantity":2.5}"#) == .invalid)
        #expect(kind(#"{"product_id":106}"#) == .invalid)
        #expect(kind(#"{"product_id":106,"quantity":1,"reservation_expires_at":5}"#) == .malformed)
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
