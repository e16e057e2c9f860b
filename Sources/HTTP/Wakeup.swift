import CLinux
import Glibc

/// An eventfd that wakes the event loop from other threads (workers posting results,
/// `shutdown()`). A class that closes its fd when the last owner lets go: a worker
/// finishing a slow handler after `run()` returned must never write to a closed fd
/// number that may by then belong to something else.
final class Wakeup: Sendable {
    let fd: Int32

    init() throws(HTTPServerError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw .systemCallFailed(call: "eventfd", errno: errno) }
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    func signal() {
        var one: UInt64 = 1
        while write(fd, &one, 8) < 0 && errno == EINTR {}
        // EAGAIN means the counter is saturated: the loop is already due to wake.
    }

    /// Resets the counter (called by the loop when the fd is readable).
    func drain() {
        var value: UInt64 = 0
        while read(fd, &value, 8) < 0 && errno == EINTR {}
    }
}
