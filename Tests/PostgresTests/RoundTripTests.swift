import Foundation
import Postgres
import Testing
import TestSupport

enum TicketState: String, PostgresEncodable, PostgresDecodable {
    case issued, redeemed
}

/// Every encodable/decodable type through a real server: sent as a parameter, cast to the
/// column type, printed back by the server and decoded.
@Suite struct RoundTripTests {
    let database: TestDatabase
    init() throws { database = try TestDatabase(template: nil) }

    /// `SELECT $1::type AS v` and decode `v`.
    private func roundTrip<T: PostgresEncodable & PostgresDecodable>(
        _ value: T, as sqlType: String, on connection: PostgresConnection
    ) throws -> T? {
        let rows = try connection.query("SELECT \(value)::\(unescaped: sqlType) AS v")
        return try rows.first?.decodeIfPresent("v", as: T.self)
    }

    @Test func strings() throws {
        let connection = try database.connect()
        let samples = [
            "", "plain", "héllo wörld 🌍 日本語 עברית", "O'Brien \"quoted\" \\backslash\\ $1 %s",
            "line1\nline2\ttab\r\n", "{\"json\": [1, 2]}", "NULL", String(repeating: "ab€", count: 400_000),
        ]
        for sample in samples {
            #expect(try roundTrip(sample, as: "text", on: connection) == sample)
        }
        let substring = "abcdef".dropFirst(2)
        let rows = try connection.query("SELECT \(substring) AS v")
        #expect(rows.first?["v"] == "cdef")
    }

    @Test func integersBooleansAndDoubles() throws {
        let connection = try database.connect()
        for value in [0, 1, -1, Int.max, Int.min] {
            #expect(try roundTrip(value, as: "int8", on: connection) == value)
        }
        for value in [Int32.max, Int32.min, 0] {
            #expect(try roundTrip(value, as: "int4", on: connection) == value)
        }
        for value in [Int64.max, Int64.min] {
            #expect(try roundTrip(value, as: "bigint", on: connection) == value)
        }
        #expect(try roundTrip(true, as: "bool", on: connection) == true)
        #expect(try roundTrip(false, as: "bool", on: connection) == false)
        for value in [0.0, 0.1, -2.5, 1e-300, 1.7976931348623157e308, Double.leastNonzeroMagnitude, .pi, .infinity, -.infinity] {
            #expect(try roundTrip(value, as: "float8", on: connection) == value)
        }
        #expect(try roundTrip(Double.nan, as: "float8", on: connection)?.isNaN == true)
        #expect(try roundTrip(-0.0, as: "float8", on: connection)?.sign == .minus)
    }

    @Test func uuidsDatesAndBytes() throws {
        let connection = try database.connect()
        let uuid = UUID()
        #expect(try roundTrip(uuid, as: "uuid", on: connection) == uuid)

        let dates = [
            Date(timeIntervalSince1970: 1_762_180_200.123456), Date(timeIntervalSince1970: 0),
            Date(timeIntervalSince1970: -86_400.5), Date(timeIntervalSince1970: 4_102_444_800.999999),
            Date.distantPast, Date.distantFuture, Date(),
        ]
        for date in dates {
            let back = try #require(try roundTrip(date, as: "timestamptz", on: connection))
            #expect(abs(back.timeIntervalSince(date)) < 1e-6, "\(date)")
        }
        // The server agrees on the instant, not just the round trip.
        let rows = try connection.query(
            "SELECT \(Date(timeIntervalSince1970: 1_762_180_200.123456))::timestamptz = '2025-11-03 14:30:00.123456+00' AS same")
        #expect(try rows.first?.decode("same", as: Bool.self) == true)
        #expect(try roundTrip(Date.distantFuture, as: "timestamptz", on: connection) == Date.distantFuture)

        let allBytes = (0...255).map { UInt8($0) }
        #expect(try roundTrip(allBytes, as: "bytea", on: connection) == allBytes)
        #expect(try roundTrip([UInt8](), as: "bytea", on: connection) == [])
        let length = try connection.query("SELECT length(\(allBytes)::bytea) AS n").first?.decode("n", as: Int.self)
        #expect(length == 256)
    }

    @Test func timestampsPrintedInOtherZonesDecodeToTheSameInstant() throws {
        let connection = try database.connect()
        let instant = Date(timeIntervalSince1970: 1_762_180_200.5)
        // The session is UTC; the parser still honours any offset the server prints.
        try connection.execute(unescaped: "SET TimeZone = 'Asia/Kolkata'")
        let row = try #require(try connection.query("SELECT \(instant)::timestamptz AS t, \(instant)::timestamptz::text AS s").first)
        #expect(row["s"] == "2025-11-03 20:00:00.5+05:30")
        #expect(try row.decode("t", as: Date.self) == instant)
        try connection.execute(unescaped: "SET TimeZone = 'UTC'")
        let utc = try #require(try connection.query("SELECT \(instant)::timestamptz::text AS s").first)
        #expect(utc["s"] == "2025-11-03 14:30:00.5+00")
    }

