public import Foundation
public import Postgres

/// A database of its own for one test (suite instance), dropped when it goes away, so
/// tests and test targets run in parallel without seeing each other's tables.
///
/// `make test` (scripts/test.sh) prepares two templates to clone: `ota_migrated` (the
/// schema only) and the seeded `ota_template` (schema, catalog, development partners);
/// `template: nil` is an empty database, for the Postgres layer's own tables.
///
/// Needs OTA_TEST_DATABASE_URL (the private server's URL, as `make test` exports it); a
/// missing variable is a failure with a clear message, never a silent skip.
public final class TestDatabase: Sendable {
    public let name: String
    public let url: String
    let adminURL: String

    /// The seeded template: $OTA_TEST_TEMPLATE, else `ota_template`.
    public static var seeded: String { ProcessInfo.processInfo.environment["OTA_TEST_TEMPLATE"] ?? "ota_template" }
    /// The migrated template without data.
    public static let migrated = "ota_migrated"

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    public static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["OTA_TEST_DATABASE_URL"], !url.isEmpty else {
            throw Missing(description: "OTA_TEST_DATABASE_URL is not set: run the tests with `make test`, which starts a private PostgreSQL and prepares the template database")
        }
        return url
    }

    /// A fresh copy of `template` (default: the seeded one); nil: an empty database.
    public init(template: String? = TestDatabase.seeded) throws {
        adminURL = try Self.serverURL()
        name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let admin = try PostgresConnection(PostgresConfiguration(url: adminURL))
        defer { admin.close() }
        let create = "CREATE DATABASE \"\(name)\"" + (template.map { " TEMPLATE \"\($0)\"" } ?? "")
        // CREATE DATABASE ... TEMPLATE fails while another session is connected to the
        // template; nobody connects to it during tests, but retry a few times to be safe.
        var lastError: Error?
        for attempt in 0..<20 {
            do {
                try admin.execute(unescaped: create)
                lastError = nil
                break
            } catch {
                lastError = error
                usleep(useconds_t(50_000 * (attempt + 1)))
            }
        }
        if let e = lastError { throw e }
        url = Self.url(adminURL, database: name)
    }

    /// The connection settings of this database, adjusted by the caller if it likes.
    public func configuration(_ adjust: (inout PostgresConfiguration) -> Void = { _ in }) -> PostgresConfiguration {
        var c = PostgresConfiguration(url: url)
        c.applicationName = "ota-tests"
        adjust(&c)
        return c
    }

    public func connect(_ adjust: (inout PostgresConfiguration) -> Void = { _ in }) throws -> PostgresConnection {
        try PostgresConnection(configuration(adjust))
    }

    /// Drops the database (FORCE ends sessions left behind, e.g. a killed gateway's or a
    /// failed test's).
    public func drop() {
        do {
            let admin = try PostgresConnection(PostgresConfiguration(url: adminURL))
            defer { admin.close() }
            try admin.execute(unescaped: "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
        } catch {
            print("warning: could not drop test database \(name): \(error)")
        }
    }

    deinit { drop() }

    /// The server URL pointed at another database: a URL's path, or a conninfo's dbname.
    static func url(_ base: String, database: String) -> String {
        guard let scheme = base.range(of: "://") else { return base + " dbname=\(database)" }
        let rest = base[scheme.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        let beforeQuery = rest.firstIndex(of: "?").map { rest[..<$0] } ?? rest
        let authority = beforeQuery.firstIndex(of: "/").map { beforeQuery[..<$0] } ?? beforeQuery
        return base[..<scheme.upperBound] + authority + "/" + database + query
    }
}
