import Dispatch
import Glibc
import Posix
import Synchronization
import Testing

/// Signal masks are per thread: every test changes them only on a thread of its own.
@Suite struct SignalTests {
    @Test func blockingIsPerThread() throws {
        let set = SignalSet([SIGUSR1])
        let states = try onOwnThread { () -> [Bool] in
            var states = [set.isBlockedOnThisThread]
            set.block()
            states.append(set.isBlockedOnThisThread)
            set.unblock()
            states.append(set.isBlockedOnThisThread)
            return states
        }
        #expect(states == [false, true, false])
        #expect(SignalSet.termination.contains(SIGTERM) && SignalSet.termination.contains(SIGINT))
    }

    @Test func signalFDDeliversABlockedSignalToTheReadingThread() throws {
        let reads = try onOwnThread { () -> [[Int32]] in
            let set = SignalSet([SIGUSR1])
            set.block()
            defer { set.unblock() }  // nothing is pending any more by then
            let signals = try SignalFD(set)
            var reads = [signals.takePending()]
            pthread_kill(pthread_self(), SIGUSR1)
            reads.append(signals.takePending())
            reads.append(signals.takePending())
            return reads
        }
        #expect(reads == [[], [SIGUSR1], []])
    }

    @Test func watcherCallsBackForASignalSentToItsThread() throws {
        let received = Mutex<[Int32]>([])
        let arrived = DispatchSemaphore(value: 0)
        let watcher = try SignalWatcher(SignalSet([SIGUSR1])) { signal in
            received.withLock { $0.append(signal) }
            arrived.signal()
        }
        watcher.send(SIGUSR1)
        #expect(arrived.wait(timeout: .now() + 10) == .success)
        #expect(received.withLock { $0 } == [SIGUSR1])
        watcher.stop()
        watcher.stop()
        watcher.send(SIGUSR1)  // after stop: a no-op, not a signal to a dead thread id
    }

    @Test func watcherLeavesTheCreatingThreadsMaskAlone() throws {
        let blocked = try onOwnThread { () -> Bool in
            let watcher = try SignalWatcher(SignalSet([SIGUSR1])) { _ in }
            defer { watcher.stop() }
            return SignalSet([SIGUSR1]).isBlockedOnThisThread
        }
        #expect(!blocked)
    }

    @Test func watcherMayStopItselfFromItsCallback() throws {
        let box = Mutex<SignalWatcher?>(nil)
        let stopped = DispatchSemaphore(value: 0)
        let watcher = try SignalWatcher(SignalSet([SIGUSR1])) { _ in
            box.withLock { $0 }?.stop()
            stopped.signal()
        }
        box.withLock { $0 = watcher }
        watcher.send(SIGUSR1)
        #expect(stopped.wait(timeout: .now() + 10) == .success)
        box.withLock { $0 = nil }
    }
}
