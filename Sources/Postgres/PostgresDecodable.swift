#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A value read from a cell's text form (text-format results). NULL never reaches `init`:
/// `PostgresRow.decode` reports it, `decodeIfPresent` returns nil.
public protocol PostgresDecodable {
    init(postgresText: String) throws(PostgresError)
}

extension String: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) { self = postgresText }
}

/// The integers, in decimal as the server prints them.
extension PostgresDecodable where Self: FixedWidthInteger {
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Self(postgresText) else { throw .cannotDecode(postgresText, as: Self.self) }
        self = value
    }
}

extension Int: PostgresDecodable {}
extension Int32: PostgresDecodable {}
extension Int64: PostgresDecodable {}

extension Bool: PostgresDecodable {
    /// The server prints `t`/`f`; the long spellings are accepted for text columns.
    public init(postgresText: String) throws(PostgresError) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw .cannotDecode(postgresText, as: Bool.self)
        }
    }
}

extension Double: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        switch postgresText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(postgresText) else {
                throw .cannotDecode(postgresText, as: Double.self)
            }
            self = value
        }
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let value = UUID(uuidString: postgresText) else {
            throw .cannotDecode(postgresText, as: UUID.self)
        }
        self = value
    }
}

extension Date: PostgresDecodable {
    /// Reads timestamptz as the session prints it (DateStyle=ISO, TimeZone=UTC), e.g.
    /// `2025-11-03 14:30:00.123456+00`; also any UTC offset, `T`/`Z`, a plain `date`, a
    /// `timestamp` without zone (taken as UTC), `BC`, and `infinity` (distantFuture) /
    /// `-infinity` (distantPast).
    public init(postgresText: String) throws(PostgresError) {
        guard let value = PostgresTimestamp.parse(postgresText) else {
            throw .cannotDecode(postgresText, as: Date.self)
        }
        self = value
    }
}

/// Enums backed by a string or integer decode from their raw value when declared
/// `PostgresDecodable`; an unknown raw value is a decode failure.
extension PostgresDecodable where Self: RawRepresentable, RawValue: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        let raw = try RawValue(postgresText: postgresText)
        guard let value = Self(rawValue: raw) else { throw .cannotDecode(postgresText, as: Self.self) }
        self = value
    }
}
