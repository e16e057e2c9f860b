import JSON
import OTADomain
import Testing
@testable import OTAGateway

// Request bodies read at the gateway edge: JSON types and presence here (malformed, 400),
// the value rules from OTADomain (invalid, 422), member by member. Moved from
// OTADomainTests when the parsing left OTADomain; the rules alone are tested there.

func jsonObject(_ text: String) throws(FieldError) -> JSONObjectReader {
    // The test's own literals: a parse failure is a broken test, reported as one.
    guard let json = try? JSONValue.parse(text) else { throw .malformed("test", "not JSON: \(text)") }
    return try JSONObjectReader(json)
}

@Suite struct HoldRequestTests {
    let now = Timestamp(rfc3339: "2025-11-03T14:30:00Z")!

    func parse(_ text: String, maxHold: Int = 86_400) throws(FieldError) -> HoldRequest {
        try HoldRequest.parse(try jsonObject(text), now: now, maxHoldSeconds: maxHold)
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

    @Test func namesTheFirstWrongMemberInBodyOrder() {
        // A value rule of an earlier member comes before a type error of a later one.
        #expect(throws: FieldError.invalid("product_id", "must be a positive product id")) {
            try parse(#"{"product_id":0,"quantity":"x"}"#)
        }
    }
}

@Suite struct ActivationRequestTests {
    let today = LocalDate("2025-11-03")!
    let snapshot = PricingSnapshot(basePrice: Money("288")!, weekendPremium: Money("30")!,
                                   discounts: [("child", Money("100")!)], specialDates: [], currency: "CNY")

