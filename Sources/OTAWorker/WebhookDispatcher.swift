public import Dispatch
public import Foundation
public import JSON
public import OTADomain
public import OTALog
public import OTAStore
public import Posix
public import Postgres
public import OTACrypto

/// Webhook delivery, beside the expiry sweeper in ota-expiry-worker: a thread of its own
/// with its own database connection claims due deliveries (ota_webhook_claim: SKIP
/// LOCKED, a lease, at most N in flight per endpoint across workers), hands them to the
/// sender threads, and records every result. It wakes on NOTIFY ota_webhook_due, when a
/// request finishes, at the next retry, and polls as a fallback. Any number of workers
/// can run at once.
public final class WebhookDispatcher: Sendable {
    let configuration: WebhookDeliveryConfiguration
    let postgres: PostgresConfiguration
    let worker: String
    private let stopper: EventFD
    private let exited = DispatchSemaphore(value: 0)

    public init(configuration: WebhookDeliveryConfiguration, postgres: PostgresConfiguration, worker: String) throws {
        self.configuration = configuration
        var pg = postgres
        pg.applicationName = "ota-expiry-worker webhooks"
        self.postgres = pg
        self.worker = worker
        stopper = try EventFD()
    }

    /// Starts the loop and its sender threads; false when libcurl cannot start.
    public func start() -> Bool {
        guard WebhookSender.initializeLibrary() else {
            Log.event("webhooks.unavailable", [("error", "libcurl could not be initialised")], level: "error")
            return false
        }
        let thread = Thread { [self] in
            defer { exited.signal() }
            WebhookDispatchLoop(configuration: configuration, postgres: postgres, worker: worker, stopper: stopper).run()
        }
        thread.name = "webhook-dispatcher"
        thread.start()
        return true
    }

    /// Stops claiming, lets the requests in flight finish and be recorded, and returns
    /// once the loop ended (at most about the request timeout).
    public func stop() {
        stopper.signal()
        let bound = configuration.totalTimeout + .seconds(10)
        _ = exited.wait(timeout: .now() + .milliseconds(Int(bound.wholeMilliseconds)))
    }
}

/// The loop's state, on the dispatcher's thread only (it owns the connection).
final class WebhookDispatchLoop {
    let configuration: WebhookDeliveryConfiguration
    let postgres: PostgresConfiguration
    let worker: String
    let stopper: EventFD
    let clock = ContinuousClock()
    private var inFlight = 0
    private var stopping = false
    /// Results not recorded yet (the database was away): recorded once it is back.
    private var unrecorded: [AttemptResult] = []
    private var lastHousekeeping: ContinuousClock.Instant?
    private var counts = (delivered: 0, retried: 0, failed: 0, disabled: 0)
    private var failures = 0
    /// Failed tries to record the oldest result while connected.
    private var recordFailures = 0

    init(configuration: WebhookDeliveryConfiguration, postgres: PostgresConfiguration, worker: String, stopper: EventFD) {
        self.configuration = configuration
        self.postgres = postgres
        self.worker = worker
        self.stopper = stopper
    }

