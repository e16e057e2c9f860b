public import Foundation
public import HTTP
public import OTACrypto
public import OTADomain
public import Postgres

/// Settings of the gateway, from environment variables (see config/ota.env.example),
/// validated at start with a message that names the variable.
public struct GatewayConfiguration: Sendable {
    public var databaseURL: String
    public var http = HTTPServerConfiguration()
    public var statementTimeoutMs = 10_000
    public var lockTimeoutMs = 3_000
    public var authCacheSeconds = 5
    public var rateBurstSeconds = 1
    public var rateLimitsEnabled = true
    /// nil: QR codes are not configured (their endpoints answer 503).
    public var qrKeyring: QRKeyring?
    public var operatorSessionHours = 12
    /// Proxies (e.g. nginx) whose X-Forwarded-For names the real client.
    public var trustedProxies: Set<String> = []
    public var logRequests = true
    /// nil: /metrics is open; else a scraper must send it as a bearer token.
    public var metricsToken: String?
    /// Log one in N inventory reads as ota.inventory.requested (0: none); the read path is
    /// the hottest, so a busy deployment may sample it.
    public var inventoryEventSample = 1
    /// Console session cookies carry `Secure` (set it when clients reach the gateway over TLS).
    public var consoleSecureCookie = false
    public var consoleSessionHours = 12
    /// How often this gateway writes its request counts to PostgreSQL (0: never, for tests).
    public var requestFlushSeconds = 60
    /// This gateway's name in request_minutes (default: host name and process id).
    public var instanceName: String?
    /// Webhooks (issue 11): seals endpoint secrets with OTA_WEBHOOK_SECRET_KEY, opens with it
    /// or OTA_WEBHOOK_SECRET_OLD_KEYS; nil (no OTA_WEBHOOK_SECRET_KEY): the webhook endpoints answer 503.
    public var webhookSecrets: SecretKeyring?
    /// The ids (never the keys) of `webhookSecrets`, the active one first; empty without it.
    public var webhookSecretKeyIds: [String] { webhookSecrets?.keyIds ?? [] }
    /// Seals stored Idempotency-Key answers that carry a secret (Cache-Control: no-store).
    public var answerSealer: SecretKeyring?
    /// Where endpoints may point: https to public addresses, plus OTA_WEBHOOK_ALLOWED_HOSTS.
    public var webhookTargets = WebhookTargetPolicy()
    /// Keep the catalog in memory while its change notifications are heard (issue 10).
    public var catalogCache = true
    /// GET /inventory serves a reading of the pools at most this old (0: every read
    /// queries the database), re-read every `inventoryPollMs` while inventory is read, and
    /// not at all after `inventoryIdleMs` without a read.
    public var inventoryMaxStalenessMs = 50
    public var inventoryPollMs = 20
    public var inventoryIdleMs = 1_000

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
          OTA_AUTH_CACHE_SECONDS   how long an API key lookup is cached per worker (default 5, 0-60); every change of
                                   keys, partners or permissions empties the caches at once (LISTEN ota_auth_changed)
          OTA_REQUEST_LOG          1 to log one JSON line per request (default 1); 0 also silences the read path's
                                   ota.inventory.requested events (changes are always logged)
          OTA_METRICS_TOKEN        when set, /metrics answers only 'Authorization: Bearer <token>' (16+ characters)
          OTA_INVENTORY_EVENT_SAMPLE  log one in N inventory reads as ota.inventory.requested (default 1: all; 0: none)
          OTA_RATE_LIMITS          on (default) or off: per-partner rate limits (off only for tests and benchmarks)
          OTA_QR_ACTIVE_KEY_ID     key id that seals new QR tokens (e.g. k2)
          OTA_QR_KEYS              QR master secrets, id:secret pairs, comma separated (hex or base64, 32+ bytes); retired
                                   ids keep verifying until removed. Unset: QR endpoints answer 503.
          OTA_TRUSTED_PROXIES      addresses of reverse proxies whose X-Forwarded-For is believed (comma separated)
          OTA_OPERATOR_SESSION_HOURS  lifetime of an operator login token (default 12, 1-168)
          OTA_RATE_BURST_SECONDS   burst a partner may send at once, in seconds of its rate (default 1, 1-60)
          OTA_CONSOLE_SECURE_COOKIE  1 when clients reach the gateway over TLS (a proxy): the console cookie gets Secure
          OTA_CONSOLE_SESSION_HOURS  lifetime of a console login (default 12, 1-168)
          OTA_REQUEST_FLUSH_SECONDS  how often request counts go to PostgreSQL for the console (default 60, 1-600; 0: never)
          OTA_INSTANCE_NAME        this gateway's name in those counts (default: host name and process id)
          OTA_WEBHOOK_SECRET_KEY   master key (hex or base64, 32+ bytes) that seals webhook signing secrets; the same
                                   value for every gateway and worker. Unset: the webhook endpoints answer 503.
          OTA_WEBHOOK_SECRET_OLD_KEYS  retired master keys (comma separated, same format) that still open what they
                                   sealed, during a rotation until `ota-admin webhook reseal` has run; the same on
                                   every gateway and worker
          OTA_CATALOG_CACHE        on (default) or off: keep prices, discounts, special dates, currency, customer types
                                   and webhook subscriptions in memory; every change reaches every gateway when its
                                   notification arrives (LISTEN ota_catalog_changed), at the latest within 1 s
          OTA_INVENTORY_MAX_STALENESS_MS  GET /api/ota/inventory figures are at most this far behind the database
                                   (default 50, 0-10000; 0: every read queries the database)
          OTA_INVENTORY_POLL_MS    how often the pools are re-read while inventory is read (default 20, 1-10000; below
                                   OTA_INVENTORY_MAX_STALENESS_MS)
          OTA_INVENTORY_IDLE_MS    no re-reading after this long without an inventory read (default 1000, 1-600000)
          OTA_WEBHOOK_ALLOWED_HOSTS  hosts (host or host:port, comma separated) webhooks may reach over http and at
                                   internal addresses (default none: https to public addresses only)
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
        if let token = env["OTA_METRICS_TOKEN"], !token.isEmpty {
            guard token.count >= 16, token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw Invalid(description: "OTA_METRICS_TOKEN must be at least 16 printable ASCII characters without spaces")
            }
            metricsToken = token
        }
        inventoryEventSample = try int("OTA_INVENTORY_EVENT_SAMPLE", 0...1_000_000, 1)
        rateBurstSeconds = try int("OTA_RATE_BURST_SECONDS", 1...60, 1)
        operatorSessionHours = try int("OTA_OPERATOR_SESSION_HOURS", 1...168, 12)
        consoleSecureCookie = try int("OTA_CONSOLE_SECURE_COOKIE", 0...1, 0) == 1
        consoleSessionHours = try int("OTA_CONSOLE_SESSION_HOURS", 1...168, 12)
        requestFlushSeconds = try int("OTA_REQUEST_FLUSH_SECONDS", 0...600, 60)
        if let name = env["OTA_INSTANCE_NAME"], !name.isEmpty {
            guard name.count <= 100, name.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw Invalid(description: "OTA_INSTANCE_NAME must be 1 to 100 printable ASCII characters without spaces")
            }
            instanceName = name
        }
        trustedProxies = Set((env["OTA_TRUSTED_PROXIES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        let qrKeys = env["OTA_QR_KEYS"].flatMap { $0.isEmpty ? nil : $0 }
        let qrActive = env["OTA_QR_ACTIVE_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        if qrKeys != nil || qrActive != nil {
            do {
                qrKeyring = try QRKeyring.parse(active: qrActive, keys: qrKeys)
            } catch {
                throw Invalid(description: "QR key ring: \(error)")
            }
        }
        do {
            let active = env["OTA_WEBHOOK_SECRET_KEY"], old = env["OTA_WEBHOOK_SECRET_OLD_KEYS"]
            webhookSecrets = try SecretKeyring.parse(active: active, oldKeys: old, purpose: SecretBox.webhookSecretPurpose)
            answerSealer = try SecretKeyring.parse(active: active, oldKeys: old, purpose: SecretBox.storedAnswerPurpose)
        } catch {
            throw Invalid(description: error.description)
        }
        switch WebhookTargetPolicy.parse(allowList: env["OTA_WEBHOOK_ALLOWED_HOSTS"] ?? "") {
        case let .success(policy): webhookTargets = policy
        case let .failure(error): throw Invalid(description: "OTA_WEBHOOK_ALLOWED_HOSTS: \(error.message)")
        }
        switch env["OTA_CATALOG_CACHE"] ?? "on" {
        case "on", "": catalogCache = true
        case "off": catalogCache = false
        case let other: throw Invalid(description: "OTA_CATALOG_CACHE=\(other) must be on or off")
        }
        inventoryMaxStalenessMs = try int("OTA_INVENTORY_MAX_STALENESS_MS", 0...10_000, 50)
        inventoryPollMs = try int("OTA_INVENTORY_POLL_MS", 1...10_000, 20)
        inventoryIdleMs = try int("OTA_INVENTORY_IDLE_MS", 1...600_000, 1_000)
        if inventoryMaxStalenessMs > 0, inventoryPollMs >= inventoryMaxStalenessMs {
            throw Invalid(description: "OTA_INVENTORY_POLL_MS=\(inventoryPollMs) must be below OTA_INVENTORY_MAX_STALENESS_MS=\(inventoryMaxStalenessMs): "
                          + "a reading must be renewed before it is too old to serve")
        }
        switch env["OTA_RATE_LIMITS"] ?? "on" {
        case "on", "": rateLimitsEnabled = true
        case "off": rateLimitsEnabled = false
        case let other: throw Invalid(description: "OTA_RATE_LIMITS=\(other) must be on or off")
        }
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
