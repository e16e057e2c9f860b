public import OTADomain
public import Postgres

extension KPI {
    public enum Metric: String, Sendable, CaseIterable {
        /// made, activated, cancelled, expired per bucket.
        case holds
        /// activation_rate and expiry_rate over the holds that ended in each bucket.
        case rates
        /// (reserved + sold) / allocated per pool at the end of each bucket.
        case utilisation
        /// Tickets issued per bucket, from holds and from batches.
        case sold
        /// gross, commission, net billed per bucket.
        case billing
        /// requests, 4xx, 5xx and the 5xx rate per bucket, over every gateway.
        case requests
    }

    public enum Step: String, Sendable, CaseIterable {
        case day, hour
        public var seconds: Int64 { self == .day ? 86_400 : 3_600 }
    }

    public struct Series: Sendable, Equatable {
        public var name: String
        /// One value per bucket; nil where it is undefined (a rate with nothing to divide).
        public var values: [Double?]
        /// Values are currency amounts (exact cents, shown with two decimals).
        public var isMoney = false
    }

    /// Buckets of `step` in UTC, from the one holding `from` up to `to`; each bucket's
    /// figures count what happened in it and inside [from, to).
    public struct SeriesReport: Sendable {
        public var metric: Metric
        public var step: Step
        public var from: Timestamp
        public var to: Timestamp
        public var starts: [Timestamp]
        public var series: [Series]
    }
}

extension KPIStore {
    public func series(_ metric: KPI.Metric, step: KPI.Step, from: Timestamp, to: Timestamp,
                       filter: KPI.Filter) throws(StoreError) -> KPI.SeriesReport {
        let first = Self.floor(from.microseconds / 1_000_000, step.seconds)
        var starts: [Int64] = []
        var b = first
        while b * 1_000_000 < to.microseconds { starts.append(b); b += step.seconds }
        let index = Dictionary(uniqueKeysWithValues: starts.enumerated().map { ($1, $0) })
        let q = Query(from: from, to: to, step: step.seconds, filter: filter, index: index, count: starts.count)
        let series: [KPI.Series] = try storeCall {
            try db.transaction(isolation: .repeatableRead) { () throws -> [KPI.Series] in
                try db.execute(unescaped: "SET TRANSACTION READ ONLY")
                switch metric {
                case .holds:
                    let (made, ended) = try holdBuckets(q)
                    return [KPI.Series(name: "made", values: made), KPI.Series(name: "activated", values: ended.activated),
                            KPI.Series(name: "cancelled", values: ended.cancelled), KPI.Series(name: "expired", values: ended.expired)]
                case .rates:
                    let ended = try holdBuckets(q).ended
                    func rate(_ part: [Double?]) -> [Double?] {
                        starts.indices.map { i in
                            let total = (ended.activated[i] ?? 0) + (ended.cancelled[i] ?? 0) + (ended.expired[i] ?? 0)
                            return total > 0 ? (part[i] ?? 0) / total : nil
                        }
                    }
                    return [KPI.Series(name: "activation_rate", values: rate(ended.activated)),
                            KPI.Series(name: "expiry_rate", values: rate(ended.expired))]
                case .sold: return try soldBuckets(q)
                case .billing: return try billingBuckets(q)
                case .utilisation: return try utilisationBuckets(q)
                case .requests: return try requestBuckets(q)
                }
            }
        }
        return KPI.SeriesReport(metric: metric, step: step, from: from, to: to,
                                starts: starts.map { Timestamp(seconds: $0) }, series: series)
    }

    static func floor(_ seconds: Int64, _ step: Int64) -> Int64 { seconds - ((seconds % step) + step) % step }

    struct Query {
        var from: Timestamp
        var to: Timestamp
        var step: Int64
        var filter: KPI.Filter
        var index: [Int64: Int]
        var count: Int

        var zeros: [Double?] { [Double?](repeating: 0, count: count) }

        /// Adds `value` to the bucket starting at `start` (rows outside the buckets are none).
        func add(_ values: inout [Double?], _ start: Int64, _ value: Double) {
            guard let i = index[start] else { return }
            values[i] = (values[i] ?? 0) + value
        }
    }

