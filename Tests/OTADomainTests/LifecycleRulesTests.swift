import Testing
import JSON
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

@Suite struct ActivationRequestTests {
    let today = LocalDate("2025-11-03")!
    let snapshot = PricingSnapshot(basePrice: Money("288")!, weekendPremium: Money("30")!,
                                   discounts: [("child", Money("100")!)], specialDates: [], currency: "CNY")

    func parse(_ text: String) throws(FieldError) -> ActivationRequest {
        try ActivationRequest.parse(try JSONObjectReader(try! JSONValue.parse(text)))
    }

    @Test func pricesEachUnitFromTheSnapshot() throws {
        let r = try parse(#"{"customer":{"name":" Ann "},"units":[{"customer_type":"adult","travel_date":"2025-11-08"},{"customer_type":"child"}]}"#)
        #expect(r.customer.name == "Ann")
        try r.validate(quantity: 2, customerTypes: ["adult", "child"], today: today)
        #expect(r.unitPrices(snapshot, today: today) == [Money("318")!, Money("188")!])
    }

    @Test func refusesWhatDoesNotMatchTheHold() throws {
        let r = try parse(#"{"customer":{"name":"A"},"units":[{"customer_type":"adult"}]}"#)
        #expect(throws: FieldError.self) { try r.validate(quantity: 2, customerTypes: ["adult"], today: today) }
        #expect(throws: FieldError.self) { try r.validate(quantity: 1, customerTypes: ["child"], today: today) }
        let old = try parse(#"{"customer":{"name":"A"},"units":[{"customer_type":"adult","travel_date":"2025-10-01"}]}"#)
        #expect(throws: FieldError.self) { try old.validate(quantity: 1, customerTypes: ["adult"], today: today) }
    }

    @Test(arguments: [
        (#"{"units":[{"customer_type":"adult"}]}"#, FieldError.Kind.invalid),
        (#"{"customer":{"name":""},"units":[{"customer_type":"adult"}]}"#, .invalid),
        (#"{"customer":{"name":"A","email":"nope"},"units":[{"customer_type":"adult"}]}"#, .invalid),
        (#"{"customer":{"name":"A"},"units":[]}"#, .invalid),
        (#"{"customer":{"name":"A"},"units":[{"customer_type":"adult","travel_date":"08/11/2025"}]}"#, .invalid),
        (#"{"customer":"A","units":[{"customer_type":"adult"}]}"#, .malformed),
        (#"{"customer":{"name":"A"},"units":[{"customer_type":7}]}"#, .malformed),
    ])
    func refusesBadBodies(text: String, kind: FieldError.Kind) {
        do {
            _ = try parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.kind == kind)
        }
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
