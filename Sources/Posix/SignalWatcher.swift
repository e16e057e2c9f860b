import CLinux
import Glibc
import Synchronization

/// A thread of its own that reads a signalfd and calls `onSignal` for every signal of the
/// set that arrives, until `stop()`. An executable uses it to turn SIGTERM into a library
/// call (an HTTP server's `shutdown()`), so that the library sets no signal policy itself.
///
/// The thread blocks the set from its first instruction, so a signal sent to it alone
/// (`send(_:)`) is always read. A process-directed signal (`kill`) reaches it only when
/// every other thread blocks the set too: block it first in `main` (see `SignalSet`).
public final class SignalWatcher: Sendable {
    private let thread: pthread_t
    private let stopper: EventFD
    /// False once the thread was joined (or detached): its id may then be reused.
    private let running = Mutex(true)

    /// - Parameter onSignal: runs on the watcher's thread, one call per signal read.
    public init(_ set: SignalSet, onSignal: @escaping @Sendable (Int32) -> Void) throws(SystemCallError) {
        let signals = try SignalFD(set)
        let stopper = try EventFD()
        let context = Unmanaged.passRetained(Context(signals: signals, stopper: stopper, onSignal: onSignal))
        // The new thread inherits the creating thread's mask: block the set just around
        // pthread_create, so no signal can reach the watcher before it blocks it.
        var previous = sigset_t()
        var blocked = set.sigset
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<Context>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, context.toOpaque())
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        guard created == 0 else {
            context.release()
            throw SystemCallError(call: "pthread_create", errno: created)
        }
        self.thread = thread
        self.stopper = stopper
    }

    deinit {
        stop()
    }

    /// Ends the thread and waits for it (a call in progress of `onSignal` finishes first).
    /// Idempotent; from inside `onSignal` it ends the thread without waiting.
    public func stop() {
        let wasRunning = running.withLock { running in
            defer { running = false }
            return running
        }
        guard wasRunning else { return }
        stopper.signal()
        // Outside the lock: `onSignal` may itself call `send` or `stop` meanwhile.
        if pthread_equal(pthread_self(), thread) != 0 {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
        }
    }

    /// Sends `signal` to the watcher's thread alone (pthread_kill), as a test would; a
    /// no-op once stopped.
    public func send(_ signal: Int32) {
        running.withLock { running in
            if running { _ = pthread_kill(thread, signal) }
        }
    }

    /// What the thread owns; it holds the only references it needs.
    private final class Context: Sendable {
        let signals: SignalFD
        let stopper: EventFD
        let onSignal: @Sendable (Int32) -> Void

        init(signals: SignalFD, stopper: EventFD, onSignal: @escaping @Sendable (Int32) -> Void) {
            self.signals = signals
            self.stopper = stopper
            self.onSignal = onSignal
        }

        func run() {
            var descriptors = [
                pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stopper.fd, events: Int16(POLLIN), revents: 0),
            ]
            while true {
                if Syscall.poll(&descriptors, timeout: nil) < 0 {
                    // Only ENOMEM is possible with valid descriptors: try again shortly
                    // rather than stop answering signals.
                    usleep(10_000)
                    continue
                }
                for signal in signals.takePending() { onSignal(signal) }
                if descriptors[1].revents != 0 { return }
            }
        }
    }
}
