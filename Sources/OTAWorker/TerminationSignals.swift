public import Glibc
public import Posix

/// Failures that stop the worker before it can run at all.
public enum ExpiryWorkerError: Error, Sendable, CustomStringConvertible {
    case systemCallFailed(call: String, errno: Int32)

    public var description: String {
        switch self {
        case let .systemCallFailed(call, code):
            return SystemCallError(call: call, errno: code).description
        }
    }
}

/// SIGTERM and SIGINT read through a signalfd, so the loop notices them between
/// statements and inside its waits instead of being torn down in the middle of a batch.
/// `main` blocks them first, before any thread exists (`SignalSet.termination.block()`).
/// Owned by the loop's thread.
public final class TerminationSignals {
    private let signalFD: SignalFD
    /// The first termination signal read (SIGTERM or SIGINT), nil while none arrived.
    public private(set) var received: Int32?

    /// What ended a wait.
    public enum WaitResult: Equatable {
        case signal
        /// The other descriptor became readable (or reported an error or hang-up).
        case readable
        case timeout
    }

    public init(_ set: SignalSet = .termination) throws(ExpiryWorkerError) {
        do throws(SystemCallError) {
            signalFD = try SignalFD(set)
        } catch {
            throw .systemCallFailed(call: error.call, errno: error.errno)
        }
    }

    /// True once a termination signal arrived; does not wait.
    public func check() -> Bool {
        if received == nil { received = signalFD.takePending().first }
        return received != nil
    }

    /// Waits until a termination signal arrives, `other` (when >= 0) becomes readable, or
    /// `timeout` passes. A signal that arrived earlier ends the wait at once.
    public func wait(orReadable other: Int32 = -1, timeout: Duration) -> WaitResult {
        if check() { return .signal }
        var descriptors = [pollfd(fd: signalFD.fd, events: Int16(POLLIN), revents: 0)]
        if other >= 0 { descriptors.append(pollfd(fd: other, events: Int16(POLLIN), revents: 0)) }
        let ready = Syscall.poll(&descriptors, timeout: timeout)
        guard ready > 0 else { return check() ? .signal : .timeout }
        if check() { return .signal }
        return descriptors.count > 1 && descriptors[1].revents != 0 ? .readable : .timeout
    }
}
