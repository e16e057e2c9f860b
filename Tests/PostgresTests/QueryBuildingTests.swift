import Foundation
import Testing

@testable import Postgres

/// The pure parts: no server needed.
@Suite struct QueryBuildingTests {
    @Test func interpolatedValuesBecomeNumberedParameters() {
        let id = 42
        let name = "x'; DROP TABLE t; --"
        let missing: String? = nil
        let query: PostgresQuery = "SELECT * FROM t WHERE id = \(id) AND name = \(name) AND note IS NOT DISTINCT FROM \(missing)"
        #expect(query.sql == "SELECT * FROM t WHERE id = $1 AND name = $2 AND note IS NOT DISTINCT FROM $3")
        #expect(query.binds == ["42", name, nil])
        #expect(!query.description.contains("DROP"))
    }

    @Test func unescapedTextIsPastedAndLiteralsStayParameterFree() {
        let table = "reservations"
        let query: PostgresQuery = "SELECT count(*) FROM \(unescaped: table) WHERE n > \(1)"
        #expect(query.sql == "SELECT count(*) FROM reservations WHERE n > $1")
        #expect(query.binds == ["1"])
        let literal: PostgresQuery = "SELECT 1"
        #expect(literal.sql == "SELECT 1" && literal.binds.isEmpty)
        let unsafe = PostgresQuery(unsafeSQL: "SELECT $1", binds: ["a"])
        #expect(unsafe.binds == ["a"])
    }

    @Test func scalarEncodings() {
        #expect(true.postgresText == "t" && false.postgresText == "f")
        #expect(Int.min.postgresText == "-9223372036854775808")
        #expect(Double.infinity.postgresText == "Infinity")
        #expect((-Double.infinity).postgresText == "-Infinity")
        #expect(Double.nan.postgresText == "NaN")
        #expect(0.1.postgresText == "0.1")
        #expect([UInt8]([0, 1, 0xAB, 0xFF]).postgresText == "\\x0001abff")
        #expect([UInt8]().postgresText == "\\x")
        #expect(Optional<Int>.none.postgresText == nil)
        #expect(Substring("abc").postgresText == "abc")
    }

    @Test func arrayLiteralsQuoteEverything() {
        #expect(["a", "b c", "", "NULL", "q\"uote", "back\\slash", "{,}"].postgresText
            == #"{"a","b c","","NULL","q\"uote","back\\slash","{,}"}"#)
        #expect([1, -2, 3].postgresText == #"{"1","-2","3"}"#)
        #expect([String]().postgresText == "{}")
        let withNull: [String?] = ["a", nil]
        #expect(withNull.postgresText == #"{"a",NULL}"#)
    }

