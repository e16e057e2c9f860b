import Dispatch
import Foundation
import OTAStore
import Posix
import Synchronization

/// The sender threads of one worker: each takes a request, sends it (blocking in
/// libcurl, bounded by its timeouts) and hands the result back. They never touch the
/// database; the dispatcher owns the connection and records what they report.
///
/// Sendable without `@unchecked`: the queues are Mutex-protected, the semaphores and the
/// eventfd are thread-safe.
final class WebhookSenderPool: Sendable {
    private let jobs = Mutex<[OutgoingWebhook?]>([])
    private let jobAvailable = DispatchSemaphore(value: 0)
    private let results = Mutex<[AttemptResult]>([])
    /// Readable when results are waiting (the dispatcher polls it).
    let resultsReady: EventFD
    private let exited = DispatchSemaphore(value: 0)
    let count: Int

    init(count: Int, sender: WebhookSender) throws(SystemCallError) {
        self.count = count
        resultsReady = try EventFD()
        for index in 0..<count {
            let thread = Thread { [self] in self.work(sender) }
            thread.name = "webhook-sender-\(index)"
            thread.start()
        }
    }

    func submit(_ job: OutgoingWebhook) {
        jobs.withLock { $0.append(job) }
        jobAvailable.signal()
    }

    /// What finished since the last call.
    func takeResults() -> [AttemptResult] {
        resultsReady.drain()
        return results.withLock { r in
            defer { r.removeAll() }
            return r
        }
    }

    /// Lets every thread finish the request it is sending, then end; waits up to `timeout`.
    func stop(timeout: Duration) {
        jobs.withLock { queue in
            for _ in 0..<count { queue.append(nil) }
        }
        for _ in 0..<count { jobAvailable.signal() }
        let deadline = DispatchTime.now() + .milliseconds(Int(timeout.wholeMilliseconds))
        for _ in 0..<count where exited.wait(timeout: deadline) == .timedOut {
            return
        }
    }

    private func work(_ sender: WebhookSender) {
        defer { exited.signal() }
        while true {
            jobAvailable.wait()
            // nil: the stop sentinel (or, never expected, an empty queue).
            let next: OutgoingWebhook? = jobs.withLock { queue in queue.isEmpty ? nil : queue.removeFirst() }
            guard let job = next else { return }
            let result = sender.send(job)
            results.withLock { $0.append(result) }
            resultsReady.signal()
        }
    }
}
