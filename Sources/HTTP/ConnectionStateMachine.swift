/// Limits that govern one connection's life.
struct ConnectionPolicy: Sendable {
    /// From the first byte of a request to its last byte (for the first request of a
    /// connection: from accept); then 408 and close.
    var requestReadTimeout: Duration
    /// Keep-alive wait for the first byte of the next request; then close silently.
    var idleTimeout: Duration
    /// How long a pending write may make no progress; then close.
    var writeTimeout: Duration
    /// After the last response, how long to keep reading (and discarding) before closing,
    /// so unread request bytes do not turn the close into a reset that eats the response.
    var lingerTimeout: Duration
    var maxRequests: Int

    init(configuration: HTTPServerConfiguration, lingerTimeout: Duration = .seconds(2)) {
        requestReadTimeout = configuration.requestReadTimeout
        idleTimeout = configuration.idleTimeout
        writeTimeout = configuration.writeTimeout
        self.lingerTimeout = lingerTimeout
        maxRequests = max(1, configuration.maxRequestsPerConnection)
    }
}

/// The life of one connection as a pure state machine, in the manner of Hummingbird's
/// HTTPConnectionStateHandler: the event loop reports what happened, with the time, and
/// the machine answers what to do and when the next deadline is. No sockets, no clock of
/// its own, so every timeout is testable with made-up instants.
struct ConnectionStateMachine {
    typealias Instant = ContinuousClock.Instant

    enum State: Equatable {
        /// Between requests: waiting for the first byte of the next one.
        case idle
        /// Part of a request has arrived.
        case receiving
        /// The request is with a worker; the connection reads nothing more into a parse.
        case processing
        /// A response is being written.
        case writing
        /// The last response is written and the output shut down; discarding input until
        /// the peer closes or the linger deadline passes.
        case lingering
        case closed
    }

    enum TimeoutAction: Equatable {
        case none
        /// Close without a response.
        case close
        /// Answer with this status (408), then close.
        case respondAndClose(status: Int)
    }

    enum WriteCompletion: Equatable {
        /// Keep-alive: parse the next request (pipelined bytes may already be buffered).
        case awaitNextRequest
        /// Shut down the output and linger before closing.
        case linger
    }

    let policy: ConnectionPolicy
    private(set) var state: State = .idle
    /// When `deadlineReached` next has something to do; nil while a worker has the request.
    private(set) var deadline: Instant?
    private(set) var requestCount = 0
    private(set) var isDraining = false
    private var keepAlive = false
    /// Since when the connection has waited for the first byte of a request; nil while a
    /// request is under way. The oldest idle connection is the one to shed at the limit.
    private(set) var idleSince: Instant?

    /// When the connection was accepted: its first request is due within the request
    /// deadline of that instant, not of its first byte.
    private let acceptedAt: Instant

    init(policy: ConnectionPolicy, now: Instant) {
        self.policy = policy
        acceptedAt = now
        // A connection that never sends a byte must not hold a slot for the (long) idle
        // keep-alive timeout: the first request is due within the request deadline.
        deadline = now + min(policy.idleTimeout, policy.requestReadTimeout)
        idleSince = now
    }

    /// Bytes of a request were received. Only the first byte of a request starts its
    /// deadline: trickled bytes must not extend it (slowloris). The first request's
    /// deadline counts from accept, so a late first byte earns no extra time.
    mutating func bytesReceived(now: Instant) {
        guard state == .idle else { return }
        state = .receiving
        idleSince = nil
        deadline = (requestCount == 0 ? acceptedAt : now) + policy.requestReadTimeout
    }

    /// A complete request was parsed and goes to a worker. Returns whether the
    /// connection may stay open after its response.
    mutating func requestReceived(clientAllowsKeepAlive: Bool) -> Bool {
        requestCount += 1
        keepAlive = clientAllowsKeepAlive && requestCount < policy.maxRequests && !isDraining
        state = .processing
        deadline = nil
        return keepAlive
    }

    /// A final response is about to be written. `forceClose` is for error responses
    /// (the rest of the input cannot be trusted). Returns whether the response announces
    /// keep-alive; draining may have begun while the worker ran.
    mutating func responseStarted(now: Instant, forceClose: Bool = false) -> Bool {
        if forceClose || isDraining { keepAlive = false }
        state = .writing
        deadline = now + policy.writeTimeout
        return keepAlive
    }

    /// Some pending output was sent: the write deadline measures a stall, not the whole
    /// transfer, so progress moves it.
    mutating func outputProgressed(now: Instant) {
        guard state == .writing else { return }
        deadline = now + policy.writeTimeout
    }

    /// The response was fully written.
    mutating func responseWritten(now: Instant) -> WriteCompletion {
        if keepAlive && !isDraining {
            state = .idle
            idleSince = now
            deadline = now + policy.idleTimeout
            return .awaitNextRequest
        }
        state = .lingering
        deadline = now + policy.lingerTimeout
        return .linger
    }

    /// Shutdown began. Returns true when the connection should close now (it is idle);
    /// otherwise its current request finishes and the response says `Connection: close`.
    mutating func beginDraining() -> Bool {
        isDraining = true
        keepAlive = false
        if state == .idle {
            closed()
            return true
        }
        return false
    }

    mutating func deadlineReached(now: Instant) -> TimeoutAction {
        guard let deadline, now >= deadline else { return .none }
        switch state {
        case .idle, .writing, .lingering:
            closed()
            return .close
        case .receiving:
            // The caller writes the 408 and reports it through responseStarted.
            return .respondAndClose(status: 408)
        case .processing, .closed:
            return .none
        }
    }

    mutating func closed() {
        state = .closed
        idleSince = nil
        deadline = nil
    }
}
