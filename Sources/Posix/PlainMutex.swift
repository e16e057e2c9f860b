import CLinux
import Glibc

/// A lock over glibc's plain pthread mutex (a futex, no priority inheritance), for the
/// few locks every request takes (the HTTP worker queue, the results mailbox).
/// Synchronization.Mutex on Linux is a priority-inheritance futex, so every contended
/// acquisition goes through the kernel (futex_lock_pi): under 256 connections that was a
/// fifth of the gateway's time (perf, GET /livez at half the rate of 50 connections), and
/// the threads here all have the same priority, so inheritance buys nothing. Not the
/// adaptive type: its spinning took the CPU from PostgreSQL on two cores (holds/s fell
/// by 40%; Benchmarks/README.md).
public final class PlainMutex<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is read and written only between pthread_mutex_lock and
    // pthread_mutex_unlock of `mutex`, which the class owns for its whole life.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_NORMAL))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