    func parse(_ text: String) throws(FieldError) -> ActivationRequest {
        try ActivationRequest.parse(try jsonObject(text))
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

    @Test func namesNestedMembersByTheirPath() {
        #expect(throws: FieldError.invalid("units[1].travel_date", "must be a date YYYY-MM-DD")) {
            try parse(#"{"customer":{"name":"A"},"units":[{"customer_type":"adult"},{"customer_type":"adult","travel_date":"soon"}]}"#)
        }
        #expect(throws: FieldError.invalid("customer.name", "must be at most 200 characters")) {
            try parse("{\"customer\":{\"name\":\"\(String(repeating: "a", count: 201))\"},\"units\":[{\"customer_type\":\"adult\"}]}")
        }
    }
}

@Suite struct BatchRequestTests {
    @Test func readsSpecialPricingInCustomerTypeOrder() throws {
        let r = try BulkGenerateRequest.parse(try jsonObject(#"""
            {"product_id": 106, "quantity": 5, "batch_id": "B-1", "distribution_mode": "reseller_batch",
             "special_pricing": {"base_price": 199.5, "customer_discounts": {"student": 20, "child": 50}}}
            """#))
        #expect(r.batchId == "B-1" && r.mode == .resellerBatch && r.reseller == nil)
        let sp = try #require(r.specialPricing)
        #expect(sp.basePrice == Money("199.50") && sp.weekendPremium == .zero)
        #expect(sp.discounts.map(\.customerType) == ["child", "student"])
        #expect(sp.discounts.map(\.amount) == [Money("50")!, Money("20")!])
    }

    @Test(arguments: [
        (#"{"product_id":106,"quantity":5001,"distribution_mode":"direct_sale"}"#, FieldError.invalid("quantity", "must be a whole number from 1 to 5000")),
        (#"{"product_id":0,"quantity":"x"}"#, .invalid("product_id", "must be a positive product id")),
        (#"{"product_id":106,"quantity":1}"#, .invalid("distribution_mode", "is required: direct_sale or reseller_batch")),
        (#"{"product_id":106,"quantity":1,"distribution_mode":"gift"}"#, .invalid("distribution_mode", "must be direct_sale or reseller_batch")),
        (#"{"product_id":106,"quantity":1,"batch_id":"-x","distribution_mode":"gift"}"#,
         .invalid("batch_id", "must be 1 to 64 characters: letters, digits, '.', '_', ':' or '-', starting with a letter or digit")),
        (#"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","special_pricing":{"base_price":"1"}}"#,
         .malformed("special_pricing.base_price", "must be a number, got string")),
        (#"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","special_pricing":{"base_price":1.005}}"#,
         .invalid("special_pricing.base_price", "must be an amount from 0 to 1000000 with at most 2 decimals")),
        (#"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","special_pricing":{"base_price":1,"customer_discounts":{"child":-1}}}"#,
         .invalid("special_pricing.customer_discounts.child", "must be an amount from 0 to 1000000 with at most 2 decimals")),
        (#"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","reseller_metadata":{"commission_rate":"0.1"}}"#,
         .malformed("reseller_metadata.commission_rate", "must be a number, got string")),
        (#"{"product_id":106,"quantity":1,"distribution_mode":"direct_sale","reseller_metadata":{"commission_rate":1.5}}"#,
         .invalid("reseller_metadata.commission_rate", "must be between 0 and 1 with at most 4 decimals")),
    ])
    func refusesBadBodies(text: String, expected: FieldError) {
        #expect(throws: expected) { try BulkGenerateRequest.parse(try jsonObject(text)) }
    }

    @Test func keepsTheResellerObjectAsSentWithinItsBound() throws {
        let text = #"{"reseller_id":"R-9","commission_rate":0.15,"notes":{"tier":[1,2]},"reseller_name":null}"#
        let m = try ResellerMetadata.parse(try jsonObject(text))
        #expect(m == ResellerMetadata(resellerId: "R-9", resellerName: nil, commissionRate: CommissionRate("0.15"), document: text))
        #expect(Render.resellerMetadata(m).encodedString() == text)
        let big = "{\"notes\":\"\(String(repeating: "x", count: ResellerMetadata.maxEncodedBytes))\"}"
        #expect(throws: FieldError.invalid("reseller_metadata", "must encode to at most 4096 bytes")) { try ResellerMetadata.parse(try jsonObject(big)) }
    }

    @Test func ticketActivationDefaultsToAnAdult() throws {
        let r = try TicketActivationRequest.parse(try jsonObject(#"{"customer":{"name":"A"}}"#))
        #expect(r == TicketActivationRequest(customer: Customer(name: "A"), customerType: "adult", travelDate: nil))
        #expect(throws: FieldError.invalid("travel_date", "must be a date YYYY-MM-DD")) {
            try TicketActivationRequest.parse(try jsonObject(#"{"customer":{"name":"A"},"travel_date":"2025-13-01"}"#))
        }
    }
}

@Suite struct VenueRequestTests {
    @Test func operatorCreateNeedsEveryFieldAndAnUpdateNoUsername() throws {
        let created = try OperatorInput.parse(try jsonObject(#"{"username":"pier.staff","password":"pw","display_name":" Pier ","venue_ids":["A","A","B"]}"#),
                                              creating: true)
        #expect(created == OperatorInput(username: "pier.staff", password: "pw", displayName: "Pier", venueIds: ["A", "B"]))
        #expect(throws: FieldError.invalid("username", "is required")) { try OperatorInput.parse(try jsonObject(#"{"password":5}"#), creating: true) }
        #expect(throws: FieldError.invalid("password", "is required")) {
            try OperatorInput.parse(try jsonObject(#"{"username":"pier.staff"}"#), creating: true)
        }
        #expect(throws: FieldError.invalid("username", "cannot be changed; create a new operator")) {
            try OperatorInput.parse(try jsonObject(#"{"username":"x"}"#), creating: false)
        }
        #expect(try OperatorInput.parse(try jsonObject(#"{"status":"disabled"}"#), creating: false) == OperatorInput(active: false))
        #expect(throws: FieldError.malformed("venue_ids[1]", "must be a string, got number")) {
            try OperatorInput.parse(try jsonObject(#"{"venue_ids":["A",7]}"#), creating: false)
        }
        #expect(throws: FieldError.invalid("status", "must be active or disabled")) {
            try OperatorInput.parse(try jsonObject(#"{"status":"gone"}"#), creating: false)
        }
    }

    @Test func scanNamesExactlyOneSubject() throws {
        let r = try ScanRequest.parse(try jsonObject(#"{"ticket_code":"T1","venue_id":"PIER-1","function_code":"entry","scan_id":"s-1"}"#))
        #expect(r == ScanRequest(subject: .ticketCode("T1"), venueId: "PIER-1", functionCode: "entry", scanId: "s-1"))
        #expect(throws: FieldError.invalid("qr_token", "give qr_token (scanned) or ticket_code (typed)")) {
            try ScanRequest.parse(try jsonObject(#"{"venue_id":"PIER-1"}"#))
        }
        #expect(throws: FieldError.invalid("ticket_code", "give either qr_token or ticket_code, not both")) {
            try ScanRequest.parse(try jsonObject(#"{"qr_token":"q","ticket_code":"T1"}"#))
        }
        #expect(throws: FieldError.invalid("scan_id", "must be 1 to 128 printable ASCII characters without spaces")) {
            try ScanRequest.parse(try jsonObject(#"{"ticket_code":"T1","venue_id":"PIER-1","function_code":"entry","scan_id":"a b"}"#))
        }
    }
}

/// The API's rendering of a pricing snapshot, which the store's format no longer decides
/// (OTAStoreTests' StoredJSONTests hold the stored one): moved from OTADomainTests.
@Suite struct SnapshotRenderingTests {
    @Test func rendersTheSnapshotAsPartnersSeeIt() {
        let premium = PricingSnapshot(
            basePrice: Money("288")!, weekendPremium: Money("30")!,
            discounts: [("child", Money("100")!), ("elderly", Money("50")!), ("student", Money("50")!)],
            specialDates: [SpecialDate(date: LocalDate("2025-12-31")!, multiplier: PriceMultiplier("1.5")!)],
            currency: "CNY")
        #expect(Render.pricingSnapshot(premium).encodedString() ==
            #"{"base_price":288.00,"weekend_premium":30.00,"customer_discounts":{"child":100.00,"elderly":50.00,"student":50.00},"special_dates":{"2025-12-31":{"multiplier":1.5}},"currency":"CNY"}"#)
    }
}

/// Integers in every JSON spelling, read exactly by JSON's decimal reading (moved from
/// OTADomain's IntegerLiteral, which duplicated it).
@Suite struct IntegerReadingTests {
    func read(_ literal: String) throws -> Int {
        try jsonObject(#"{"n": \#(literal)}"#).requiredInteger("n")
    }

    @Test func readsWholeNumbersInEveryForm() throws {
        #expect(try read("50") == 50)
        #expect(try read("-3") == -3)
        #expect(try read("5.0") == 5)
        #expect(try read("1e3") == 1000)
        #expect(try read("0") == 0)
        #expect(throws: FieldError.invalid("n", "must be a whole number")) { try read("1.5") }
        #expect(throws: FieldError.invalid("n", "must be a whole number")) { try read("15e-1") }
    }

    @Test func clampsHugeQuantitiesInsteadOfOverflowing() throws {
        #expect(try read("99999999999999999999999999") == Int(Int32.max))
        #expect(try read("1e300") == Int(Int32.max))
        #expect(try read("-1e300") == -Int(Int32.max))
        #expect(try read("1e12") == Int(Int32.max))
    }
}