    func run() {
        let pool: WebhookSenderPool
        do {
            pool = try WebhookSenderPool(count: configuration.concurrency, sender: WebhookSender(
                policy: configuration.targets, connectTimeout: configuration.connectTimeout, totalTimeout: configuration.totalTimeout))
        } catch {
            Log.event("webhooks.unavailable", [("error", .string(error.description))], level: "error")
            return
        }
        guard let db = connect() else {
            pool.stop(timeout: .zero)
            return
        }
        Log.event("webhooks.ready", [("worker", .string(worker)), ("concurrency", .int(configuration.concurrency)),
                                     ("per_endpoint", .int(configuration.perEndpoint)), ("listen", .string(WebhookOutbox.channel)),
                                     ("retention_days", .int(configuration.retentionDays)),
                                     ("webhook_secret_keys", .array(configuration.secrets.keyIds.map { .string($0) }))])
        let deliveries = WebhookDeliveryStore(db)
        while true {
            if stopper.drain() { stopping = true }
            unrecorded += pool.takeResults()
            record(deliveries, db)
            if stopping && inFlight == 0 { break }
            var deadline = clock.now + configuration.pollInterval
            do {
                if !stopping {
                    deadline = min(deadline, try claim(deliveries, pool))
                    try housekeeping(deliveries)
                }
                _ = try db.waitForNotifications(timeout: .zero)  // consumed: they only ask for a look, which follows
                failures = 0
            } catch {
                failures += 1
                let pause = Duration.milliseconds(min(30_000, 500 << min(failures, 6)))
                Log.event("webhooks.database_error", [("error", .string(String(describing: error))),
                                                      ("retry_in_ms", .int(Int(pause.wholeMilliseconds)))], level: "error")
                deadline = clock.now + pause
            }
            wait(until: deadline, db: db, pool: pool)
        }
        pool.stop(timeout: .seconds(1))
        db.close()
        Log.event("webhooks.stopped", [("delivered", .int(counts.delivered)), ("retried", .int(counts.retried)),
                                       ("failed", .int(counts.failed)), ("endpoints_disabled", .int(counts.disabled))])
    }

    /// Claims as many due deliveries as there are free senders; returns when to look again.
    private func claim(_ store: WebhookDeliveryStore, _ pool: WebhookSenderPool) throws -> ContinuousClock.Instant {
        let free = configuration.concurrency - inFlight
        guard free > 0 else { return clock.now + configuration.pollInterval }  // a result wakes us
        let claimed = try store.claim(worker: worker, limit: free, perEndpoint: configuration.perEndpoint,
                                      leaseSeconds: configuration.leaseSeconds)
        for c in claimed {
            pool.submit(outgoing(c))
            inFlight += 1
        }
        if claimed.count == free { return clock.now + configuration.pollInterval }
        let (databaseNow, next) = try store.nextDue()
        guard let next else { return clock.now + configuration.pollInterval }
        let wait = WakeSchedule.duration(from: databaseNow, to: next)
        // Due now but not claimable: held by an endpoint's in-flight bound or by another
        // worker's claim. Look again soon rather than spin.
        return clock.now + max(wait, .milliseconds(250))
    }

    private func outgoing(_ c: ClaimedDelivery) -> OutgoingWebhook {
        var secrets: [[UInt8]] = []
        var problem: String?
        for s in c.secrets {
            guard let bytes = configuration.secrets.open(s.sealed, associatedData: Array(c.endpointId.utf8)) else {
                problem = "the endpoint's secret does not open with this OTA_WEBHOOK_SECRET_KEY or OTA_WEBHOOK_SECRET_OLD_KEYS (sealed under \(s.keyId), these are \(configuration.secrets.keyIds.joined(separator: ",")))"
                break
            }
            secrets.append(bytes)
        }
        return OutgoingWebhook(deliveryId: c.deliveryId, attempt: c.attempt, eventId: c.eventId, eventType: c.eventType,
                               endpointId: c.endpointId, url: c.url, body: c.body, secrets: problem == nil ? secrets : [],
                               secretProblem: problem)
    }

    /// Records what the senders reported, one transaction each; on a database failure
    /// the rest waits for the next round. A result the database keeps refusing while it is
    /// reachable is given up after three tries: its lease lapses and another attempt
    /// follows (at least once), rather than blocking every result behind it.
    private func record(_ store: WebhookDeliveryStore, _ db: PostgresConnection) {
        while let result = unrecorded.first {
            let outcome: WebhookDeliveryStore.RecordOutcome
            do {
                outcome = try store.record(result, worker: worker, policy: configuration.retry, jitter: Double.random(in: 0..<1))
                recordFailures = 0
            } catch {
                recordFailures = db.isConnected ? recordFailures + 1 : 0
                let giveUp = recordFailures >= 3
                Log.event("webhooks.record_failed", [("delivery_id", .string(result.deliveryId)),
                                                     ("error", .string(String(describing: error))), ("given_up", .bool(giveUp))],
                          level: "error")
                guard giveUp else { return }
                recordFailures = 0
                unrecorded.removeFirst()
                inFlight = max(0, inFlight - 1)
                continue
            }
            unrecorded.removeFirst()
            inFlight = max(0, inFlight - 1)
            log(result, outcome)
        }
    }

