public import OTADomain
public import Postgres

extension KPIStore {
    /// Each pool's allocation at the end of each bucket (the window's end for the last),
    /// keyed "product/channel": the last change recorded in allocation_history (0020)
    /// before that moment. Before a pool's first record its first recorded allocation
    /// counts (pools older than the history were recorded as they stood at 0020); a bucket
    /// that ends at or after the database's now counts the allocation the pool has (`now`),
    /// as does a pool with no record at all.
    func allocationBuckets(_ q: Query, now: [String: Int]) throws -> [String: [Int]] {
        var history: [String: [(validFrom: Int64, allocated: Int)]] = [:]
        // Per pool: the changes inside the window, the last one before it and the first one
        // (only those decide a bucket), not the whole history.
        for row in try db.query("""
            SELECT product_id, channel, valid_from, allocated FROM allocation_history h
             WHERE (\(q.filter.productId)::int IS NULL OR h.product_id = \(q.filter.productId)::int)
               AND ((h.valid_from >= \(q.from)::timestamptz AND h.valid_from < \(q.to)::timestamptz)
                    OR h.valid_from = (SELECT max(p.valid_from) FROM allocation_history p
                                        WHERE p.product_id = h.product_id AND p.channel = h.channel
                                          AND p.valid_from < \(q.from)::timestamptz)
                    OR h.valid_from = (SELECT min(p.valid_from) FROM allocation_history p
                                        WHERE p.product_id = h.product_id AND p.channel = h.channel))
             ORDER BY product_id, channel, valid_from
            """) {
            let key = "\(try row.decode("product_id", as: Int.self))/\(try row.decode("channel", as: String.self))"
            history[key, default: []].append((try row.decode("valid_from", as: Timestamp.self).microseconds,
                                              try row.decode("allocated", as: Int.self)))
        }
        let databaseNow = try db.query("SELECT now() AS now").first?.decode("now", as: Timestamp.self).microseconds ?? Int64.max
        let ends = Self.bucketEnds(q)
        return now.reduce(into: [:]) { out, pool in
            guard let changes = history[pool.key], let first = changes.first else {
                out[pool.key] = ends.map { _ in pool.value }
                return
            }
            out[pool.key] = ends.map { end in
                end >= databaseNow ? pool.value : changes.last { $0.validFrom < end }?.allocated ?? first.allocated
            }
        }
    }

    /// The end of each bucket in microseconds: its start + step, the window's end for the last.
    static func bucketEnds(_ q: Query) -> [Int64] {
        var ends = [Int64](repeating: q.to.microseconds, count: q.count)
        for (start, i) in q.index {
            ends[i] = min((start + q.step) * 1_000_000, q.to.microseconds)
        }
        return ends
    }
}
