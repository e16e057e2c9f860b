import Dispatch
import Foundation
import Posix
import Synchronization

/// A request on its way to a worker.
struct Job: Sendable {
    let connectionID: UInt32
    let fd: Int32
    let request: HTTPRequest
    let enqueuedAt: ContinuousClock.Instant
}

/// N plain threads (not Swift concurrency tasks: the cooperative pool has only two
/// threads here and handlers block on PostgreSQL) taking jobs from a bounded queue.
/// Each worker creates its handler on its own thread and keeps it there, so a handler
/// may own a connection that must not cross threads.
final class WorkerPool: Sendable {
    private struct State {
        var queue = JobQueue()
        var stopped = false
        /// Workers asleep on `wake`, and wake-ups sent but not yet taken. A worker is
        /// woken only when none is already on its way: a worker that just finished takes
        /// the next job without sleeping, which saves a futex wake and a context switch
        /// per request under load.
        var sleeping = 0
        var wakesInFlight = 0
    }

    private enum Next {
        case job(Job)
        case sleep
        case stop
    }

    private let state = PlainMutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchGroup()
    private let capacity: Int
    private let maxQueueWait: Duration
    private let mailbox: Mailbox
    private let errorResponse: @Sendable (Int, String) -> HTTPResponse
    private let workerCount: Int

    init(
        workerCount: Int,
        capacity: Int,
        maxQueueWait: Duration,
        mailbox: Mailbox,
        errorResponse: @escaping @Sendable (Int, String) -> HTTPResponse
    ) {
        self.workerCount = max(1, workerCount)
        self.capacity = max(1, capacity)
        self.maxQueueWait = maxQueueWait
        self.mailbox = mailbox
        self.errorResponse = errorResponse
    }

    func start(makeHandler: @escaping @Sendable (Int) -> any HTTPRequestHandler) {
        for index in 0..<workerCount {
            exited.enter()
            let thread = Thread { [self] in
                work(index: index, makeHandler: makeHandler)
                exited.leave()
            }
            thread.name = "http-worker-\(index)"
            thread.start()
        }
    }

    /// Queues a job; false when the queue is full (the caller answers 503).
    func submit(_ job: Job) -> Bool {
        let (accepted, wakeOne) = state.withLock { state in
            guard !state.stopped, state.queue.count < capacity else { return (false, false) }
            state.queue.push(job)
            guard state.sleeping > state.wakesInFlight else { return (true, false) }
            state.wakesInFlight += 1
            return (true, true)
        }
        if wakeOne { wake.signal() }
        return accepted
    }

    /// Drops a queued job whose connection closed, so a client that gave up costs no
    /// handler time. A job already running just finishes; its result is discarded.
    func cancel(connectionID: UInt32) {
        state.withLock { $0.queue.remove(connectionID: connectionID) }
    }

    /// Asks every worker to exit after its current job; queued jobs are dropped.
    func stop() {
        state.withLock { $0.stopped = true }
        for _ in 0..<workerCount { wake.signal() }
    }

    /// Waits until every worker has exited or the deadline passes; true if they all did.
    func waitForExit(until deadline: ContinuousClock.Instant) -> Bool {
        let remaining = min(max(.zero, deadline - .now), .seconds(86_400))
        return exited.wait(timeout: .now() + .nanoseconds(Int(remaining.wholeNanoseconds))) == .success
    }

    private func work(index: Int, makeHandler: @Sendable (Int) -> any HTTPRequestHandler) {
        let handler = makeHandler(index)
        while true {
            let next: Next = state.withLock { state in
                if state.stopped { return .stop }
                if let job = state.queue.pop() { return .job(job) }
                state.sleeping += 1
                return .sleep
            }
            let job: Job
            switch next {
            case .stop:
                return
            case .sleep:
                wake.wait()
                state.withLock { state in
                    state.sleeping -= 1
                    state.wakesInFlight = max(0, state.wakesInFlight - 1)
                }
                continue
            case .job(let next):
                job = next
            }
            let response: HTTPResponse
            if ContinuousClock.now - job.enqueuedAt > maxQueueWait {
                var overloaded = errorResponse(503, "The request waited too long for a worker.")
                if !overloaded.headers.contains("Retry-After") { overloaded.headers.add("Retry-After", "1") }
                response = overloaded
            } else {
                response = handler.handle(job.request)
            }
            mailbox.post(WorkResult(connectionID: job.connectionID, fd: job.fd, response: response))
        }
    }
}

/// A FIFO of jobs: an array with a moving head, compacted now and then; cancelled jobs
/// leave a hole that `pop` skips.
struct JobQueue {
    private var slots: [Job?] = []
    private var head = 0
    private(set) var count = 0

    mutating func push(_ job: Job) {
        slots.append(job)
        count += 1
    }

    mutating func pop() -> Job? {
        while head < slots.count {
            let job = slots[head]
            slots[head] = nil
            head += 1
            if let job {
                count -= 1
                compactIfWorthIt()
                return job
            }
        }
        compactIfWorthIt()
        return nil
    }

    mutating func remove(connectionID: UInt32) {
        for index in head..<slots.count where slots[index]?.connectionID == connectionID {
            slots[index] = nil
            count -= 1
        }
    }

    private mutating func compactIfWorthIt() {
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= slots.count {
            slots.removeSubrange(0..<head)
            head = 0
        }
    }
}
