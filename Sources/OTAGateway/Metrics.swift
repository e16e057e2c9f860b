import Foundation
import HTTP
import Synchronization

/// In-process counters and histograms of this gateway, rendered in the Prometheus text
/// format together with gauges read from the database at scrape time. Labels are routes
/// (patterns, never ids), methods and statuses only, so the series stay few.
///
/// One shard per worker thread: a single shared lock was the gateway's hottest spot
/// (contended twice per request by every worker; see Benchmarks/README.md). A scrape
/// merges the shards.
final class Metrics: Sendable {
    static let shared = Metrics()
    static let shardCount = 64

    final class Shard: Sendable {
        let state = Mutex(State())
    }

    private let shards: [Shard] = (0..<Metrics.shardCount).map { _ in Shard() }

    private func shard(_ worker: Int) -> Shard { shards[(worker % Metrics.shardCount + Metrics.shardCount) % Metrics.shardCount] }

    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Series {
        var count: UInt64 = 0
        var sum: Double = 0
        var buckets = [UInt64](repeating: 0, count: Metrics.buckets.count)

        mutating func observe(_ seconds: Double) {
            count += 1
            sum += seconds
            for (i, le) in Metrics.buckets.enumerated() where seconds <= le { buckets[i] += 1 }
        }

        mutating func add(_ o: Series) {
            count += o.count
            sum += o.sum
            for i in buckets.indices { buckets[i] += o.buckets[i] }
        }
    }

    /// A minute of one route and status class, for the fleet's figures in PostgreSQL.
    struct MinuteKey: Hashable {
        var minute: Int64
        var route: String
        var statusClass: String
    }

    struct State {
        var requests: [String: Series] = [:]
        /// What this process answered per minute, until the flusher takes it (RequestFlusher).
        var minutes: [MinuteKey: Series] = [:]
        var rateLimited: UInt64 = 0
        var replays: UInt64 = 0
        var inFlight: Int = 0
    }


    func begin(worker: Int) { shard(worker).state.withLock { $0.inFlight += 1 } }

    func end(worker: Int, route: String, method: String, status: Int, seconds: Double, now: Int64 = Metrics.wallSeconds()) {
        let key = "route=\"\(Self.escape(route))\",method=\"\(Self.escape(method))\",status=\"\(status)\""
        let minute = MinuteKey(minute: now - ((now % 60) + 60) % 60, route: route, statusClass: Self.statusClass(status))
        shard(worker).state.withLock { s in
            s.inFlight -= 1
            s.requests[key, default: Series()].observe(seconds)
            s.minutes[minute, default: Series()].observe(seconds)
        }
    }

    static func statusClass(_ status: Int) -> String { "\(min(max(status / 100, 1), 5))xx" }

    static func wallSeconds() -> Int64 { Int64(time(nil)) }

    /// Takes the per-minute counts of minutes before `minute` (all of them when nil) out of
    /// every shard, added up.
    func takeMinutes(before minute: Int64?) -> [MinuteKey: Series] {
        var taken: [MinuteKey: Series] = [:]
        for shard in shards {
            let part = shard.state.withLock { s -> [MinuteKey: Series] in
                guard let minute else { defer { s.minutes.removeAll() }; return s.minutes }
                let done = s.minutes.filter { $0.key.minute < minute }
                for key in done.keys { s.minutes.removeValue(forKey: key) }
                return done
            }
            for (key, series) in part { taken[key, default: Series()].add(series) }
        }
        return taken
    }

    func rateLimited(worker: Int) { shard(worker).state.withLock { $0.rateLimited += 1 } }
    func replayed(worker: Int) { shard(worker).state.withLock { $0.replays += 1 } }

    /// Every shard added up.
    func merged() -> State {
        var total = State()
        for shard in shards {
            let s = shard.state.withLock { $0 }
            total.rateLimited += s.rateLimited
            total.replays += s.replays
            total.inFlight += s.inFlight
            for (key, series) in s.requests { total.requests[key, default: Series()].add(series) }
        }
        return total
    }

    /// This process's part of /metrics.
    func render(workers: Int) -> String {
        let s = merged()
        var out = """
            # HELP ota_http_requests_total HTTP requests answered, by route pattern, method and status.
            # TYPE ota_http_requests_total counter

            """
        let keys = s.requests.keys.sorted()
        for k in keys { out += "ota_http_requests_total{\(k)} \(s.requests[k]!.count)\n" }
        out += """
            # HELP ota_http_request_duration_seconds Time from a complete request to its response, by route, method and status.
            # TYPE ota_http_request_duration_seconds histogram

            """
        for k in keys {
            let series = s.requests[k]!
            for (i, le) in Metrics.buckets.enumerated() {
                out += "ota_http_request_duration_seconds_bucket{\(k),le=\"\(Self.number(le))\"} \(series.buckets[i])\n"
            }
            out += "ota_http_request_duration_seconds_bucket{\(k),le=\"+Inf\"} \(series.count)\n"
            out += "ota_http_request_duration_seconds_sum{\(k)} \(Self.number(series.sum))\n"
            out += "ota_http_request_duration_seconds_count{\(k)} \(series.count)\n"
        }
        out += """
            # HELP ota_rate_limit_rejections_total Requests refused with 429 by the partner rate limit.
            # TYPE ota_rate_limit_rejections_total counter
            ota_rate_limit_rejections_total \(s.rateLimited)
            # HELP ota_idempotent_replays_total Responses replayed for a repeated Idempotency-Key.
            # TYPE ota_idempotent_replays_total counter
            ota_idempotent_replays_total \(s.replays)
            # HELP ota_db_pool_in_use Worker database connections busy with a request right now.
            # TYPE ota_db_pool_in_use gauge
            ota_db_pool_in_use \(max(0, s.inFlight))
            # HELP ota_db_pool_size Worker database connections of this gateway.
            # TYPE ota_db_pool_size gauge
            ota_db_pool_size \(workers)

            """
        return out
    }

    static func escape(_ s: String) -> String {
        // Routes and methods almost never need escaping: skip Foundation's slow path.
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) else { return s }
        return s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(format: "%.6g", d)
    }
}
