public import OTADomain
public import Postgres

extension Timestamp: PostgresEncodable {
    /// RFC 3339 in UTC, which PostgreSQL reads as timestamptz.
    public var postgresText: String? { description }
}

extension Timestamp: PostgresDecodable {
    /// timestamptz as PostgreSQL prints it with DateStyle=ISO ("2025-11-04 14:30:00.5+00").
    public init(postgresText: String) throws(PostgresError) {
        self = try parsed(postgresText, "a timestamptz", Timestamp.init(rfc3339:))
    }
}

extension LocalDate: PostgresEncodable {
    public var postgresText: String? { description }
}

extension LocalDate: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        self = try parsed(postgresText, "a date", LocalDate.init(_:))
    }
}

extension Money: PostgresEncodable {
    public var postgresText: String? { description }
}

extension Money: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        self = try parsed(postgresText, "an amount", Money.init(_:))
    }
}

/// `parse(text)`, or the decode failure "not KIND: TEXT" (its first 40 characters).
private func parsed<T>(_ text: String, _ kind: String, _ parse: (String) -> T?) throws(PostgresError) -> T {
    guard let value = parse(text) else {
        throw PostgresError(code: .decodeFailure, message: "not \(kind): \(text.prefix(40))")
    }
    return value
}
