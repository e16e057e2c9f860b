import CLinux
import Glibc
import Posix
import Synchronization

/// State shared between the server object (any thread) and its event loop.
final class ServerControl: Sendable {
    let shutdownRequested = Atomic<Bool>(false)
    let draining = Atomic<Bool>(false)
    /// Wakes the loop: workers posting results, `shutdown()`.
    let wakeup: EventFD

    init(wakeup: EventFD) {
        self.wakeup = wakeup
    }
}

/// The single I/O thread: level-triggered epoll over the listener, every connection and
/// the wakeup eventfd. It never blocks except in epoll_wait, and all connection state
/// lives here, so none of it needs a lock. It handles no signals: the executable owns
/// them and calls `HTTPServer.shutdown()`.
///
/// Split by concern: accepting (EventLoop+Accept), reading, parsing and writing
/// (EventLoop+Connections), deadlines and shutdown (EventLoop+Timers).
final class EventLoop {
    typealias Instant = ContinuousClock.Instant

    /// Past this many buffered bytes of pipelined input, reading pauses.
    static let maxBufferedInput = 64 * 1024
    /// Connections accepted beyond the limit only to be answered 503 at a time.
    static let maxRejecting = 64
    /// Pause after EMFILE and friends before accepting again.
    static let acceptPause: Duration = .milliseconds(100)
    /// Deadlines are checked at most this often; they are seconds long.
    static let sweepGranularity: Duration = .milliseconds(10)

    let configuration: HTTPServerConfiguration
    let policy: ConnectionPolicy
    let limits: HTTPRequestParser.Limits
    let errorResponse: @Sendable (Int, String) -> HTTPResponse
    let epoll: Epoll
    let control: ServerControl
    let pool: WorkerPool
    let mailbox: Mailbox
    var listenerFD: Int32?
    var listenerRegistered = false
    var acceptPausedUntil: Instant?

    /// Indexed by fd; the id in each event's token must match.
    var connections: [Connection?] = []
    var openCount = 0
    var rejectingCount = 0
    private var lastID: UInt32 = 0

    let readBuffer: UnsafeMutableRawBufferPointer
    var dateCache = HTTPDateCache()
    var results: [WorkResult] = []
    var nextSweep: Instant?
    var drainDeadline: Instant?

    init(
        configuration: HTTPServerConfiguration,
        listenerFD: Int32,
        control: ServerControl,
        pool: WorkerPool,
        mailbox: Mailbox,
        errorResponse: @escaping @Sendable (Int, String) -> HTTPResponse
    ) throws(HTTPServerError) {
        self.configuration = configuration
        self.policy = ConnectionPolicy(configuration: configuration)
        self.limits = HTTPRequestParser.Limits(
            maxHeaderBytes: configuration.maxHeaderBytes,
            maxBodyBytes: configuration.maxBodyBytes
        )
        self.errorResponse = errorResponse
        self.listenerFD = listenerFD
        self.control = control
        self.pool = pool
        self.mailbox = mailbox
        self.epoll = try Epoll()
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        epoll.add(fd: control.wakeup.fd, events: Epoll.readable, token: Epoll.token(fd: control.wakeup.fd, id: 0))
        updateListenerInterest(now: .now)
    }

    deinit {
        readBuffer.deallocate()
        if let listenerFD { close(listenerFD) }
    }

    /// Serves until shutdown is requested and drained. Returns normally after a
    /// shutdown; throws only if epoll itself fails.
    func run(onReady: () -> Void) throws(HTTPServerError) {
        onReady()
        var failure: HTTPServerError?
        while true {
            let now = Instant.now
            if control.shutdownRequested.load(ordering: .acquiring), drainDeadline == nil {
                beginDraining(now: now)
            }
            if let drainDeadline, openCount + rejectingCount == 0 || now >= drainDeadline {
                break
            }
            let count = epoll.wait(timeoutMilliseconds: waitTimeout(now: now))
            if count < 0 {
                failure = .systemCallFailed(call: "epoll_wait", errno: errno)
                break
            }
            let eventTime = Instant.now
            for index in 0..<count {
                let event = epoll.events[index]
                handle(events: event.events, token: event.data.u64, now: eventTime)
            }
            runDueTimers(now: eventTime)
        }
        closeAllConnections()
        if let failure { throw failure }
    }

    private func handle(events: UInt32, token: UInt64, now: Instant) {
        let (fd, id) = Epoll.split(token)
        if id == 0 {
            if fd == control.wakeup.fd {
                control.wakeup.drain()
                deliverResults(now: now)
            } else if fd == listenerFD {
                acceptConnections(now: now)
            }
            return
        }
        guard let connection = connection(fd: fd, id: id) else { return }  // stale event
        connectionEvent(connection, events: events, now: now)
    }

    func connection(fd: Int32, id: UInt32) -> Connection? {
        guard fd >= 0, Int(fd) < connections.count, let connection = connections[Int(fd)],
              connection.id == id
        else { return nil }
        return connection
    }

    func nextConnectionID() -> UInt32 {
        lastID &+= 1
        if lastID == 0 { lastID = 1 }  // 0 marks the loop's own descriptors
        return lastID
    }

    /// Responses from workers; a connection closed meanwhile is skipped.
    private func deliverResults(now: Instant) {
        mailbox.takeAll(into: &results)
        for result in results {
            guard let connection = connection(fd: result.fd, id: result.connectionID), connection.hasJob else {
                continue
            }
            connection.hasJob = false
            respond(connection, result.response, now: now)
            drive(connection, now: now)
        }
        results.removeAll(keepingCapacity: true)
    }

    private func waitTimeout(now: Instant) -> Int32 {
        var wake = nextSweep
        for candidate in [acceptPausedUntil, drainDeadline] {
            if let candidate, wake.map({ candidate < $0 }) ?? true { wake = candidate }
        }
        guard let wake else { return -1 }
        return (wake - now).pollTimeoutMilliseconds
    }

    func closeAllConnections() {
        if let listenerFD {
            epoll.remove(fd: listenerFD)
            close(listenerFD)
            self.listenerFD = nil
        }
        let now = Instant.now
        for case let connection? in connections {
            closeConnection(connection, now: now)
        }
    }
}
