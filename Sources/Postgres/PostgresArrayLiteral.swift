/// One-dimensional PostgreSQL array literals (`{"a","b",NULL}`), the text form of
/// `text[]`, `int[]`, `uuid[]` and so on.
enum PostgresArrayLiteral {
    /// Quotes every element, so commas, braces, spaces, the word NULL and empty strings
    /// stay values; backslash and double quote are the only characters escaped inside
    /// quotes.
    static func encode(_ elements: [String?]) -> String {
        var text = "{"
        for (position, element) in elements.enumerated() {
            if position > 0 { text.unicodeScalars.append(",") }
            guard let element else {
                text += "NULL"
                continue
            }
            text.unicodeScalars.append("\"")
            for scalar in element.unicodeScalars {
                if scalar == "\\" || scalar == "\"" { text.unicodeScalars.append("\\") }
                text.unicodeScalars.append(scalar)
            }
            text.unicodeScalars.append("\"")
        }
        text.unicodeScalars.append("}")
        return text
    }

    /// Parses the server's output: elements separated by commas, quoted when they need
    /// it, unquoted NULL for SQL NULL. Works on UTF-8 bytes: multi-byte characters never
    /// contain ASCII bytes, so the delimiters cannot be mistaken.
    static func decode(_ text: String) throws(PostgresError) -> [String?] {
        let bytes = Array(text.utf8)
        var index = 0
        func fail(_ why: String) -> PostgresError {
            var error = PostgresError.cannotDecode(text, as: [String].self)
            error.message += ": \(why)"
            return error
        }
        func skipSpaces() {
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        }

        // Arrays with non-default bounds print a dimension decoration: "[0:1]={a,b}".
        if bytes.first == UInt8(ascii: "[") {
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { throw fail("bad dimensions") }
            index = equals + 1
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw fail("expected {") }
        index += 1
        var elements: [String?] = []
        skipSpaces()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            elementLoop: while true {
                skipSpaces()
                guard index < bytes.count else { throw fail("unterminated array") }
                if bytes[index] == UInt8(ascii: "{") { throw fail("multi-dimensional arrays are not supported") }
                if bytes[index] == UInt8(ascii: "\"") {
                    index += 1
                    var value: [UInt8] = []
                    var closed = false
                    while index < bytes.count {
                        let byte = bytes[index]
                        index += 1
                        if byte == UInt8(ascii: "\\") {
                            guard index < bytes.count else { break }
                            value.append(bytes[index])
                            index += 1
                        } else if byte == UInt8(ascii: "\"") {
                            closed = true
                            break
                        } else {
                            value.append(byte)
                        }
                    }
                    guard closed else { throw fail("unterminated quoted element") }
                    elements.append(String(decoding: value, as: UTF8.self))
                } else {
                    var value: [UInt8] = []
                    var escaped = false
                    // Trailing spaces are not part of an unquoted element; escaped ones are.
                    var significantLength = 0
                    while index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "}") {
                        var byte = bytes[index]
                        index += 1
                        if byte == UInt8(ascii: "\\") {
                            guard index < bytes.count else { throw fail("dangling backslash") }
                            byte = bytes[index]
                            index += 1
                            escaped = true
                            value.append(byte)
                            significantLength = value.count
                        } else {
                            value.append(byte)
                            if !isSpace(byte) { significantLength = value.count }
                        }
                    }
                    value.removeLast(value.count - significantLength)
                    let element = String(decoding: value, as: UTF8.self)
                    if value.isEmpty && !escaped { throw fail("empty unquoted element") }
                    elements.append(!escaped && element.uppercased() == "NULL" ? nil : element)
                }
                skipSpaces()
                guard index < bytes.count else { throw fail("unterminated array") }
                switch bytes[index] {
                case UInt8(ascii: ","):
                    index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    break elementLoop
                default:
                    throw fail("expected , or }")
                }
            }
        }
        skipSpaces()
        guard index == bytes.count else { throw fail("text after the closing brace") }
        return elements
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }
}
