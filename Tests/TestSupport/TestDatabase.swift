import Foundation
import Postgres

/// A database of its own for one test suite, cloned from the migrated and seeded template
/// that `make test` prepares, so suites run in parallel without seeing each other.
///
/// Needs OTA_TEST_DATABASE_URL (the private server's URL, as `make test` exports it); a
/// missing variable is a failure with a clear message, never a silent skip.
public final class TestDatabase: Sendable {
    public let name: String
    public let url: String
    let adminURL: String

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    public static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["OTA_TEST_DATABASE_URL"], !url.isEmpty else {
            throw Missing(description: "OTA_TEST_DATABASE_URL is not set: run the tests with `make test`, which starts a private PostgreSQL and prepares the template database")
        }
        return url
    }

    /// A fresh copy of the template (default: the seeded `ota_template`).
    public init(template: String = ProcessInfo.processInfo.environment["OTA_TEST_TEMPLATE"] ?? "ota_template") throws {
        adminURL = try Self.serverURL()
        name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let admin = try PostgresConnection(PostgresConfiguration(url: adminURL))
        defer { admin.close() }
        // CREATE DATABASE ... TEMPLATE fails while another session is connected to the
        // template; nobody connects to it during tests, but retry a few times to be safe.
        var lastError: Error?
        for attempt in 0..<20 {
            do {
                try admin.execute(unescaped: "CREATE DATABASE \"\(name)\" TEMPLATE \"\(template)\"")
                lastError = nil
                break
            } catch {
                lastError = error
                usleep(useconds_t(50_000 * (attempt + 1)))
            }
        }
        if let e = lastError { throw e }
        url = Self.replacingDatabase(in: adminURL, with: name)
    }

    public func connect() throws -> PostgresConnection {
        var c = PostgresConfiguration(url: url)
        c.applicationName = "ota-tests"
        return try PostgresConnection(c)
    }

    /// Drops the database (terminating sessions left behind, e.g. a killed gateway's).
    public func drop() {
        guard let admin = try? PostgresConnection(PostgresConfiguration(url: adminURL)) else { return }
        defer { admin.close() }
        _ = try? admin.execute(unescaped: "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
    }

    deinit { drop() }

    static func replacingDatabase(in url: String, with db: String) -> String {
        guard let q = url.range(of: "://"), let slash = url[q.upperBound...].firstIndex(of: "/") else { return url + "/" + db }
        let rest = url[slash...].dropFirst()
        let params = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        return String(url[..<slash]) + "/" + db + params
    }
}
