import Dispatch
import Foundation
import Posix
import Synchronization

/// The signals these tests send. A thread inherits its creator's mask, and the test
/// runner's threads (libdispatch workers) block most signals, so every thread a test starts
/// unblocks these first, as a thread of a plain process would have them.
let testSignals = SignalSet([SIGUSR1, SIGUSR2])

/// Runs `body` on a new thread and waits for it. Tests that change a thread's signal mask
/// or block in a system call do it there, never on the cooperative pool's threads. Keep
/// `#expect` outside `body`: return what to check instead.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        testSignals.unblock()
        let outcome = Result { try body() }
        result.withLock { $0 = outcome }
        done.signal()
    }
    thread.start()
    guard done.wait(timeout: .now() + 30) == .success else { throw OwnThreadError.timedOut }
    return try result.withLock { $0! }.get()
}

enum OwnThreadError: Error {
    case timedOut
}

/// A thread started now that reports its pthread id, for tests that signal it.
final class SignalTarget: Sendable {
    private let id = Mutex<pthread_t?>(nil)
    private let started = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            testSignals.unblock()
            id.withLock { $0 = pthread_self() }
            started.signal()
            body()
            done.signal()
        }
        thread.start()
        started.wait()
    }

    func kill(_ signal: Int32) {
        if let thread = id.withLock({ $0 }) { _ = pthread_kill(thread, signal) }
    }

    /// True once `body` returned.
    func hasFinished(within seconds: Double) -> Bool {
        guard done.wait(timeout: .now() + seconds) == .success else { return false }
        done.signal()
        return true
    }
}
