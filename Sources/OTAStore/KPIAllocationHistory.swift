public import OTADomain
public import Postgres

extension KPIStore {
    /// Each pool's allocation at the end of each bucket (the window's end for the last),
    /// keyed "product/channel": the last change recorded in allocation_history (0020)
    /// before that moment. Before a pool's first record its first recorded allocation
    /// counts (pools older than the history were recorded as they stood at 0020); a pool
    /// with no record at all (written around the allocation functions) counts `now`.
    func allocationBuckets(_ q: Query, now: [String: Int]) throws -> [String: [Int]] {
        var history: [String: [(validFrom: Int64, allocated: Int)]] = [:]
        for row in try db.query("""
            SELECT product_id, channel, valid_from, allocated FROM allocation_history
             WHERE valid_from < \(q.to)::timestamptz
                OR valid_from = (SELECT min(h.valid_from) FROM allocation_history h
                                  WHERE h.product_id = allocation_history.product_id AND h.channel = allocation_history.channel)
             ORDER BY product_id, channel, valid_from
            """) {
            let key = "\(try row.decode("product_id", as: Int.self))/\(try row.decode("channel", as: String.self))"
            history[key, default: []].append((try row.decode("valid_from", as: Timestamp.self).microseconds,
                                              try row.decode("allocated", as: Int.self)))
        }
        let ends = Self.bucketEnds(q)
        return now.reduce(into: [:]) { out, pool in
            guard let changes = history[pool.key], let first = changes.first else {
                out[pool.key] = ends.map { _ in pool.value }
                return
            }
            out[pool.key] = ends.map { end in changes.last { $0.validFrom < end }?.allocated ?? first.allocated }
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
