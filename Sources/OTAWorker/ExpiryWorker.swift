import JSON
import OTALog
import OTAStore
import Posix
import Postgres

/// What the worker tells its supervisor (systemd through SystemdNotify, in main.swift).
/// Called on the worker's thread.
public struct ExpiryWorkerHooks {
    /// Once connected and listening for the first time (READY=1).
    public var ready: () -> Void = {}
    /// A termination signal arrived (STOPPING=1).
    public var stopping: () -> Void = {}
    /// The loop is making progress (WATCHDOG=1); called at least every `aliveInterval`.
    public var alive: () -> Void = {}
    /// nil: no watchdog, `alive` is not called.
    public var aliveInterval: Duration?
    /// A one-line human status (STATUS=...).
    public var status: (String) -> Void = { _ in }

    public init() {}
}

/// The expiry worker's loop: sweep every due hold, purge old idempotency records now and
/// then, sleep until the next expiry (or the poll interval, or a new hold's notification),
/// and start over; reconnect with backoff when the database goes away; return when
/// SIGTERM or SIGINT arrives. Runs on one thread, which owns the connection.
public final class ExpiryWorker {
    let configuration: ExpiryWorkerConfiguration
    let hooks: ExpiryWorkerHooks
    let signals: TerminationSignals
    let clock = ContinuousClock()
    private var sweeper: ExpirySweeper
    private var housekeeping: IdempotencyHousekeeping
    private var lastAlive: ContinuousClock.Instant?
    private var releasedSinceStart = 0
    /// Rounds that failed in a row with the connection intact: the pause grows with it.
    private var failedRounds = 0

    public init(configuration: ExpiryWorkerConfiguration, hooks: ExpiryWorkerHooks, signals: TerminationSignals) {
        self.configuration = configuration
        self.hooks = hooks
        self.signals = signals
        sweeper = ExpirySweeper(batchSize: configuration.batchSize)
        housekeeping = IdempotencyHousekeeping(
            retentionHours: configuration.idempotencyRetentionHours, interval: configuration.housekeepingInterval,
            batchSize: configuration.housekeepingBatchSize, maxBatchesPerRound: configuration.housekeepingMaxBatchesPerRound)
    }

    /// Runs until a termination signal; the batch in progress when it arrives commits (or
    /// rolls back) first.
    public func run() {
        Log.event("worker.started", [
            ("batch_size", .int(configuration.batchSize)),
            ("poll_seconds", .int(Int(configuration.pollInterval.components.seconds))),
            ("idempotency_retention_hours", .int(configuration.idempotencyRetentionHours)),
        ])
        if let db = connectFirstTime() {
            hooks.ready()
            hooks.status("sweeping expired holds")
            Log.event("worker.ready", [("listen", .string(HoldCreatedNotification.channel)),
                                             ("backend_pid", .int(Int(db.backendPID)))])
            while !signals.check() {
                do {
                    try cycle(db)
                    failedRounds = 0
                } catch {
                    recover(from: error, db)
                }
            }
            db.close()
        }
        hooks.stopping()
        Log.event("worker.stopped", [("signal", .string(Self.signalName(signals.received))),
                                           ("released_since_start", .int(releasedSinceStart))])
    }

    // MARK: - One round

    /// Sweep, housekeeping, then wait for the next reason to sweep.
    private func cycle(_ db: PostgresConnection) throws {
        let store = ExpiryStore(db)
        let started = clock.now
        let outcome = try sweeper.sweep(store, shouldStop: { signals.check() }, afterBatch: { alive() })
        if outcome.released > 0 {
            releasedSinceStart += outcome.released
            Log.event("worker.swept", [("released", .int(outcome.released)), ("batches", .int(outcome.batches)),
                                             ("milliseconds", .int(Self.milliseconds(clock.now - started)))])
            hooks.status("released \(releasedSinceStart) expired holds since start")
        }
        if outcome.interrupted || signals.check() { return }
        _ = try housekeeping.runIfDue(store, now: clock.now, shouldStop: { signals.check() })
        if signals.check() { return }

        let outlook = try store.outlook()
        var schedule = WakeSchedule(now: clock.now, databaseNow: outlook.databaseNow,
                                    earliestExpiry: outlook.earliestExpiry, pollInterval: configuration.pollInterval)
        try wait(&schedule, db)
    }

    /// Sleeps until the schedule's deadline, a signal, or a notification of a hold that
    /// expires before the deadline (which moves the deadline). The wait polls the
    /// session's socket and the signalfd together, so both end it at once.
    private func wait(_ schedule: inout WakeSchedule, _ db: PostgresConnection) throws {
        while true {
            // First what libpq has already read: a notification that arrived together with
            // the last query's result leaves nothing on the socket to wake the poll. A
            // broken connection throws here.
            for notification in try db.waitForNotifications(timeout: .zero)
            where notification.channel == HoldCreatedNotification.channel {
                if let expiry = HoldCreatedNotification.expiry(fromPayload: notification.payload) {
                    schedule.consider(expiry: expiry)
                }
            }
            alive()
            let now = clock.now
            guard now < schedule.deadline else { return }
            var slice = schedule.deadline - now
            if let interval = hooks.aliveInterval { slice = min(slice, interval) }
            let socket = db.socketDescriptor
            guard socket >= 0 else { throw PostgresError(code: .connectionFailure, message: "the connection is closed") }
            if signals.wait(orReadable: socket, timeout: slice) == .signal { return }
        }
    }