    func holdBuckets(_ q: Query) throws -> (made: [Double?], ended: (activated: [Double?], cancelled: [Double?], expired: [Double?])) {
        var made = q.zeros, activated = q.zeros, cancelled = q.zeros, expired = q.zeros
        for row in try db.query("""
            SELECT (floor(extract(epoch FROM created_at) / \(q.step)) * \(q.step))::bigint AS b, count(*)::int AS n FROM reservations
             WHERE created_at >= \(q.from)::timestamptz AND created_at < \(q.to)::timestamptz
               AND (\(q.filter.productId)::int IS NULL OR product_id = \(q.filter.productId)::int)
               AND (\(q.filter.partnerId)::bigint IS NULL OR partner_id = \(q.filter.partnerId)::bigint)
             GROUP BY 1
            """) {
            q.add(&made, try row.decode("b"), Double(try row.decode("n", as: Int.self)))
        }
        for row in try db.query("""
            SELECT (floor(extract(epoch FROM ended_at) / \(q.step)) * \(q.step))::bigint AS b, status, count(*)::int AS n FROM reservations
             WHERE ended_at >= \(q.from)::timestamptz AND ended_at < \(q.to)::timestamptz
               AND (\(q.filter.productId)::int IS NULL OR product_id = \(q.filter.productId)::int)
               AND (\(q.filter.partnerId)::bigint IS NULL OR partner_id = \(q.filter.partnerId)::bigint)
             GROUP BY 1, 2
            """) {
            let n = Double(try row.decode("n", as: Int.self))
            switch try row.decode("status", as: String.self) {
            case "activated": q.add(&activated, try row.decode("b"), n)
            case "cancelled": q.add(&cancelled, try row.decode("b"), n)
            case "expired": q.add(&expired, try row.decode("b"), n)
            default: break
            }
        }
        return (made, (activated, cancelled, expired))
    }

    func soldBuckets(_ q: Query) throws -> [KPI.Series] {
        var holds = q.zeros, batches = q.zeros
        for row in try db.query("""
            SELECT (floor(extract(epoch FROM created_at) / \(q.step)) * \(q.step))::bigint AS b, order_id IS NOT NULL AS from_hold,
                   count(*)::int AS n FROM tickets
             WHERE created_at >= \(q.from)::timestamptz AND created_at < \(q.to)::timestamptz
               AND (\(q.filter.productId)::int IS NULL OR product_id = \(q.filter.productId)::int)
               AND (\(q.filter.partnerId)::bigint IS NULL OR partner_id = \(q.filter.partnerId)::bigint)
             GROUP BY 1, 2
            """) {
            let n = Double(try row.decode("n", as: Int.self))
            if try row.decode("from_hold", as: Bool.self) { q.add(&holds, try row.decode("b"), n) } else { q.add(&batches, try row.decode("b"), n) }
        }
        return [KPI.Series(name: "from_holds", values: holds), KPI.Series(name: "from_batches", values: batches)]
    }

    func billingBuckets(_ q: Query) throws -> [KPI.Series] {
        var gross = q.zeros, commission = q.zeros, net = q.zeros
        for row in try db.query("""
            SELECT (floor(extract(epoch FROM billed_at) / \(q.step)) * \(q.step))::bigint AS b,
                   sum(amount) AS gross, sum(commission) AS commission, sum(net) AS net FROM billing_lines
             WHERE billed_at >= \(q.from)::timestamptz AND billed_at < \(q.to)::timestamptz
               AND (\(q.filter.productId)::int IS NULL OR product_id = \(q.filter.productId)::int)
               AND (\(q.filter.partnerId)::bigint IS NULL OR partner_id = \(q.filter.partnerId)::bigint)
             GROUP BY 1
            """) {
            let b: Int64 = try row.decode("b")
            // Cents as Double are exact far beyond any real total (2^53).
            q.add(&gross, b, Double(try row.decode("gross", as: Money.self).cents))
            q.add(&commission, b, Double(try row.decode("commission", as: Money.self).cents))
            q.add(&net, b, Double(try row.decode("net", as: Money.self).cents))
        }
        return [KPI.Series(name: "gross", values: gross, isMoney: true), KPI.Series(name: "commission", values: commission, isMoney: true),
                KPI.Series(name: "net", values: net, isMoney: true)]
    }

