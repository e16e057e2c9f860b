import Dispatch
import Foundation
import Postgres
import Synchronization

/// Thrown (so the test fails, rather than being skipped) when no server is configured.
struct MissingTestDatabase: Error, CustomStringConvertible {
    var description: String {
        "OTA_TEST_DATABASE_URL is not set. Start a server with `scripts/localpg.sh start .pg` and run "
            + "`OTA_TEST_DATABASE_URL=$(scripts/localpg.sh url .pg) swift test`."
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A throwaway database, created for one test suite instance (Swift Testing makes one per
/// test) and dropped when it goes away, so tests and other test targets run in parallel
/// without seeing each other's tables.
final class TestDatabase: Sendable {
    let name: String
    let adminURL: String
    let url: String

    init() throws {
        guard let adminURL = ProcessInfo.processInfo.environment["OTA_TEST_DATABASE_URL"], !adminURL.isEmpty else {
            throw MissingTestDatabase()
        }
        self.adminURL = adminURL
        self.name = "pgtest_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let admin = try PostgresConnection(PostgresConfiguration(url: adminURL))
        try admin.execute(unescaped: "CREATE DATABASE \(name)")
        self.url = Self.url(adminURL, database: name)
    }

    deinit {
        // FORCE ends sessions a failed test left open.
        do {
            let admin = try PostgresConnection(PostgresConfiguration(url: adminURL))
            try admin.execute(unescaped: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        } catch {
            print("warning: could not drop test database \(name): \(error)")
        }
    }

    func configuration(_ adjust: (inout PostgresConfiguration) -> Void = { _ in }) -> PostgresConfiguration {
        var configuration = PostgresConfiguration(url: url)
        configuration.applicationName = "postgres-tests"
        adjust(&configuration)
        return configuration
    }

    func connect(_ adjust: (inout PostgresConfiguration) -> Void = { _ in }) throws -> PostgresConnection {
        try PostgresConnection(configuration(adjust))
    }

    /// The admin URL pointed at another database: a URL's path, or a conninfo's dbname.
    static func url(_ base: String, database: String) -> String {
        guard let scheme = base.range(of: "://") else { return base + " dbname=\(database)" }
        let rest = base[scheme.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        let beforeQuery = rest.firstIndex(of: "?").map { rest[..<$0] } ?? rest
        let authority = beforeQuery.firstIndex(of: "/").map { beforeQuery[..<$0] } ?? beforeQuery
        return base[..<scheme.upperBound] + authority + "/" + database + query
    }
}

/// Runs `body` on a new OS thread (not the cooperative pool: libpq blocks), so a test can
/// have two connections blocking on each other.
final class BackgroundThread<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let outcome = Result { try body() }
            result.withLock { $0 = outcome }
            done.signal()
        }
        thread.start()
    }

    func join(timeoutSeconds: Double = 30) throws -> Value {
        guard done.wait(timeout: .now() + timeoutSeconds) == .success else {
            throw TestFailure("background thread did not finish within \(timeoutSeconds)s")
        }
        guard let outcome = result.withLock({ $0 }) else { throw TestFailure("background thread has no result") }
        return try outcome.get()
    }
}

extension DispatchSemaphore {
    func waitOrFail(seconds: Double = 10) throws {
        guard wait(timeout: .now() + seconds) == .success else {
            throw TestFailure("timed out waiting for the other connection")
        }
    }
}

/// The PostgresError a throwing call produced, or nil when it succeeded.
func postgresError(_ body: () throws -> Void) -> PostgresError? {
    do {
        try body()
        return nil
    } catch let error as PostgresError {
        return error
    } catch {
        return PostgresError(code: .other, message: "not a PostgresError: \(error)")
    }
}
