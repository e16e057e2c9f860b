public import Postgres

/// Settings of the expiry worker, from environment variables (see config/ota.env.example),
/// validated at start with a message that names the variable.
public struct ExpiryWorkerConfiguration: Sendable {
    public var databaseURL: String
    /// Holds released per transaction.
    public var batchSize = 500
    /// The longest sleep between sweeps: the fallback for notifications lost while
    /// disconnected, and for holds whose expiry moved without an insert.
    public var pollInterval: Duration = .seconds(30)
    /// Idempotency records older than this are deleted (the API promises at least 48 h).
    public var idempotencyRetentionHours = 72
    /// How often housekeeping runs at most.
    public var housekeepingInterval: Duration = .seconds(600)
    /// Rows per housekeeping DELETE, and at most this many statements per round, so a
    /// large backlog never keeps the sweep waiting.
    public var housekeepingBatchSize = 1_000
    public var housekeepingMaxBatchesPerRound = 50

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static let minimumRetentionHours = 48

    public static let help = """
        ota-expiry-worker: releases expired holds (returns their units to the OTA pool),
        delivers webhooks and purges old idempotency records and deliveries. Safe to run as
        several instances at once.

        Environment:
          OTA_DATABASE_URL                 PostgreSQL URL (required), e.g. postgresql://ota@127.0.0.1:5432/ota
          OTA_WORKER_BATCH_SIZE            holds released per transaction (default 500, 1-10000)
          OTA_WORKER_POLL_SECONDS          longest sleep between sweeps when no expiry is due and
                                           no notification arrives (default 30, 1-3600)
          OTA_IDEMPOTENCY_RETENTION_HOURS  idempotency records older than this are deleted
                                           (default 72, at least 48, at most 8760)

        Webhooks (delivered by the same process, on threads of their own):
        \(WebhookDeliveryConfiguration.help)

        Wakes at the next expiry, or early when a hold is created that expires before every
        other active hold (LISTEN ota_hold_created).
        Under systemd (NOTIFY_SOCKET set): READY=1 once connected and listening, WATCHDOG=1
        from its loop, STOPPING=1 on SIGTERM. SIGTERM/SIGINT end the current batch and exit 0.
        """

    public init(databaseURL: String) {
        self.databaseURL = databaseURL
    }

    public init(environment env: [String: String]) throws(Invalid) {
        guard let url = env["OTA_DATABASE_URL"], !url.isEmpty else {
            throw Invalid(description: "OTA_DATABASE_URL is not set: give the PostgreSQL URL, e.g. postgresql://ota@127.0.0.1:5432/ota")
        }
        // A malformed URL is a configuration error to report now, not a connection
        // failure to retry for ever: libpq takes postgres[ql]:// URLs or key=value strings.
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") || url.contains("=") else {
            throw Invalid(description: "OTA_DATABASE_URL is not a PostgreSQL URL (postgresql://...) or key=value connection string")
        }
        databaseURL = url
        batchSize = try Self.integer(env, "OTA_WORKER_BATCH_SIZE", 1...10_000, default: 500)
        pollInterval = .seconds(try Self.integer(env, "OTA_WORKER_POLL_SECONDS", 1...3_600, default: 30))
        let retention = "OTA_IDEMPOTENCY_RETENTION_HOURS"
        if let raw = env[retention], let hours = Int(raw), hours < Self.minimumRetentionHours {
            throw Invalid(description: "\(retention)=\(raw) is below \(Self.minimumRetentionHours): the API promises partners that idempotency keys are kept at least 48 hours")
        }
        idempotencyRetentionHours = try Self.integer(env, retention, Self.minimumRetentionHours...8_760, default: 72)
    }

    /// The worker's session settings. lock_timeout is short so that SIGTERM is answered
    /// within about two seconds even while a pool row is contended (the batch rolls back
    /// and is retried later); a connect timeout of 2 s bounds each reconnect attempt.
    public var postgres: PostgresConfiguration {
        var c = PostgresConfiguration(url: databaseURL)
        c.applicationName = "ota-expiry-worker"
        c.connectTimeoutSeconds = 2
        c.statementTimeout = .seconds(10)
        c.lockTimeout = .seconds(1)
        c.idleInTransactionTimeout = .seconds(30)
        return c
    }

    private static func integer(_ env: [String: String], _ name: String, _ range: ClosedRange<Int>,
                                default fallback: Int) throws(Invalid) -> Int {
        guard let raw = env[name], !raw.isEmpty else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw Invalid(description: "\(name)=\(raw) is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