    @Test func arrayLiteralsParseServerOutput() throws {
        #expect(try PostgresArrayLiteral.decode(#"{a,"b c","",NULL,"NULL","q\"uote","back\\slash"}"#)
            == ["a", "b c", "", nil, "NULL", "q\"uote", "back\\slash"])
        #expect(try PostgresArrayLiteral.decode("{}") == [])
        #expect(try PostgresArrayLiteral.decode("[0:1]={1,2}") == ["1", "2"])
        #expect(try PostgresArrayLiteral.decode("{ a , b }") == ["a", "b"])
        #expect(try [Int](postgresText: "{1,2,3}") == [1, 2, 3])
        #expect(try [String?](postgresText: "{x,NULL}") == ["x", nil])
        for bad in ["", "{", "{a", "{{1,2},{3,4}}", "{a}x", #"{"a}"#, "{a,,b}", "1,2"] {
            #expect(throws: PostgresError.self, "\(bad)") { try PostgresArrayLiteral.decode(bad) }
        }
        let error = #expect(throws: PostgresError.self) { try [Int](postgresText: "{1,NULL}") }
        #expect(error?.code == .decodeFailure)
    }

    @Test func timestampsFormatAsISO8601InUTC() {
        let date = Date(timeIntervalSince1970: 1_762_180_200.123456)
        #expect(date.postgresText == "2025-11-03T14:30:00.123456Z")
        #expect(Date(timeIntervalSince1970: 0).postgresText == "1970-01-01T00:00:00.000000Z")
        #expect(Date(timeIntervalSince1970: -1.5).postgresText == "1969-12-31T23:59:58.500000Z")
        #expect(Date(timeIntervalSince1970: 951_782_400).postgresText == "2000-02-29T00:00:00.000000Z")
        // Foundation's distantPast is 0001-01-01 in the Julian calendar; PostgreSQL, like
        // this code, uses the proleptic Gregorian calendar, two days earlier.
        #expect(Date.distantPast.postgresText == "0001-12-30 00:00:00.000000+00 BC")
        #expect(Date(timeIntervalSinceReferenceDate: -63_113_904_000).postgresText == "0001-01-01T00:00:00.000000Z")
        #expect(Date(timeIntervalSinceReferenceDate: .infinity).postgresText == "infinity")
        #expect(Date(timeIntervalSinceReferenceDate: -1e300).postgresText == "-infinity")
    }

    @Test func timestampsParseWhatPostgresPrints() throws {
        let instant = Date(timeIntervalSince1970: 1_762_180_200.123456)
        for text in [
            "2025-11-03 14:30:00.123456+00", "2025-11-03T14:30:00.123456Z", "2025-11-03 20:00:00.123456+05:30",
            "2025-11-03 09:30:00.123456-05", "2025-11-03 14:30:00.1234564+00", "2025-11-03 14:30:00.123456",
            "2025-11-03 20:00:00.123456+0530",
        ] {
            let parsed = try Date(postgresText: text)
            #expect(abs(parsed.timeIntervalSince(instant)) < 1e-6, "\(text)")
        }
        #expect(try Date(postgresText: "2025-11-03 14:30:00+00") == Date(timeIntervalSince1970: 1_762_180_200))
        #expect(try Date(postgresText: "2025-11-03") == Date(timeIntervalSince1970: 1_762_128_000))
        #expect(try Date(postgresText: "1969-12-31 23:59:58.5+00") == Date(timeIntervalSince1970: -1.5))
        #expect(try Date(postgresText: "infinity") == .distantFuture)
        #expect(try Date(postgresText: "-infinity") == .distantPast)
        // 1 BC is astronomical year 0; 0001-01-01 BC is 366 days (a leap year) before 0001-01-01 AD.
        let bc = try Date(postgresText: "0001-01-01 00:00:00+00 BC")
        #expect(bc == Date(timeIntervalSinceReferenceDate: -63_113_904_000 - 366 * 86_400))
        #expect(bc.postgresText == "0001-01-01 00:00:00.000000+00 BC")
        for bad in ["", "2025-13-01", "2025-02-30", "2025-11-03 25:00:00", "2025-11-03 14:30", "20251103", "2025-11-03 14:30:00+00 junk"] {
            #expect(throws: PostgresError.self, "\(bad)") { try Date(postgresText: bad) }
        }
    }

    @Test func civilDateConversionIsConsistent() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let (year, month, day) = PostgresTimestamp.civilDate(daysSinceUnixEpoch: days)
            #expect(PostgresTimestamp.daysSinceUnixEpoch(year: year, month: month, day: day) == days)
        }
    }

    @Test func scalarDecodingRejectsBadText() {
        #expect(throws: PostgresError.self) { try Int(postgresText: "12.5") }
        #expect(throws: PostgresError.self) { try Int32(postgresText: "3000000000") }
        #expect(throws: PostgresError.self) { try Bool(postgresText: "yes") }
        #expect(throws: PostgresError.self) { try UUID(postgresText: "not-a-uuid") }
        #expect(throws: PostgresError.self) { try [UInt8](postgresText: "\\x0") }
        #expect(throws: PostgresError.self) { try [UInt8](postgresText: "\\xzz") }
        #expect(throws: PostgresError.self) { try [UInt8](postgresText: "abc") }
    }

    @Test func sqlStatesMapToCodes() {
        let expected: [(String?, PostgresError.Code)] = [
            ("40001", .serializationFailure), ("40P01", .deadlockDetected), ("55P03", .lockNotAvailable),
            ("57014", .queryCanceled), ("23505", .uniqueViolation), ("23514", .checkViolation),
            ("23503", .foreignKeyViolation), ("23502", .notNullViolation), ("23P01", .exclusionViolation),
            ("P0001", .raiseException), ("08006", .connectionFailure), ("57P01", .connectionFailure),
            ("42601", .other), (nil, .other),
        ]
        for (sqlState, code) in expected {
            #expect(PostgresError.Code(sqlState: sqlState) == code)
        }
        #expect(PostgresError(code: .serializationFailure, message: "").isTransient)
        #expect(PostgresError(code: .deadlockDetected, message: "").isTransient)
        #expect(PostgresError(code: .connectionFailure, message: "").isTransient)
        #expect(!PostgresError(code: .uniqueViolation, message: "").isTransient)
    }

    @Test func configurationSendsSessionSettingsAtStartup() throws {
        var configuration = PostgresConfiguration(
            url: "postgresql://u:secret@db.example:5433/ota?application_name=x&options=-c%20search_path%3Dota")
        configuration.applicationName = "ota"
        configuration.lockTimeout = .milliseconds(200)
        configuration.idleInTransactionTimeout = nil
        configuration.statementTimeout = .microseconds(1)
        let parameters = Dictionary(try configuration.connectionParameters().map { ($0.keyword, $0.value) }) { $1 }
        #expect(parameters["host"] == "db.example" && parameters["port"] == "5433" && parameters["dbname"] == "ota")
        #expect(parameters["password"] == "secret")
        #expect(parameters["application_name"] == "ota")
        #expect(parameters["connect_timeout"] == "5")
        #expect(parameters["client_encoding"] == "UTF8")
        #expect(parameters["options"]
            == "-c search_path=ota -c TimeZone=UTC -c DateStyle=ISO -c bytea_output=hex -c statement_timeout=1 -c lock_timeout=200")
        #expect(PostgresConfiguration.milliseconds(.seconds(10)) == 10_000)
        #expect(PostgresConfiguration.milliseconds(.zero) == 0)

        // The library invents no name: without one the url's stays (or there is none).
        let urlOnly = PostgresConfiguration(url: "postgresql://db.example/app?application_name=x")
        #expect(try urlOnly.connectionParameters().filter { $0.keyword == "application_name" }.map(\.value) == ["x"])
        let unnamed = PostgresConfiguration(url: "postgresql://db.example/app")
        #expect(try !unnamed.connectionParameters().contains { $0.keyword == "application_name" })
        #expect(try PostgresConfiguration(url: "postgresql://db.example/app", applicationName: "tool")
            .connectionParameters().filter { $0.keyword == "application_name" }.map(\.value) == ["tool"])

        let invalid = #expect(throws: PostgresError.self) {
            try PostgresConfiguration(url: "postgresql://host:notaport/db?bogus=1").connectionParameters()
        }
        #expect(invalid?.code == .connectionFailure)
    }
}
