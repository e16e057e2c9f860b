import CLinux
import Glibc

/// Failures that stop the worker before it can run at all.
public enum ExpiryWorkerError: Error, Sendable, CustomStringConvertible {
    case systemCallFailed(call: String, errno: Int32)

    public var description: String {
        switch self {
        case let .systemCallFailed(call, code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}

/// SIGTERM and SIGINT, blocked and read through a signalfd, so the loop notices them
/// between statements and inside its waits instead of being torn down in the middle of
/// a batch. Owned by the loop's thread.
public final class TerminationSignals {
    private let fd: Int32
    /// The first termination signal read (SIGTERM or SIGINT), nil while none arrived.
    public private(set) var received: Int32?

    /// What ended a wait.
    public enum WaitResult: Equatable {
        case signal
        /// The other descriptor became readable (or reported an error or hang-up).
        case readable
        case timeout
    }

    /// Blocks SIGTERM/SIGINT for the calling thread and the threads it starts later; call
    /// it first in `main`, before anything starts a thread, or a signal may be delivered to
    /// a thread that does not block it and kill the process. Also ignores SIGPIPE.
    public static func block() {
        var signals = set()
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    public init() throws(ExpiryWorkerError) {
        var signals = Self.set()
        let fd = signalfd(-1, &signals, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard fd >= 0 else { throw .systemCallFailed(call: "signalfd", errno: errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// True once a termination signal arrived; does not wait.
    public func check() -> Bool {
        drain()
        return received != nil
    }

    /// Waits until a termination signal arrives, `other` (when >= 0) becomes readable, or
    /// `timeout` passes. A signal that arrived earlier ends the wait at once.
    public func wait(orReadable other: Int32 = -1, timeout: Duration) -> WaitResult {
        if check() { return .signal }
        var descriptors = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        if other >= 0 { descriptors.append(pollfd(fd: other, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&descriptors, nfds_t(descriptors.count), Self.milliseconds(timeout))
        guard ready > 0 else { return check() ? .signal : .timeout }  // timeout or EINTR
        if check() { return .signal }
        return descriptors.count > 1 && descriptors[1].revents != 0 ? .readable : .timeout
    }

    private func drain() {
        var info = signalfd_siginfo()
        while true {
            let count = read(fd, &info, MemoryLayout<signalfd_siginfo>.size)
            if count == MemoryLayout<signalfd_siginfo>.size {
                if received == nil { received = Int32(bitPattern: info.ssi_signo) }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            return
        }
    }

    private static func set() -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        return signals
    }

    /// poll's timeout: whole milliseconds rounded up (a wait never ends just before its
    /// deadline), at least 0, at most a day (callers wake earlier anyway).
    static func milliseconds(_ duration: Duration) -> Int32 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        guard seconds < 86_400 else { return 86_400_000 }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        return Int32(seconds * 1000 + (attoseconds + perMillisecond - 1) / perMillisecond)
    }
}
