import Foundation
import OTALog
import OTAStore
import Postgres
import Synchronization
import JSON

/// Writes this gateway's per-minute request counts to PostgreSQL (request_minutes), from a
/// thread of its own, never on the request path: every `interval` it takes the finished
/// minutes out of Metrics and adds them in one statement (one row per route and status
/// class per minute). When the database is away the counts wait (at most `maxPendingMinutes`
/// minutes of them; older ones are dropped and logged). About once an hour it also rolls
/// old minutes up into hours and deletes what is past retention. `stop()` flushes what is
/// left, the current minute included, so a gateway that drains loses nothing.
final class RequestFlusher: Sendable {
    let postgres: PostgresConfiguration
    let instance: String
    let interval: Duration
    static let maxPendingMinutes = 120
    static let rollUpEvery: Duration = .seconds(3600)

    private let stopped = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(postgres: PostgresConfiguration, instance: String, interval: Duration) {
        self.postgres = postgres
        self.instance = instance
        self.interval = interval
    }

    static func defaultInstance() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0 ? String(cString: name) : "gateway"
        return "\(host.prefix(80))-\(getpid())"
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "request-flusher"
        thread.start()
    }

    /// Stops the thread after a last flush of everything; waits for it (bounded).
    func stop(timeout: Duration = .seconds(10)) {
        stopped.store(true, ordering: .releasing)
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        _ = done.wait(timeout: .now() + seconds)
    }

    private func run() {
        var connection: PostgresConnection?
        var pending: [Metrics.MinuteKey: Metrics.Series] = [:]
        var nextFlush = ContinuousClock.now + interval
        // The first roll-up a little after start, then hourly; each gateway does its own,
        // which is harmless (what one deletes, another no longer sees).
        var nextRollUp = ContinuousClock.now + .seconds(30)
        while true {
            let stopping = stopped.load(ordering: .acquiring)
            let now = ContinuousClock.now
            if stopping || now >= nextFlush {
                let minute = Metrics.wallSeconds()
                let before = stopping ? nil : minute - ((minute % 60) + 60) % 60
                for (key, series) in Metrics.shared.takeMinutes(before: before) { pending[key, default: Metrics.Series()].add(series) }
                flush(&pending, connection: &connection)
                if !stopping, now >= nextRollUp {
                    rollUp(connection: &connection)
                    nextRollUp = now + Self.rollUpEvery
                }
                nextFlush = now + interval
            }
            if stopping { break }
            // Short naps so that stop() takes effect at once.
            usleep(50_000)
        }
        connection?.close()
        done.signal()
    }

    private func database(_ connection: inout PostgresConnection?) -> PostgresConnection? {
        if let c = connection { return c }
        connection = try? PostgresConnection(postgres)
        return connection
    }

    private func flush(_ pending: inout [Metrics.MinuteKey: Metrics.Series], connection: inout PostgresConnection?) {
        guard !pending.isEmpty else { return }
        let counts = pending.map { key, s in
            RequestMetricsStore.MinuteCount(minute: key.minute, route: key.route, statusClass: key.statusClass, requests: Int(s.count),
                                            secondsSum: s.sum, buckets: s.buckets.map { Int($0) })
        }
        do {
            guard let db = database(&connection) else { throw StoreError.unavailable("no connection") }
            try RequestMetricsStore(db).flush(instance: instance, bounds: Metrics.buckets, counts: counts)
            pending.removeAll()
        } catch {
            connection?.close()
            connection = nil
            let newest = pending.keys.map(\.minute).max() ?? 0
            let old = pending.keys.filter { $0.minute < newest - Int64(Self.maxPendingMinutes * 60) }
            for key in old { pending.removeValue(forKey: key) }
            Log.event("request_counts.flush_failed", [("error", .string(String(describing: error))), ("pending_rows", .int(pending.count)),
                                                      ("dropped_rows", .int(old.count))], level: "warn")
        }
    }

    private func rollUp(connection: inout PostgresConnection?) {
        guard let db = database(&connection) else { return }
        do {
            let done = try RequestMetricsStore(db).rollUp()
            if done.minutes > 0 || done.hours > 0 {
                Log.event("request_counts.rolled_up", [("minute_rows", .int(done.minutes)), ("hour_rows_deleted", .int(done.hours))])
            }
        } catch {
            connection?.close()
            connection = nil
            Log.event("request_counts.roll_up_failed", [("error", .string(String(describing: error)))], level: "warn")
        }
    }
}
