import Testing
@testable import JSON

@Suite struct JSONParsingTests {
    @Test func parsesNestedDocumentKeepingOrderAndNumberText() throws {
        let v = try JSONValue.parse(#"{"b": [1, 2.50, -3e2], "a": {"x": null, "y": true}, "s": "h\u00e9\n"}"#)
        guard case let .object(m) = v else { Issue.record("not an object"); return }
        #expect(m.map(\.0) == ["b", "a", "s"])
        #expect(v["b"] == .array([.number("1"), .number("2.50"), .number("-3e2")]))
        #expect(v["s"] == .string("hé\n"))
        #expect(v["a"]?["y"] == .bool(true))
    }

    @Test(arguments: ["", "{", "{\"a\":}", "[1,]", "01", "1.", "-", "\"\\x\"", "nul", "{} {}", "\"\u{01}\"", "[1 2]", "{\"a\" 1}", "\"\\ud800\""])
    func rejectsMalformedDocuments(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func limitsNestingDepth() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let ok = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect((try? JSONValue.parse(ok)) != nil)
    }

    @Test func roundTripsThroughTheWriter() throws {
        let text = #"{"q":"a\"b\\c\u0001","n":[1,2.00,true,false,null],"e":{}}"#
        let v = try JSONValue.parse(text)
        #expect(v.encodedString() == text)
        #expect(try JSONValue.parse(v.encoded()) == v)
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
    }
}
