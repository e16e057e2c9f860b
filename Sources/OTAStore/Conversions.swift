public import OTADomain
public import Postgres

extension Timestamp: PostgresEncodable {
    /// RFC 3339 in UTC, which PostgreSQL reads as timestamptz.
    public var postgresText: String? { description }
}

extension Timestamp: PostgresDecodable {
    /// timestamptz as PostgreSQL prints it with DateStyle=ISO ("2025-11-04 14:30:00.5+00").
    public init(postgresText: String) throws(PostgresError) {
        guard let t = Timestamp(rfc3339: postgresText) else {
            throw PostgresError(code: .decodeFailure, message: "not a timestamptz: \(postgresText.prefix(40))")
        }
        self = t
    }
}

extension LocalDate: PostgresEncodable {
    public var postgresText: String? { description }
}

extension LocalDate: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let d = LocalDate(postgresText) else {
            throw PostgresError(code: .decodeFailure, message: "not a date: \(postgresText.prefix(40))")
        }
        self = d
    }
}

extension Money: PostgresEncodable {
    public var postgresText: String? { description }
}

extension Money: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let m = Money(postgresText) else {
            throw PostgresError(code: .decodeFailure, message: "not an amount: \(postgresText.prefix(40))")
        }
        self = m
    }
}
