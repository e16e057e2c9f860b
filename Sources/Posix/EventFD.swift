import CLinux
import Glibc

/// A non-blocking eventfd that wakes a thread waiting in poll/epoll from other threads.
/// A class that closes its fd when the last owner lets go: a thread that signals late
/// (a worker finishing a slow job after its loop returned) must never write to a closed
/// fd number that may by then belong to something else.
public final class EventFD: Sendable {
    public let fd: Int32

    public init() throws(SystemCallError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw .last("eventfd") }
        self.fd = fd
    }

    deinit {
        Syscall.close(fd)
    }

    /// Makes the fd readable. Thread-safe.
    public func signal() {
        var one: UInt64 = 1
        _ = Syscall.write(fd, &one, 8)
        // EAGAIN means the counter is saturated: the waiter is already due to wake.
    }

    /// Resets the counter (called by the waiter once the fd is readable); true if it was
    /// signalled since the last drain.
    @discardableResult
    public func drain() -> Bool {
        var value: UInt64 = 0
        return Syscall.read(fd, &value, 8) == 8
    }
}
