import JSON
import OTALog
import OTAStore

/// Releases every due hold, one batch (one transaction) after another, until a batch
/// comes back short: then nothing due is left that another transaction is not holding.
struct ExpirySweeper {
    let batchSize: Int

    struct Outcome: Equatable {
        var released = 0
        var batches = 0
        /// `shouldStop` answered true between two batches.
        var interrupted = false
    }

    /// - Parameters:
    ///   - shouldStop: asked between batches (a signal arrived): the batch that committed
    ///     stays committed, the next one does not start.
    ///   - afterBatch: called after each batch (the watchdog ping).
    func sweep(_ store: ExpiryStore, shouldStop: () -> Bool, afterBatch: () -> Void) throws(StoreError) -> Outcome {
        var outcome = Outcome()
        while true {
            let released = try store.expireDueHolds(limit: batchSize)
            outcome.batches += 1
            outcome.released += released.count
            // Logged once committed, so a line never describes a release that rolled back.
            for hold in released { Self.log(hold) }
            afterBatch()
            if released.count < batchSize { return outcome }
            if shouldStop() {
                outcome.interrupted = true
                return outcome
            }
        }
    }

    static func log(_ hold: ExpiredHold) {
        Log.event("ota.reservation.expired", [
            ("reservation_id", .string(hold.reservationId)),
            ("partner_id", .number(String(hold.partnerId))),
            ("product_id", .int(hold.productId)),
            ("quantity", .int(hold.quantity)),
        ])
    }
}
