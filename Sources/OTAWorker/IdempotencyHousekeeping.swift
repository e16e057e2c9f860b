import JSON
import OTALog
import OTAStore

/// Deletes idempotency records past their retention, at most once per interval and in
/// bounded statements, so a backlog is worked off over several rounds without ever
/// keeping expired holds waiting for long.
struct IdempotencyHousekeeping {
    let retentionHours: Int
    let interval: Duration
    let batchSize: Int
    let maxBatchesPerRound: Int
    private(set) var lastRound: ContinuousClock.Instant?

    init(retentionHours: Int, interval: Duration, batchSize: Int, maxBatchesPerRound: Int) {
        self.retentionHours = retentionHours
        self.interval = interval
        self.batchSize = max(1, batchSize)
        self.maxBatchesPerRound = max(1, maxBatchesPerRound)
    }

    func isDue(at now: ContinuousClock.Instant) -> Bool {
        guard let lastRound else { return true }
        return now - lastRound >= interval
    }

    /// Runs a round when one is due; returns the number of records deleted (nil when no
    /// round was due). A failed round counts as a round: it is tried again next interval.
    mutating func runIfDue(_ store: ExpiryStore, now: ContinuousClock.Instant,
                           shouldStop: () -> Bool) throws(StoreError) -> Int? {
        guard isDue(at: now) else { return nil }
        lastRound = now
        var deleted = 0
        for _ in 0..<maxBatchesPerRound {
            let count = try store.purgeIdempotencyRecords(olderThanHours: retentionHours, limit: batchSize)
            deleted += count
            if count < batchSize || shouldStop() { break }
        }
        if deleted > 0 {
            Log.event("ota.idempotency.purged", [("deleted", .int(deleted)), ("retention_hours", .int(retentionHours))])
        }
        return deleted
    }
}