    @Test func nullsForEveryType() throws {
        let connection = try database.connect()
        try connection.execute(unescaped: """
            CREATE TABLE nullable (s text, i int8, i4 int4, b bool, d float8, u uuid, t timestamptz, bytes bytea, tags text[])
            """)
        let none: String? = nil
        try connection.query("""
            INSERT INTO nullable VALUES (\(none), \(Int?.none), \(Int32?.none), \(Bool?.none), \(Double?.none),
              \(UUID?.none), \(Date?.none), \([UInt8]?.none), \([String]?.none))
            """)
        let row = try #require(try connection.query("SELECT * FROM nullable").first)
        for column in row.columnNames {
            #expect(row.isNull(column), "\(column)")
            #expect(row[column] == nil)
        }
        #expect(try row.decodeIfPresent("s", as: String.self) == nil)
        #expect(try row.decodeIfPresent("i", as: Int.self) == nil)
        #expect(try row.decodeIfPresent("t", as: Date.self) == nil)
        #expect(try row.decodeIfPresent("bytes", as: [UInt8].self) == nil)
        #expect(try row.decodeIfPresent("tags", as: [String].self) == nil)
        let error = #expect(throws: PostgresError.self) { try row.decode("i", as: Int.self) }
        #expect(error?.code == .decodeFailure)
        #expect(error?.message.contains("\"i\"") == true)
    }

    @Test func arrays() throws {
        let connection = try database.connect()
        let tricky = ["a", "b c", "", "NULL", "null", "q\"uote", "back\\slash", "{,}", "комма, запятая", "🌍", " padded "]
        #expect(try roundTrip(tricky, as: "text[]", on: connection) == tricky)
        #expect(try roundTrip([String](), as: "text[]", on: connection) == [])
        #expect(try roundTrip([1, -2, Int.max], as: "int8[]", on: connection) == [1, -2, Int.max])
        let withNull: [String?] = ["x", nil, "NULL"]
        #expect(try roundTrip(withNull, as: "text[]", on: connection) == withNull)
        let ids = [UUID(), UUID()]
        #expect(try roundTrip(ids, as: "uuid[]", on: connection) == ids)
        // The server sees separate elements, not one string.
        let row = try #require(try connection.query(
            "SELECT cardinality(\(tricky)::text[]) AS n, (\(tricky)::text[])[4] AS fourth, (\(tricky)::text[])[4] IS NULL AS is_null").first)
        #expect(try row.decode("n", as: Int.self) == tricky.count)
        #expect(row["fourth"] == "NULL")
        #expect(try row.decode("is_null", as: Bool.self) == false)
        // ANY with an array parameter, the usual IN-list replacement.
        try connection.execute(unescaped: "CREATE TABLE items (id int8 PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 10)")
        let picked = try connection.query("SELECT id FROM items WHERE id = ANY(\([2, 5, 99])) ORDER BY id")
        #expect(try picked.map { try $0.decode("id", as: Int.self) } == [2, 5])
    }

    @Test func sqlInjectionStaysAValue() throws {
        let connection = try database.connect()
        try connection.execute(unescaped: "CREATE TABLE people (name text NOT NULL)")
        let hostile = "Robert'); DROP TABLE people; --"
        try connection.query("INSERT INTO people (name) VALUES (\(hostile))")
        let quoteHostile = "' OR '1'='1"
        #expect(try connection.query("SELECT * FROM people WHERE name = \(quoteHostile)").isEmpty)
        let rows = try connection.query("SELECT name FROM people WHERE name = \(hostile)")
        #expect(rows.count == 1)
        #expect(rows.first?["name"] == hostile)
    }

    @Test func rowsAndDecodeErrors() throws {
        let connection = try database.connect()
        let rows = try connection.query(
            "SELECT n, 'x' || n AS label, NULL::int AS nothing, 'abc' AS word FROM generate_series(1, 3) AS n")
        #expect(rows.count == 3)
        #expect(rows.affectedRows == 3)
        #expect(rows.columnNames == ["n", "label", "nothing", "word"])
        #expect(try rows.map { try $0.decode("label", as: String.self) } == ["x1", "x2", "x3"])
        let row = rows[1]
        #expect(try row.decode("n", as: Int32.self) == 2)
        #expect(try row.decodeIfPresent("nothing", as: Int.self) == nil)

        let bad = #expect(throws: PostgresError.self) { try row.decode("word", as: Int.self) }
        #expect(bad?.code == .decodeFailure)
        #expect(bad?.message.contains("word") == true)
        let missing = #expect(throws: PostgresError.self) { try row.decode("absent", as: Int.self) }
        #expect(missing?.code == .decodeFailure)
        #expect(missing?.message.contains("absent") == true)
        #expect(row["absent"] == nil)
        #expect(row.isNull("absent"))

        #expect(try connection.query("SELECT \(TicketState.redeemed) AS s").first?.decode("s", as: TicketState.self) == .redeemed)
        #expect(throws: PostgresError.self) {
            try connection.query("SELECT 'lost' AS s").first?.decode("s", as: TicketState.self)
        }
    }

    @Test func affectedRowsOfCommands() throws {
        let connection = try database.connect()
        try connection.execute(unescaped: "CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)")
        #expect(try connection.query("INSERT INTO counters SELECT g, 0 FROM generate_series(1, 5) g").affectedRows == 5)
        #expect(try connection.query("UPDATE counters SET n = n + 1 WHERE id > \(2)").affectedRows == 3)
        #expect(try connection.query("DELETE FROM counters WHERE id = \(99)").affectedRows == 0)
        let created = try connection.query("CREATE INDEX ON counters (n)")
        #expect(created.affectedRows == 0 && created.isEmpty)
    }
}
