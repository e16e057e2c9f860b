import Testing
@testable import JSON

/// Input a money API must not guess about: repeated members, and numbers that do not fit
/// a Double or an Int but are valid JSON (issues 9 and 13).
@Suite struct JSONDuplicateMemberTests {
    @Test func duplicateMemberIsRefusedNamingIt() {
        #expect {
            try JSONValue.parse(#"{"quantity": 1, "product": "p", "quantity": 500}"#)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.reason == "duplicate member 'quantity'"
                && error.description.contains("duplicate member 'quantity'")
        }
    }

    @Test func duplicateMemberInANestedObjectIsRefused() {
        #expect(throws: JSONParseError.self) {
            try JSONValue.parse(#"{"units": [{"type": "adult", "type": "child"}]}"#)
        }
    }

    @Test func duplicateAmongManyMembersIsRefused() {
        let members = (0..<100).map { "\"m\($0)\": \($0)" }.joined(separator: ",")
        #expect(throws: JSONParseError.self) { try JSONValue.parse("{\(members), \"m57\": 0}") }
        #expect((try? JSONValue.parse("{\(members)}")) != nil)
    }

    @Test func membersDifferingOnlyInEscapesAreTheSameName() {
        // "a" and "\u0061" are the same member name once decoded.
        #expect(throws: JSONParseError.self) { try JSONValue.parse(#"{"a": 1, "\u0061": 2}"#) }
    }

    @Test func sameNameInSiblingObjectsIsFine() throws {
        let value = try JSONValue.parse(#"{"a": {"x": 1}, "b": {"x": 2}}"#)
        #expect(value["b"]?["x"] == .number("2"))
    }

    @Test func longDuplicateNameIsShortenedInTheMessage() {
        let name = String(repeating: "n", count: 5000)
        #expect {
            try JSONValue.parse("{\"\(name)\": 1, \"\(name)\": 2}")
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.reason.hasPrefix("duplicate member 'nnnn") && error.reason.utf8.count < 100
        }
    }
}

@Suite struct JSONExactNumberTests {
    @Test func hundredDigitIntegerIsAValidNumberKeptExactly() throws {
        let digits = "1" + String(repeating: "0", count: 99)
        let value = try JSONValue.parse("{\"quantity\": \(digits)}")
        #expect(value["quantity"] == .number(digits))
        #expect(value["quantity"]?.integerReading == .outOfRange(negative: false))
        #expect(value["quantity"]?.exactInteger == nil)
        #expect(try JSONValue.parse("-" + digits).integerReading == .outOfRange(negative: true))
    }

    @Test(arguments: ["1e2", "12.3456e2", "5e-1", "-0.0E+0", "1E400", "123456789012345678901234567890.5e-3"])
    func exponentFormsParseKeepingTheirText(_ text: String) throws {
        #expect(try JSONValue.parse(text) == .number(text))
    }

    @Test func exactIntegers() throws {
        func reading(_ text: String) throws -> JSONValue.IntegerReading? {
            try JSONValue.parse(text).integerReading
        }
        #expect(try reading("1e2") == .integer(100))
        #expect(try reading("100") == .integer(100))
        #expect(try reading("-7") == .integer(-7))
        #expect(try reading("2.000") == .integer(2))
        #expect(try reading("1234.5e1") == .integer(12345))
        #expect(try reading("0.0e-99") == .integer(0))
        #expect(try reading("-0") == .integer(0))
        #expect(try reading("12.3456e2") == .notAnInteger)
        #expect(try reading("5e-1") == .notAnInteger)
        #expect(try reading("1e-999999999999") == .notAnInteger)
        #expect(try reading("9223372036854775807") == .integer(Int.max))
        #expect(try reading("-9223372036854775808") == .integer(Int.min))
        #expect(try reading("9223372036854775808") == .outOfRange(negative: false))
        #expect(try reading("1e19") == .outOfRange(negative: false))
        #expect(try reading("1e999999999999") == .outOfRange(negative: false))
        #expect(try JSONValue.parse("1e2").exactInteger == 100)
        #expect(JSONValue.string("1").integerReading == nil)
    }

    @Test func exactDecimalsWithoutDouble() throws {
        func plain(_ text: String) throws -> String? { try JSONValue.parse(text).exactDecimal?.plainText }
        #expect(try plain("12.3456e2") == "1234.56")
        #expect(try plain("5e-1") == "0.5")
        #expect(try plain("1e2") == "100")
        #expect(try plain("288.00") == "288.00")
        #expect(try plain("-2.5E-3") == "-0.0025")
        #expect(try plain("0.00") == "0.00")
        #expect(try plain("-0") == "0")
        #expect(throws: JSONParseError.self) { try JSONValue.parse("007") }  // not JSON at all
        // 0.1 + 0.2 style values stay exact: no binary floating point on the way.
        #expect(try plain("0.30000000000000004e1") == "3.0000000000000004")
        let decimal = try #require(try JSONValue.parse("12.3456e2").exactDecimal)
        #expect(decimal == JSONValue.Decimal(isNegative: false, digits: "123456", scale: 2))
        #expect(try JSONValue.parse("1.50e1").exactDecimal?.normalized.plainText == "15")
        #expect(try JSONValue.parse("2.50").exactDecimal?.normalized.plainText == "2.5")
        #expect(JSONValue.bool(true).exactDecimal == nil)
    }

    @Test func absurdExponentHasNoPlainText() throws {
        // Writing 10^999999999 out would take a gigabyte: refused, not attempted.
        let decimal = try #require(try JSONValue.parse("1e999999999").exactDecimal)
        #expect(decimal.plainText == nil)
        #expect(try JSONValue.parse("1e-999999999").exactDecimal?.plainText == nil)
    }

    @Test func numberLiteralsStayBounded() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(String(repeating: "9", count: 5000)) }
    }
}
