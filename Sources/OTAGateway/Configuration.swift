import Foundation
import HTTP
import Postgres

/// Settings of the gateway, from environment variables (see config/ota.env.example),
/// validated at start with a message that names the variable.
public struct GatewayConfiguration: Sendable {
    public var databaseURL: String
    public var http = HTTPServerConfiguration()
    public var statementTimeoutMs = 10_000
    public var lockTimeoutMs = 3_000
    public var authCacheSeconds = 5
    public var logRequests = true

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static let help = """
        ota-gateway: the OTA partner API over HTTP/1.1.

        Environment:
          OTA_DATABASE_URL         PostgreSQL URL (required), e.g. postgresql://ota@127.0.0.1:5432/ota
          OTA_HTTP_HOST            address to listen on (default 0.0.0.0)
          OTA_HTTP_PORT            port (default 8080; 0 picks a free one)
          OTA_WORKERS              worker threads, each with one database connection (default 8, 1-64)
          OTA_MAX_CONNECTIONS      open client connections at most (default 1024)
          OTA_STATEMENT_TIMEOUT_MS statement_timeout per query (default 10000)
          OTA_LOCK_TIMEOUT_MS      lock_timeout, bounds the inventory row lock wait (default 3000)
          OTA_AUTH_CACHE_SECONDS   how long an API key lookup is cached per worker (default 5, 0-60)
          OTA_REQUEST_LOG          1 to log one JSON line per request (default 1)
        """

    public init(environment env: [String: String]) throws {
        guard let url = env["OTA_DATABASE_URL"], !url.isEmpty else {
            throw Invalid(description: "OTA_DATABASE_URL is not set: give the PostgreSQL URL, e.g. postgresql://ota@127.0.0.1:5432/ota")
        }
        databaseURL = url
        func int(_ name: String, _ range: ClosedRange<Int>, _ fallback: Int) throws -> Int {
            guard let raw = env[name], !raw.isEmpty else { return fallback }
            guard let v = Int(raw), range.contains(v) else {
                throw Invalid(description: "\(name)=\(raw) is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return v
        }
        http.host = env["OTA_HTTP_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "0.0.0.0"
        http.port = try int("OTA_HTTP_PORT", 0...65535, 8080)
        http.workerCount = try int("OTA_WORKERS", 1...64, 8)
        http.maxConnections = try int("OTA_MAX_CONNECTIONS", 1...100_000, 1024)
        statementTimeoutMs = try int("OTA_STATEMENT_TIMEOUT_MS", 100...600_000, 10_000)
        lockTimeoutMs = try int("OTA_LOCK_TIMEOUT_MS", 10...60_000, 3_000)
        authCacheSeconds = try int("OTA_AUTH_CACHE_SECONDS", 0...60, 5)
        logRequests = try int("OTA_REQUEST_LOG", 0...1, 1) == 1
    }

    public var postgres: PostgresConfiguration {
        var c = PostgresConfiguration(url: databaseURL)
        c.applicationName = "ota-gateway"
        c.statementTimeout = .milliseconds(statementTimeoutMs)
        c.lockTimeout = .milliseconds(lockTimeoutMs)
        c.idleInTransactionTimeout = .seconds(30)
        return c
    }
}
