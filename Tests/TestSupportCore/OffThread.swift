import Foundation

/// Runs blocking work (sockets, sleeps, DispatchQueue.concurrentPerform) on a thread of its
/// own and awaits it. Swift Testing runs tests on the cooperative pool, which has one thread
/// per core (two here): a test that blocks for minutes would take a whole lane from the
/// rest of the suite. Keep `#expect` outside `body` (it needs the test's task context):
/// return what to check instead.
public func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do {
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
}
