public import OTACrypto
public import OTADomain

/// Settings of the webhook delivery loop of ota-expiry-worker, from environment variables
/// (see config/ota.env.example), validated at start with a message naming the variable.
public struct WebhookDeliveryConfiguration: Sendable {
    /// Opens the endpoints' sealed signing secrets: the gateway's OTA_WEBHOOK_SECRET_KEY and
    /// OTA_WEBHOOK_SECRET_OLD_KEYS.
    public var secrets: SecretKeyring
    public var targets = WebhookTargetPolicy()
    /// Requests in flight at once in this worker (one sender thread each).
    public var concurrency = 8
    /// Requests in flight at once per endpoint, across every worker.
    public var perEndpoint = 2
    public var connectTimeout: Duration = .seconds(5)
    public var totalTimeout: Duration = .seconds(10)
    /// How long a claim is this worker's; past it, another worker takes the delivery.
    public var leaseSeconds = 60
    public var retry = WebhookRetryPolicy()
    /// Delivered and failed deliveries are deleted after this many days.
    public var retentionDays = 14
    /// The longest wait between two looks at the queue without a notification.
    public var pollInterval: Duration = .seconds(30)
    public var housekeepingInterval: Duration = .seconds(600)
    public var housekeepingBatchSize = 1_000
    public var housekeepingMaxBatchesPerRound = 50

    public static let minimumRetentionDays = 7

    public static let help = """
          OTA_WEBHOOK_SECRET_KEY           the gateway's master key for webhook secrets (hex or base64, 32+ bytes);
                                           unset: no webhooks are delivered (a warning at start)
          OTA_WEBHOOK_SECRET_OLD_KEYS      the gateway's retired master keys (comma separated, same format): secrets
                                           they sealed still open until `ota-admin webhook reseal` has run
          OTA_WEBHOOK_ALLOWED_HOSTS        hosts (host or host:port, comma separated) that may be reached over http
                                           and at internal addresses (default none)
          OTA_WEBHOOK_CONCURRENCY          requests in flight at once in this worker (default 8, 1-64)
          OTA_WEBHOOK_ENDPOINT_CONCURRENCY requests in flight per endpoint across all workers (default 2, 1-64)
          OTA_WEBHOOK_TIMEOUT_SECONDS      total time per request (default 10, 1-60; connecting: at most 5)
          OTA_WEBHOOK_LEASE_SECONDS        a claimed delivery is retaken by another worker after this (default 60,
                                           at least the timeout + 5)
          OTA_WEBHOOK_BACKOFF_BASE_MS      first retry delay, doubling up to 6 h, retried for 3 days (default 10000,
                                           10-600000)
          OTA_WEBHOOK_RETENTION_DAYS       delivered and failed deliveries are kept this long (default 14, 7-365)
          OTA_WEBHOOK_POLL_SECONDS         longest wait between looks at the queue without a notification (default 30)
        """

    public init(secrets: SecretKeyring) {
        self.secrets = secrets
    }

    /// nil when OTA_WEBHOOK_SECRET_KEY is not set (webhooks are then not delivered).
    public static func from(environment env: [String: String]) throws(ExpiryWorkerConfiguration.Invalid) -> WebhookDeliveryConfiguration? {
        let ring: SecretKeyring
        do {
            guard let parsed = try SecretKeyring.parse(active: env["OTA_WEBHOOK_SECRET_KEY"], oldKeys: env["OTA_WEBHOOK_SECRET_OLD_KEYS"],
                                                       purpose: SecretBox.webhookSecretPurpose) else { return nil }
            ring = parsed
        } catch {
            throw invalid(error.description)
        }
        var c = WebhookDeliveryConfiguration(secrets: ring)
        switch WebhookTargetPolicy.parse(allowList: env["OTA_WEBHOOK_ALLOWED_HOSTS"] ?? "") {
        case let .success(policy): c.targets = policy
        case let .failure(error): throw invalid("OTA_WEBHOOK_ALLOWED_HOSTS: \(error.message)")
        }
        c.concurrency = try integer(env, "OTA_WEBHOOK_CONCURRENCY", 1...64, default: 8)
        c.perEndpoint = try integer(env, "OTA_WEBHOOK_ENDPOINT_CONCURRENCY", 1...64, default: 2)
        let total = try integer(env, "OTA_WEBHOOK_TIMEOUT_SECONDS", 1...60, default: 10)
        c.totalTimeout = .seconds(total)
        c.connectTimeout = .seconds(min(5, total))
        c.leaseSeconds = try integer(env, "OTA_WEBHOOK_LEASE_SECONDS", 6...3_600, default: max(60, total + 5))
        guard c.leaseSeconds >= total + 5 else {
            throw invalid("OTA_WEBHOOK_LEASE_SECONDS=\(c.leaseSeconds) must be at least OTA_WEBHOOK_TIMEOUT_SECONDS + 5 (\(total + 5)): a lease must outlast its request")
        }
        c.retry.base = .milliseconds(try integer(env, "OTA_WEBHOOK_BACKOFF_BASE_MS", 10...600_000, default: 10_000))
        let retention = "OTA_WEBHOOK_RETENTION_DAYS"
        if let raw = env[retention], let days = Int(raw), days < minimumRetentionDays {
            throw invalid("\(retention)=\(raw) is below \(minimumRetentionDays): partners are promised a week of delivery history")
        }
        c.retentionDays = try integer(env, retention, minimumRetentionDays...365, default: 14)
        c.pollInterval = .seconds(try integer(env, "OTA_WEBHOOK_POLL_SECONDS", 1...3_600, default: 30))
        return c
    }

    static func invalid(_ text: String) -> ExpiryWorkerConfiguration.Invalid {
        ExpiryWorkerConfiguration.Invalid(description: text)
    }

    private static func integer(_ env: [String: String], _ name: String, _ range: ClosedRange<Int>,
                                default fallback: Int) throws(ExpiryWorkerConfiguration.Invalid) -> Int {
        guard let raw = env[name], !raw.isEmpty else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw invalid("\(name)=\(raw) is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