    /// reserved + sold of each pool at the end of each bucket (or now, for the current
    /// one): what was held or sold at `from`, plus every change since, bucket by bucket.
    /// Divided by the pool's allocation at the end of the bucket (allocation_history).
    func utilisationBuckets(_ q: Query) throws -> [KPI.Series] {
        let pools = try pools(productId: q.filter.productId)
        let allocations = try allocationBuckets(q, now: Dictionary(pools.map { ("\($0.productId)/\($0.channel)", $0.allocated) },
                                                                   uniquingKeysWith: { a, _ in a }))
        var taken: [String: [Double]] = [:]
        var baseline: [String: Double] = [:]
        func key(_ row: PostgresRow) throws -> String { "\(try row.decode("product_id", as: Int.self))/\(try row.decode("channel", as: String.self))" }
        for row in try db.query("""
            SELECT product_id, channel, sum(n)::bigint AS n FROM (
                SELECT product_id, channel, quantity AS n FROM reservations
                 WHERE created_at < \(q.from)::timestamptz AND (ended_at IS NULL OR ended_at >= \(q.from)::timestamptz)
                UNION ALL
                SELECT product_id, channel, 1 FROM tickets
                 WHERE created_at < \(q.from)::timestamptz AND (cancelled_at IS NULL OR cancelled_at >= \(q.from)::timestamptz)) x
             WHERE (\(q.filter.productId)::int IS NULL OR product_id = \(q.filter.productId)::int)
             GROUP BY 1, 2
            """) {
            baseline[try key(row)] = Double(try row.decode("n", as: Int.self))
        }
        for row in try db.query("""
            SELECT product_id, channel, (floor(extract(epoch FROM t) / \(q.step)) * \(q.step))::bigint AS b, sum(n)::bigint AS n FROM (
                SELECT product_id, channel, created_at AS t, quantity AS n FROM reservations
                 WHERE created_at >= \(q.from)::timestamptz AND created_at < \(q.to)::timestamptz
                UNION ALL
                SELECT product_id, channel, ended_at, -quantity FROM reservations
                 WHERE ended_at >= \(q.from)::timestamptz AND ended_at < \(q.to)::timestamptz
                UNION ALL
                SELECT product_id, channel, created_at, 1 FROM tickets
                 WHERE created_at >= \(q.from)::timestamptz AND created_at < \(q.to)::timestamptz
                UNION ALL
                SELECT product_id, channel, cancelled_at, -1 FROM tickets
                 WHERE cancelled_at >= \(q.from)::timestamptz AND cancelled_at < \(q.to)::timestamptz) x
             WHERE (\(q.filter.productId)::int IS NULL OR product_id = \(q.filter.productId)::int)
             GROUP BY 1, 2, 3
            """) {
            let k = try key(row)
            guard let i = q.index[try row.decode("b", as: Int64.self)] else { continue }
            taken[k, default: [Double](repeating: 0, count: q.count)][i] += Double(try row.decode("n", as: Int.self))
        }
        return pools.map { pool in
            let k = "\(pool.productId)/\(pool.channel)"
            var running = baseline[k] ?? 0
            let deltas = taken[k] ?? [Double](repeating: 0, count: q.count)
            let allocated = allocations[k] ?? []
            let values: [Double?] = deltas.indices.map { i in
                running += deltas[i]
                let units = i < allocated.count ? allocated[i] : pool.allocated
                return units > 0 ? running / Double(units) : nil
            }
            return KPI.Series(name: k, values: values)
        }
    }

    func requestBuckets(_ q: Query) throws -> [KPI.Series] {
        var all = q.zeros, client = q.zeros, server = q.zeros
        for row in try db.query("""
            SELECT (floor(extract(epoch FROM t) / \(q.step)) * \(q.step))::bigint AS b, status_class, sum(requests)::bigint AS n FROM (
                SELECT minute AS t, status_class, requests FROM request_minutes
                 WHERE minute >= \(q.from)::timestamptz AND minute < \(q.to)::timestamptz
                UNION ALL
                SELECT hour, status_class, requests FROM request_hours
                 WHERE hour >= \(q.from)::timestamptz AND hour < \(q.to)::timestamptz) x
             GROUP BY 1, 2
            """) {
            let b: Int64 = try row.decode("b")
            let n = Double(try row.decode("n", as: Int.self))
            q.add(&all, b, n)
            switch try row.decode("status_class", as: String.self) {
            case "4xx": q.add(&client, b, n)
            case "5xx": q.add(&server, b, n)
            default: break
            }
        }
        let rate: [Double?] = all.indices.map { i in (all[i] ?? 0) > 0 ? (server[i] ?? 0) / (all[i] ?? 1) : nil }
        return [KPI.Series(name: "requests", values: all), KPI.Series(name: "4xx", values: client),
                KPI.Series(name: "5xx", values: server), KPI.Series(name: "error_rate", values: rate)]
    }
}