    /// One line per attempt; never the body, the URL or a secret.
    private func log(_ r: AttemptResult, _ outcome: WebhookDeliveryStore.RecordOutcome) {
        var fields: [(String, JSONValue)] = [("delivery_id", .string(r.deliveryId)), ("attempt", .int(r.attempt)),
                                             ("duration_ms", .int(r.durationMilliseconds))]
        switch r.outcome {
        case let .answered(status): fields.append(("status", .int(status)))
        case let .noAnswer(error): fields.append(("error", .string(error)))
        }
        let level: String
        switch outcome {
        case .delivered:
            counts.delivered += 1
            fields.append(("outcome", "delivered"))
            level = "info"
        case let .retrying(at):
            counts.retried += 1
            fields += [("outcome", "retrying"), ("next_attempt_at", .string(at.description))]
            level = "warn"
        case .failed:
            counts.failed += 1
            fields.append(("outcome", "failed"))
            level = "warn"
        case let .endpointDisabled(reason):
            counts.disabled += 1
            fields += [("outcome", "endpoint_disabled"), ("reason", .string(reason))]
            level = "warn"
        case .superseded:
            fields.append(("outcome", "superseded"))
            level = "warn"
        }
        Log.event("ota.webhook.attempt", fields, level: level)
    }

    private func housekeeping(_ store: WebhookDeliveryStore) throws {
        let now = clock.now
        if let last = lastHousekeeping, now - last < configuration.housekeepingInterval { return }
        lastHousekeeping = now
        var deleted = 0
        for _ in 0..<configuration.housekeepingMaxBatchesPerRound {
            let n = try store.purge(olderThanDays: configuration.retentionDays, limit: configuration.housekeepingBatchSize)
            deleted += n
            if n < configuration.housekeepingBatchSize || stopRequested() { break }
        }
        if deleted > 0 {
            Log.event("ota.webhook.purged", [("deleted", .int(deleted)), ("retention_days", .int(configuration.retentionDays))])
        }
    }

    /// Whether the stop was asked for, without consuming it.
    private func stopRequested() -> Bool {
        var fds = [pollfd(fd: stopper.fd, events: Int16(POLLIN), revents: 0)]
        return Syscall.poll(&fds, timeout: .zero) > 0
    }

    /// Until the deadline, a notification, a finished request or the stop.
    private func wait(until deadline: ContinuousClock.Instant, db: PostgresConnection, pool: WebhookSenderPool) {
        let remaining = deadline - clock.now
        guard remaining > .zero else { return }
        var fds = [pollfd(fd: stopper.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: pool.resultsReady.fd, events: Int16(POLLIN), revents: 0)]
        let socket = db.socketDescriptor
        if socket >= 0 { fds.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
        _ = Syscall.poll(&fds, timeout: remaining)
    }

    /// Connects and listens, retrying with backoff until it works or the stop.
    private func connect() -> PostgresConnection? {
        var attempt = 0
        while true {
            do {
                let db = try PostgresConnection(postgres)
                try db.listen(WebhookOutbox.channel)
                return db
            } catch {
                attempt += 1
                let pause = Duration.milliseconds(min(10_000, 500 << min(attempt, 5)))
                Log.event("webhooks.database_unavailable", [("error", .string(String(describing: error))), ("attempt", .int(attempt))],
                          level: "error")
                var fds = [pollfd(fd: stopper.fd, events: Int16(POLLIN), revents: 0)]
                if Syscall.poll(&fds, timeout: pause) > 0 { return nil }
            }
        }
    }
}
