import CLinux
import Glibc

/// A non-blocking signalfd over a set of signals, which must be blocked (see `SignalSet`).
/// Reading it takes the signals pending for the reading thread and those pending for the
/// process, so a shutdown runs as ordinary code instead of in an async signal handler.
public final class SignalFD: Sendable {
    public let fd: Int32
    public let set: SignalSet

    public init(_ set: SignalSet) throws(SystemCallError) {
        var signals = set.sigset
        let fd = signalfd(-1, &signals, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard fd >= 0 else { throw .last("signalfd") }
        self.fd = fd
        self.set = set
    }

    deinit {
        Syscall.close(fd)
    }

    /// Every signal pending now, in the order read; [] when none. Never waits.
    public func takePending() -> [Int32] {
        var info = signalfd_siginfo()
        var received: [Int32] = []
        while Syscall.read(fd, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            received.append(Int32(bitPattern: info.ssi_signo))
        }
        return received
    }
}
