import Glibc
import Posix
import Synchronization

/// An HTTP/1.1 server: one epoll I/O thread (the thread that calls `run()`) and
/// `workerCount` worker threads that run the handlers.
///
/// It sets no process-wide policy: it neither blocks nor handles signals and leaves
/// SIGPIPE alone (its sends pass MSG_NOSIGNAL). The executable owns signals and turns
/// SIGTERM into `shutdown()` (e.g. with Posix's `SignalWatcher`).
///
/// Sendable without `@unchecked`: configuration and closures are immutable and
/// Sendable, and the mutable bits live in a `Mutex` or atomics.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    /// The bound port (the real one when the configuration asked for port 0).
    public let port: Int

    private let errorResponse: @Sendable (_ status: Int, _ detail: String) -> HTTPResponse
    private let makeHandler: @Sendable (_ workerIndex: Int) -> any HTTPRequestHandler
    private let control: ServerControl
    private let lifecycle: Mutex<Lifecycle>
    private let readyCallback = Mutex<(@Sendable () -> Void)?>(nil)

    private struct Lifecycle {
        /// Owned by the server until `run()` hands it to the event loop.
        var listenerFD: Int32?
        var started = false
    }

    /// Binds and listens at once, so a taken port is reported here, with a clear
    /// error, before anything else starts.
    ///
    /// - Parameters:
    ///   - errorResponse: builds the responses the server makes itself (400, 408, 413,
    ///     431, 503...); defaults to RFC 9457 problem details. It runs on the I/O thread
    ///     (and on workers for queue timeouts), so it must be quick and never block.
    ///   - makeHandler: called once on each worker thread, with its index.
    public init(
        configuration: HTTPServerConfiguration,
        errorResponse: @escaping @Sendable (_ status: Int, _ detail: String) -> HTTPResponse = HTTPServer.defaultErrorResponse,
        makeHandler: @escaping @Sendable (_ workerIndex: Int) -> any HTTPRequestHandler
    ) throws {
        let listener = try Socket.listen(host: configuration.host, port: configuration.port)
        let wakeup: EventFD
        do throws(SystemCallError) {
            wakeup = try EventFD()
        } catch {
            close(listener.fd)
            throw HTTPServerError.systemCallFailed(call: error.call, errno: error.errno)
        }
        self.configuration = configuration
        self.port = listener.port
        self.errorResponse = errorResponse
        self.makeHandler = makeHandler
        self.control = ServerControl(wakeup: wakeup)
        self.lifecycle = Mutex(Lifecycle(listenerFD: listener.fd))
    }

    deinit {
        // Only if run() never took the listener.
        if let fd = lifecycle.withLock({ $0.listenerFD }) { close(fd) }
    }

    /// Called on the I/O thread once the loop is about to serve (for systemd's
    /// READY=1). Set it before calling `run()`.
    public var onReady: (@Sendable () -> Void)? {
        get { readyCallback.withLock { $0 } }
        set { readyCallback.withLock { $0 = newValue } }
    }

    /// True once `shutdown()` was called; readiness checks answer 503.
    public var isDraining: Bool {
        control.draining.load(ordering: .acquiring)
    }

    /// Serves on the calling thread until `shutdown()`; then stops
    /// accepting, lets in-flight requests finish and be written (up to
    /// `shutdownDeadline`), closes every connection and returns. May be called once.
    public func run() throws {
        let listenerFD: Int32? = lifecycle.withLock { state in
            guard !state.started else { return nil }
            state.started = true
            defer { state.listenerFD = nil }
            return state.listenerFD
        }
        guard let listenerFD else { throw HTTPServerError.alreadyRunning }
        let mailbox = Mailbox(wakeup: control.wakeup)
        let pool = WorkerPool(
            workerCount: configuration.workerCount,
            capacity: configuration.queueCapacity,
            maxQueueWait: configuration.maxQueueWait,
            mailbox: mailbox,
            errorResponse: errorResponse
        )
        let loop: EventLoop
        do {
            loop = try EventLoop(
                configuration: configuration,
                listenerFD: listenerFD,
                control: control,
                pool: pool,
                mailbox: mailbox,
                errorResponse: errorResponse
            )
        } catch {
            close(listenerFD)
            throw error
        }
        pool.start(makeHandler: makeHandler)
        let onReady = self.onReady
        var failure: (any Error)?
        do {
            try loop.run { onReady?() }
        } catch {
            failure = error
        }
        pool.stop()
        // Workers still inside a slow handler past the deadline are left to finish on
        // their own; their results go nowhere (the mailbox outlives them).
        _ = pool.waitForExit(until: loop.drainDeadline ?? .now)
        if let failure { throw failure }
    }

    /// Begins a graceful shutdown (what an executable does on SIGTERM). Thread-safe and
    /// idempotent; `run()` returns once in-flight requests are done or the shutdown
    /// deadline passed. Before `run()`, it makes `run()` return at once.
    public func shutdown() {
        control.draining.store(true, ordering: .releasing)
        control.shutdownRequested.store(true, ordering: .releasing)
        control.wakeup.signal()
    }

    /// RFC 9457 problem details: `application/problem+json` with
    /// `{"type":"about:blank","title":<reason phrase>,"status":..,"detail":..}`.
    public static func defaultErrorResponse(status: Int, detail: String) -> HTTPResponse {
        ProblemDetails.response(status: status, detail: detail)
    }
}
