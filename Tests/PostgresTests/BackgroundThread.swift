import Dispatch
import Foundation
import Synchronization

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` on a new OS thread (not the cooperative pool: libpq blocks), so a test can
/// have two connections blocking on each other.
final class BackgroundThread<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let outcome = Result { try body() }
            result.withLock { $0 = outcome }
            done.signal()
        }
        thread.start()
    }

    func join(timeoutSeconds: Double = 30) throws -> Value {
        guard done.wait(timeout: .now() + timeoutSeconds) == .success else {
            throw TestFailure("background thread did not finish within \(timeoutSeconds)s")
        }
        guard let outcome = result.withLock({ $0 }) else { throw TestFailure("background thread has no result") }
        return try outcome.get()
    }
}

extension DispatchSemaphore {
    func waitOrFail(seconds: Double = 10) throws {
        guard wait(timeout: .now() + seconds) == .success else {
            throw TestFailure("timed out waiting for the other connection")
        }
    }
}
