import CLinux
import Glibc

/// A thin owner of an epoll instance (level-triggered). Events carry a token: the
/// connection id in the high 32 bits beside the fd, so an event for a closed fd that
/// was reused by a new connection is recognized as stale and dropped.
final class Epoll {
    let fd: Int32
    let events: UnsafeMutablePointer<epoll_event>
    let capacity: Int

    static let readable = EPOLLIN.rawValue
    static let writable = EPOLLOUT.rawValue
    static let error = EPOLLERR.rawValue
    static let hangUp = EPOLLHUP.rawValue

    init(capacity: Int = 256) throws(HTTPServerError) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw .systemCallFailed(call: "epoll_create1", errno: errno) }
        self.fd = fd
        self.capacity = capacity
        events = .allocate(capacity: capacity)
    }

    deinit {
        events.deallocate()
        close(fd)
    }

    static func token(fd: Int32, id: UInt32) -> UInt64 {
        UInt64(id) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    static func split(_ token: UInt64) -> (fd: Int32, id: UInt32) {
        (Int32(bitPattern: UInt32(truncatingIfNeeded: token)), UInt32(truncatingIfNeeded: token >> 32))
    }

    @discardableResult
    func add(fd: Int32, events: UInt32, token: UInt64) -> Bool {
        control(EPOLL_CTL_ADD, fd: fd, events: events, token: token)
    }

    @discardableResult
    func modify(fd: Int32, events: UInt32, token: UInt64) -> Bool {
        control(EPOLL_CTL_MOD, fd: fd, events: events, token: token)
    }

    func remove(fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(self.fd, EPOLL_CTL_DEL, fd, &event)
    }

    private func control(_ operation: Int32, fd: Int32, events: UInt32, token: UInt64) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        return epoll_ctl(self.fd, operation, fd, &event) == 0
    }

    /// Waits for events; returns how many are in `events`, 0 on timeout or EINTR, or
    /// -1 with errno on a real failure.
    func wait(timeoutMilliseconds: Int32) -> Int {
        let count = epoll_wait(fd, events, Int32(capacity), timeoutMilliseconds)
        if count < 0 && errno == EINTR { return 0 }
        return Int(count)
    }
}
