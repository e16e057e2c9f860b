import Foundation
import Posix
import Testing

@Suite struct PlainMutexTests {
    @Test func threadsNeverLoseAnUpdate() {
        let counter = PlainMutex(0)
        let threads = 8, rounds = 20_000
        let done = DispatchGroup()
        for _ in 0..<threads {
            done.enter()
            Thread {
                for _ in 0..<rounds { counter.withLock { $0 += 1 } }
                done.leave()
            }.start()
        }
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(counter.withLock { $0 } == threads * rounds)
    }

    @Test func aThrowingBodyReleasesTheLock() {
        struct Refused: Error {}
        let value = PlainMutex([1, 2])
        #expect(throws: Refused.self) { try value.withLock { (v: inout [Int]) throws(Refused) in v.append(3); throw Refused() } }
        // Taken again (a lock left held would hang here), and the change before the throw stays.
        #expect(value.withLock { $0 } == [1, 2, 3])
    }
}
