public import OTADomain
public import Postgres

/// The request figures of the whole fleet: each gateway flushes what it answered per
/// minute, route and status class (request_minutes); after `minuteRetentionHours` the
/// minutes are summed over instances per hour (request_hours), which are kept
/// `hourRetentionDays`. A window reads both tables, so its figures are exact to the minute
/// over the last two days and to the hour before.
public struct RequestMetricsStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    public static let minuteRetentionHours = 48
    public static let hourRetentionDays = 90

    /// What one gateway answered in one minute for one route and status class.
    public struct MinuteCount: Sendable, Equatable {
        public var minute: Int64
        public var route: String
        public var statusClass: String
        public var requests: Int
        public var secondsSum: Double
        /// Cumulative counts per bucket bound (requests taking at most that long).
        public var buckets: [Int]

        /// `minute`: seconds since the epoch, a multiple of 60.
        public init(minute: Int64, route: String, statusClass: String, requests: Int, secondsSum: Double, buckets: [Int]) {
            self.minute = minute
            self.route = route
            self.statusClass = statusClass
            self.requests = requests
            self.secondsSum = secondsSum
            self.buckets = buckets
        }
    }

    /// Adds the counts of one gateway to its rows: one statement for the whole flush.
    /// Adding (not replacing) makes a retried flush of a minute already partly written
    /// count only what is new, as long as the caller sends each count once.
    public func flush(instance: String, bounds: [Double], counts: [MinuteCount]) throws(StoreError) {
        guard !counts.isEmpty else { return }
        let buckets = counts.map { "{" + $0.buckets.map(String.init).joined(separator: ",") + "}" }
        try storeCall {
            try db.query("""
                INSERT INTO request_minutes AS m (minute, instance, route, status_class, requests, seconds_sum, le_seconds, buckets)
                SELECT to_timestamp(u.minute), \(instance), u.route, u.class, u.n, u.s, \(bounds)::float8[], u.b::bigint[]
                  FROM unnest(\(counts.map(\.minute))::bigint[], \(counts.map(\.route))::text[], \(counts.map(\.statusClass))::text[],
                              \(counts.map(\.requests))::bigint[], \(counts.map(\.secondsSum))::float8[], \(buckets)::text[])
                       AS u(minute, route, class, n, s, b)
                ON CONFLICT (minute, instance, route, status_class) DO UPDATE
                   SET requests = m.requests + EXCLUDED.requests, seconds_sum = m.seconds_sum + EXCLUDED.seconds_sum,
                       buckets = (SELECT array_agg(x + y ORDER BY i) FROM unnest(m.buckets, EXCLUDED.buckets) WITH ORDINALITY AS z(x, y, i))
                """)
        }
    }

    /// Rolls minutes older than the retention into hours (one statement: what is deleted is
    /// what is added, even with several gateways doing it at once) and deletes hours older
    /// than theirs. Returns the minutes rolled up and the hours deleted.
    @discardableResult
    public func rollUp(minuteRetentionHours: Int = minuteRetentionHours,
                       hourRetentionDays: Int = hourRetentionDays) throws(StoreError) -> (minutes: Int, hours: Int) {
        try storeCall {
            let rolled = try db.query("""
                WITH gone AS (
                    DELETE FROM request_minutes
                     WHERE minute < date_trunc('hour', now() - make_interval(hours => \(minuteRetentionHours)))
                    RETURNING date_trunc('hour', minute) AS hour, route, status_class, requests, seconds_sum, le_seconds, buckets),
                sums AS (
                    SELECT hour, route, status_class, sum(requests)::bigint AS requests, sum(seconds_sum) AS seconds_sum,
                           count(*) AS rows
                      FROM gone GROUP BY 1, 2, 3),
                -- One histogram layout per hour and route: the one most of its requests had
                -- (a build with other bounds leaves its requests out of the buckets only).
                layout AS (
                    SELECT DISTINCT ON (hour, route, status_class) hour, route, status_class, le_seconds
                      FROM gone GROUP BY 1, 2, 3, 4 ORDER BY hour, route, status_class, sum(requests) DESC),
                bucket_sums AS (
                    SELECT hour, route, status_class, array_agg(s ORDER BY i) AS buckets FROM (
                        SELECT g.hour, g.route, g.status_class, u.i, sum(u.b)::bigint AS s
                          FROM gone g JOIN layout l USING (hour, route, status_class, le_seconds),
                               unnest(g.buckets) WITH ORDINALITY AS u(b, i)
                         GROUP BY 1, 2, 3, 4) x
                     GROUP BY 1, 2, 3),
                per_hour AS (
                    SELECT s.hour, s.route, s.status_class, s.requests, s.seconds_sum, s.rows, l.le_seconds, b.buckets
                      FROM sums s JOIN layout l USING (hour, route, status_class) JOIN bucket_sums b USING (hour, route, status_class)),
                added AS (
                    INSERT INTO request_hours AS h (hour, route, status_class, requests, seconds_sum, le_seconds, buckets)
                    SELECT hour, route, status_class, requests, seconds_sum, le_seconds, buckets FROM per_hour
                    ON CONFLICT (hour, route, status_class) DO UPDATE
                       SET requests = h.requests + EXCLUDED.requests, seconds_sum = h.seconds_sum + EXCLUDED.seconds_sum,
                           buckets = CASE WHEN h.le_seconds = EXCLUDED.le_seconds
                                          THEN (SELECT array_agg(x + y ORDER BY i) FROM unnest(h.buckets, EXCLUDED.buckets) WITH ORDINALITY AS z(x, y, i))
                                          ELSE h.buckets END
                    RETURNING 1)
                SELECT coalesce((SELECT sum(rows) FROM per_hour), 0)::int AS minutes, (SELECT count(*) FROM added)::int AS hours
                """).first?.decode("minutes", as: Int.self) ?? 0
            let deleted = try db.query("""
                DELETE FROM request_hours WHERE hour < now() - make_interval(days => \(hourRetentionDays))
                """).affectedRows
            return (rolled, deleted)
        }
    }

    /// Per route over [from, to): requests, 4xx, 5xx and latency quantiles, summed over
    /// both tables (minutes in the window, and hours that start in it).
    func routes(from: Timestamp, to: Timestamp) throws -> [KPI.Route] {
        var byRoute: [String: (KPI.Route, bounds: [Double], buckets: [Int])] = [:]
        for row in try db.query("""
            WITH rows AS (
                SELECT route, status_class, requests, seconds_sum, le_seconds, buckets FROM request_minutes
                 WHERE minute >= \(from)::timestamptz AND minute < \(to)::timestamptz
                UNION ALL
                SELECT route, status_class, requests, seconds_sum, le_seconds, buckets FROM request_hours
                 WHERE hour >= \(from)::timestamptz AND hour < \(to)::timestamptz)
            SELECT r.route, r.status_class, r.le_seconds, sum(r.requests)::bigint AS requests, sum(r.seconds_sum) AS seconds_sum,
                   (SELECT array_agg(s ORDER BY i) FROM (
                       SELECT i, sum(b)::bigint AS s FROM rows r2, unnest(r2.buckets) WITH ORDINALITY AS u(b, i)
                        WHERE r2.route = r.route AND r2.status_class = r.status_class AND r2.le_seconds = r.le_seconds
                        GROUP BY i) t) AS buckets
              FROM rows r GROUP BY 1, 2, 3 ORDER BY 1, 2
            """) {
            let route: String = try row.decode("route")
            let cls: String = try row.decode("status_class")
            let n: Int = try row.decode("requests")
            let bounds: [Double] = try row.decode("le_seconds")
            let buckets: [Int] = try row.decode("buckets")
            var entry = byRoute[route] ?? (KPI.Route(route: route), bounds, [Int](repeating: 0, count: bounds.count))
            entry.0.requests += n
            entry.0.secondsSum += try row.decode("seconds_sum", as: Double.self)
            if cls == "4xx" { entry.0.clientErrors += n }
            if cls == "5xx" { entry.0.serverErrors += n }
            // Rows of another histogram layout (another build) count, but only one layout
            // can be merged for the quantiles.
            if bounds == entry.bounds, buckets.count == entry.buckets.count {
                for i in buckets.indices { entry.buckets[i] += buckets[i] }
            }
            byRoute[route] = entry
        }
        return byRoute.values.map { entry in
            var r = entry.0
            let total = entry.buckets.last.map { max($0, 0) } ?? 0
            // Requests slower than the last bound are in no finite bucket: count them in.
            let count = max(total, r.requests)
            r.p50 = Self.quantile(0.5, bounds: entry.bounds, buckets: entry.buckets, count: count)
            r.p99 = Self.quantile(0.99, bounds: entry.bounds, buckets: entry.buckets, count: count)
            return r
        }.sorted { ($0.requests, $1.route) > ($1.requests, $0.route) }
    }

    /// The q-quantile of a histogram given as cumulative counts per upper bound, as
    /// Prometheus' histogram_quantile estimates it: linear within the bucket that holds
    /// the rank; past the last finite bound, that bound. nil without observations.
    public static func quantile(_ q: Double, bounds: [Double], buckets: [Int], count: Int) -> Double? {
        guard count > 0, bounds.count == buckets.count, !bounds.isEmpty else { return nil }
        let rank = q * Double(count)
        var previousBound = 0.0
        var previousCount = 0
        for (bound, cumulative) in zip(bounds, buckets) {
            if Double(cumulative) >= rank {
                let inBucket = cumulative - previousCount
                guard inBucket > 0 else { return bound }
                return previousBound + (bound - previousBound) * (rank - Double(previousCount)) / Double(inBucket)
            }
            previousBound = bound
            previousCount = cumulative
        }
        return bounds.last
    }
}
