import Posix
import Synchronization

/// Results travelling from workers to the event loop.
struct WorkResult: Sendable {
    let connectionID: UInt32
    let fd: Int32
    let response: HTTPResponse
}

/// The workers' outbox: a locked array plus the eventfd. Only the post that finds the
/// box empty writes the eventfd, because the loop always takes everything at once.
final class Mailbox: Sendable {
    let wakeup: EventFD
    private let results = PlainMutex<[WorkResult]>([])

    init(wakeup: EventFD) {
        self.wakeup = wakeup
    }

    func post(_ result: WorkResult) {
        let wasEmpty = results.withLock { results in
            results.append(result)
            return results.count == 1
        }
        if wasEmpty { wakeup.signal() }
    }

    /// Moves all posted results into `into` (which should be empty; its capacity is reused).
    func takeAll(into batch: inout [WorkResult]) {
        results.withLock { results in
            swap(&results, &batch)
        }
    }
}
