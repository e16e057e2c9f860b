/// One accepted socket and everything the event loop knows about it. Owned and touched
/// only by the event loop thread (so it is a plain, non-Sendable class).
final class Connection {
    let fd: Int32
    let id: UInt32
    let remoteAddress: String
    var parser: HTTPRequestParser
    var machine: ConnectionStateMachine
    /// Bytes to send; `outputOffset` of them are already sent.
    var output: [UInt8] = []
    var outputOffset = 0
    /// The epoll interest currently registered, to skip redundant epoll_ctl calls.
    var registeredEvents: UInt32
    /// The peer finished sending (read returned 0).
    var inputClosed = false
    /// The request in flight is HEAD: its response goes without content.
    var answeringHead = false
    /// A job for this connection is queued or running.
    var hasJob = false
    /// Accepted beyond maxConnections only to be told 503; not counted as open.
    let isRejection: Bool

    init(
        fd: Int32,
        id: UInt32,
        remoteAddress: String,
        limits: HTTPRequestParser.Limits,
        policy: ConnectionPolicy,
        now: ContinuousClock.Instant,
        registeredEvents: UInt32,
        isRejection: Bool
    ) {
        self.fd = fd
        self.id = id
        self.remoteAddress = remoteAddress
        self.parser = HTTPRequestParser(limits: limits)
        self.machine = ConnectionStateMachine(policy: policy, now: now)
        self.registeredEvents = registeredEvents
        self.isRejection = isRejection
    }

    var token: UInt64 { Epoll.token(fd: fd, id: id) }

    var hasPendingOutput: Bool { outputOffset < output.count }

    /// Forgets sent output; a large response's capacity is not kept on an idle connection.
    func clearOutput() {
        output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
        outputOffset = 0
    }
}