    // MARK: - Connecting and recovering

    /// Connects and listens, retrying with backoff; nil when a signal arrived first.
    private func connectFirstTime() -> PostgresConnection? {
        var backoff = Backoff()
        while !signals.check() {
            do {
                let db = try PostgresConnection(configuration.postgres)
                do {
                    try db.listen(HoldCreatedNotification.channel)
                } catch {
                    db.close()
                    throw error
                }
                warnIfSchemaIsBehind(db)
                return db
            } catch {
                let delay = backoff.next()
                Log.event("worker.database_unavailable", [
                    ("error", .string(String(describing: error))), ("attempt", .int(backoff.attempts)),
                    ("retry_in_ms", .int(Self.milliseconds(delay))),
                ], level: "error")
                hooks.status("waiting for the database")
                pause(delay)
            }
        }
        return nil
    }

    /// After a failed round: a lost connection is re-established (which re-issues LISTEN)
    /// with backoff, and the next round sweeps at once, since notifications sent meanwhile
    /// are lost. Other failures (lock or statement timeout, a refused update) are logged
    /// and the round is retried after a pause: short for a contended lock, growing from
    /// 2 s to 30 s while the same kind of failure repeats.
    private func recover(from error: any Error, _ db: PostgresConnection) {
        if db.isConnected {
            let busy = Self.isBusy(error)
            failedRounds += 1
            let delay: Duration = busy ? .milliseconds(500) : .seconds(min(30, 2 << min(failedRounds - 1, 4)))
            Log.event(busy ? "worker.sweep_busy" : "worker.sweep_failed", [
                ("error", .string(String(describing: error))), ("retry_in_ms", .int(Self.milliseconds(delay))),
            ], level: busy ? "warn" : "error")
            pause(delay)
            return
        }
        failedRounds = 0
        Log.event("worker.database_lost", [("error", .string(String(describing: error)))], level: "error")
        hooks.status("reconnecting to the database")
        let lost = clock.now
        var backoff = Backoff()
        while !signals.check() {
            let delay = backoff.next()
            pause(delay)
            if signals.check() { return }
            do {
                try db.reconnect()
                Log.event("worker.reconnected", [("attempts", .int(backoff.attempts)),
                                                       ("down_ms", .int(Self.milliseconds(clock.now - lost))),
                                                       ("backend_pid", .int(Int(db.backendPID)))])
                hooks.status("sweeping expired holds")
                return
            } catch {
                Log.event("worker.reconnect_failed", [
                    ("error", .string(String(describing: error))), ("attempt", .int(backoff.attempts)),
                ], level: "warn")
            }
        }
    }

    /// The migration that sends notifications may be missing; polling still works.
    private func warnIfSchemaIsBehind(_ db: PostgresConnection) {
        guard let version = try? Migrator.currentVersion(db), version < Schema.expectedVersion else { return }
        Log.event("worker.schema_behind", [
            ("schema_version", .int(version)), ("expected", .int(Schema.expectedVersion)),
            ("detail", .string("run ota-admin migrate; until then new holds are found by polling only")),
        ], level: "warn")
    }

    // MARK: - Small helpers

    /// Sleeps up to `duration`, ending early on a signal, pinging the watchdog meanwhile.
    private func pause(_ duration: Duration) {
        let deadline = clock.now + duration
        while true {
            alive()
            let now = clock.now
            guard now < deadline else { return }
            let slice = min(deadline - now, hooks.aliveInterval ?? (deadline - now))
            if signals.wait(timeout: slice) == .signal { return }
        }
    }

    /// The watchdog ping, at most once per interval.
    private func alive() {
        guard let interval = hooks.aliveInterval else { return }
        let now = clock.now
        if let lastAlive, now - lastAlive < interval / 2 { return }
        lastAlive = now
        hooks.alive()
    }

    /// A lock not granted within lock_timeout: another transaction holds a pool row.
    static func isBusy(_ error: any Error) -> Bool {
        guard let error = error as? StoreError, case .busy = error else { return false }
        return true
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.wholeMilliseconds)
    }

    static func signalName(_ signal: Int32?) -> String {
        switch signal {
        case 15: "SIGTERM"
        case 2: "SIGINT"
        case let other?: "signal \(other)"
        case nil: "none"
        }
    }
}

/// Exponential backoff from 0.5 s to 10 s, with a little jitter so that several workers
/// do not reconnect in lockstep after a database restart.
struct Backoff {
    private(set) var attempts = 0

    mutating func next() -> Duration {
        attempts += 1
        let base = min(10_000, 500 << min(attempts - 1, 5))
        return .milliseconds(base + Int.random(in: 0...(base / 5)))
    }
}
