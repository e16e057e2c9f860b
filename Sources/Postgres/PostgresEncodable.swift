#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A value sent as a text-format parameter. `nil` means SQL NULL.
///
/// The server parses the text with the parameter's type, inferred from the statement or
/// given by a cast (`$1::uuid`), so the text must be what that type's input accepts.
public protocol PostgresEncodable {
    var postgresText: String? { get }
}

extension String: PostgresEncodable {
    public var postgresText: String? { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String? { self ? "t" : "f" }
}

extension Double: PostgresEncodable {
    /// Swift prints the shortest text that reads back to the same value, which float8
    /// input accepts; only the special values are spelled differently.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return String(self)
    }
}

extension UUID: PostgresEncodable {
    public var postgresText: String? { uuidString }
}

extension Date: PostgresEncodable {
    /// ISO 8601 in UTC with microseconds (timestamptz's precision), for example
    /// `2025-11-03T14:30:00.123456Z`. Dates beyond what PostgreSQL stores become
    /// `infinity` / `-infinity`.
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? { self?.postgresText }
}

/// Enums backed by a string or integer encode as their raw value when declared
/// `PostgresEncodable`.
extension PostgresEncodable where Self: RawRepresentable, RawValue: PostgresEncodable {
    public var postgresText: String? { rawValue.postgresText }
}

/// An element type of a Swift array that has a PostgreSQL text form.
///
/// Swift allows only one conditional conformance of `Array` to a protocol, yet `[UInt8]`
/// is bytea while `[String]` is `text[]`: so the element type decides how the whole array
/// is written and read. Scalar types use the array literal (`{"a","b"}`); `UInt8` uses
/// bytea hex (`\x0102`).
public protocol PostgresArrayElement {
    static func postgresArrayText(_ elements: [Self]) -> String
    static func decodePostgresArray(_ text: String) throws(PostgresError) -> [Self]
}

extension PostgresArrayElement where Self: PostgresEncodable & PostgresDecodable {
    public static func postgresArrayText(_ elements: [Self]) -> String {
        PostgresArrayLiteral.encode(elements.map(\.postgresText))
    }

    public static func decodePostgresArray(_ text: String) throws(PostgresError) -> [Self] {
        var values: [Self] = []
        for element in try PostgresArrayLiteral.decode(text) {
            guard let element else { throw .decodeFailure("array element is NULL") }
            values.append(try Self(postgresText: element))
        }
        return values
    }
}

extension String: PostgresArrayElement {}
extension Int: PostgresArrayElement {}
extension Int32: PostgresArrayElement {}
extension Int64: PostgresArrayElement {}
extension Bool: PostgresArrayElement {}
extension Double: PostgresArrayElement {}
extension UUID: PostgresArrayElement {}
extension Date: PostgresArrayElement {}

/// `[String?]` and friends: arrays whose elements may be NULL.
extension Optional: PostgresArrayElement
where Wrapped: PostgresArrayElement & PostgresEncodable & PostgresDecodable {
    public static func postgresArrayText(_ elements: [Wrapped?]) -> String {
        PostgresArrayLiteral.encode(elements.map { $0?.postgresText })
    }

    public static func decodePostgresArray(_ text: String) throws(PostgresError) -> [Wrapped?] {
        var values: [Wrapped?] = []
        for element in try PostgresArrayLiteral.decode(text) {
            if let element {
                values.append(try Wrapped(postgresText: element))
            } else {
                values.append(nil)
            }
        }
        return values
    }
}

extension UInt8: PostgresArrayElement {
    /// bytea in hex format: `\x` then two lowercase hex digits per byte.
    public static func postgresArrayText(_ elements: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        bytes.reserveCapacity(2 + elements.count * 2)
        for byte in elements {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads bytea hex output; the session sets `bytea_output=hex`, so the older escape
    /// format is not expected.
    public static func decodePostgresArray(_ text: String) throws(PostgresError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"),
            utf8.count % 2 == 0
        else { throw .cannotDecode(text, as: [UInt8].self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else {
                throw .cannotDecode(text, as: [UInt8].self)
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public var postgresText: String? { Element.postgresArrayText(self) }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public init(postgresText: String) throws(PostgresError) {
        self = try Element.decodePostgresArray(postgresText)
    }
}
