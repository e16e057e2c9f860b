import CLinux
import Glibc

/// A set of signal numbers, for blocking them and reading them through a signalfd.
///
/// Blocking is a process's policy, set by its `main`: a process-directed signal goes to
/// any thread that does not block it, so block a set first, before anything starts a
/// thread (threads inherit the mask of the thread that starts them).
public struct SignalSet: Sendable, Equatable {
    public let signals: [Int32]

    /// SIGTERM and SIGINT: what service managers and terminals send to stop a process.
    public static let termination = SignalSet([SIGTERM, SIGINT])

    public init(_ signals: [Int32]) {
        self.signals = signals
    }

    public func contains(_ signal: Int32) -> Bool {
        signals.contains(signal)
    }

    var sigset: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }

    /// Blocks these signals for the calling thread and the threads it starts later.
    /// (pthread_sigmask fails only for an invalid `how`, so there is no error to report.)
    public func block() {
        var set = sigset
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    public func unblock() {
        var set = sigset
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Whether the calling thread blocks every signal of the set.
    public var isBlockedOnThisThread: Bool {
        var current = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &current)
        return signals.allSatisfy { sigismember(&current, $0) == 1 }
    }
}

public enum SignalDisposition {
    /// Sets `signal` to be ignored process-wide, e.g. SIGPIPE, so a write to a closed peer
    /// fails with EPIPE instead of killing the process.
    public static func ignore(_ signal: Int32) {
        Glibc.signal(signal, SIG_IGN)
    }
}
