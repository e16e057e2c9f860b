public import Glibc

/// System calls that go on when a signal handler interrupts them (EINTR), so that no caller
/// writes that loop again. Each returns what the call returns: -1 with errno set on any
/// other failure, for the caller to decide (EAGAIN on a non-blocking descriptor, EPIPE...).
public enum Syscall {
    /// Calls `call` again while it fails with EINTR.
    @inlinable
    public static func retryingInterrupts<Result: SignedInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result >= 0 || Glibc.errno != EINTR { return result }
        }
    }

    public static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        retryingInterrupts { Glibc.read(fd, buffer, count) }
    }

    public static func write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
        retryingInterrupts { Glibc.write(fd, buffer, count) }
    }

    public static func send(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, flags: Int32) -> Int {
        retryingInterrupts { Glibc.send(fd, buffer, count, flags) }
    }

    /// Writes all of `bytes`, going on after short writes (a full pipe); false when a write
    /// fails or writes nothing (errno says why). Meant for blocking descriptors: on a
    /// non-blocking one, EAGAIN ends it with false and part of the bytes written.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, base + offset, bytes.count - offset)
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// `poll` that keeps waiting after EINTR until `timeout`, counted from this call,
    /// has passed (a plain retry would restart the full timeout); nil waits without end.
    /// Returns how many descriptors are ready, 0 on timeout, -1 with errno on failure.
    public static func poll(_ descriptors: inout [pollfd], timeout: Duration?) -> Int32 {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        while true {
            let milliseconds = deadline.map { clock.now.duration(to: $0).pollTimeoutMilliseconds } ?? -1
            let ready = descriptors.withUnsafeMutableBufferPointer {
                Glibc.poll($0.baseAddress, nfds_t($0.count), milliseconds)
            }
            if ready >= 0 || Glibc.errno != EINTR { return ready }
        }
    }

    /// Closes once, never retried: Linux releases the descriptor even when close reports
    /// EINTR, so a retry could close a descriptor another thread has just been given.
    /// EINTR therefore counts as success (0) here.
    @discardableResult
    public static func close(_ fd: Int32) -> Int32 {
        let result = Glibc.close(fd)
        return result < 0 && Glibc.errno == EINTR ? 0 : result
    }
}
