// Fuzz target "json": JSONValue.parse on arbitrary bytes, and the exact number readings
// the API relies on for money and quantities.
//
// Invariants:
// - no crash, no sanitizer report (deep nesting is refused, never a stack overflow);
// - a document that parses encodes to bytes that parse to an equal value, and encoding
//   that value again gives the same bytes (the writer's output is a fixed point);
// - a parse under a smaller nesting limit, when it succeeds, agrees with the default one;
// - every number literal the parser accepted reads as an exact decimal; its plain text
//   (when not absurdly long) reads as the same integer and is a fixed point.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    JSONFuzz.check(fuzzBytes(data, size))
    return 0
}

enum JSONFuzz {
    static func check(_ bytes: [UInt8]) {
        let shallow = try? JSONValue.parse(bytes, maxDepth: 4)
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            if error.offset < 0 || error.offset > bytes.count {
                violated("error offset \(error.offset) outside a \(bytes.count)-byte input")
            }
            if shallow != nil { violated("parses with maxDepth 4 but not with the default") }
            return
        }
        if let shallow, shallow != value { violated("maxDepth 4 and the default parse differently") }

        let encoded = value.encoded()
        let reparsed: JSONValue
        do {
            reparsed = try JSONValue.parse(encoded)
        } catch {
            violated("the encoding of a parsed document does not parse: \(error)\n  encoded: \(String(decoding: encoded, as: UTF8.self))")
        }
        if reparsed != value {
            violated("re-parsing the encoding changed the value\n  encoded: \(String(decoding: encoded, as: UTF8.self))")
        }
        if reparsed.encoded() != encoded { violated("encoding is not stable across a round trip") }
        if value.encodedString() != String(decoding: encoded, as: UTF8.self) { violated("encodedString differs from encoded") }

        forEachNumber(in: value, checkNumber)
    }

    static func forEachNumber(in value: JSONValue, _ body: (JSONValue) -> Void) {
        switch value {
        case .number: body(value)
        case .array(let items): for item in items { forEachNumber(in: item, body) }
        case .object(let members): for (_, member) in members { forEachNumber(in: member, body) }
        case .null, .bool, .string: break
        }
    }

    static func checkNumber(_ number: JSONValue) {
        guard case .number(let literal) = number, let decimal = number.exactDecimal else {
            violated("a number the parser accepted has no exact decimal reading: \(number)")
        }
        let reading = decimal.integerReading
        if number.integerReading != reading { violated("integerReading differs between value and decimal") }
        if case .integer(let n) = reading, number.exactInteger != n { violated("exactInteger disagrees with integerReading") }
        let normalized = decimal.normalized
        if normalized.normalized != normalized { violated("normalized is not idempotent for \(literal)") }
        if normalized.integerReading != reading { violated("normalizing \(literal) changed its integer reading") }
        guard let plain = decimal.plainText else { return }
        guard let again = JSONValue.number(plain).exactDecimal else {
            violated("plain text \(plain) of \(literal) is not a number")
        }
        if again.integerReading != reading {
            violated("plain text \(plain) of \(literal) reads as \(again.integerReading), the literal as \(reading)")
        }
        // Plain text is a fixed point: read and written again, it comes out the same.
        if again.plainText != plain {
            violated("plain text \(plain) of \(literal) reads back as \(again), whose plain text is \(again.plainText ?? "nil")")
        }
    }
}
