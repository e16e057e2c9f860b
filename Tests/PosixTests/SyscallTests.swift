import Glibc
import Posix
import Synchronization
import Testing

/// Counts SIGUSR2 deliveries; the handler is installed without SA_RESTART, so a blocking
/// call on the signalled thread fails with EINTR, as it would with any real handler.
let interruptions = Atomic<Int>(0)

private func installInterruptingHandler() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in interruptions.add(1, ordering: .relaxed) }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGUSR2, &action, nil)
}

/// Sends SIGUSR2 to `target` a few times, 20 ms apart, so at least one lands while it is
/// blocked in its system call.
private func interrupt(_ target: SignalTarget, times: Int = 5) {
    for _ in 0..<times {
        usleep(20_000)
        target.kill(SIGUSR2)
    }
}

@Suite(.serialized) struct SyscallTests {
    @Test func retriesOnlyWhileTheCallFailsWithEINTR() {
        var calls = 0
        let result = Syscall.retryingInterrupts { () -> Int in
            calls += 1
            if calls < 3 {
                errno = EINTR
                return -1
            }
            return 5
        }
        #expect(result == 5 && calls == 3)

        calls = 0
        let failed = Syscall.retryingInterrupts { () -> Int32 in
            calls += 1
            errno = EBADF
            return -1
        }
        #expect(failed == -1 && calls == 1 && errno == EBADF)
    }

    /// The control for the next test: the setup really interrupts a blocking read.
    @Test func aPlainReadFailsWithEINTRWhenInterrupted() throws {
        installInterruptingHandler()
        var pipeFDs: [Int32] = [0, 0]
        #expect(pipe(&pipeFDs) == 0)
        defer { close(pipeFDs[0]); close(pipeFDs[1]) }
        let readFD = pipeFDs[0]
        let outcome = Mutex<(Int, Int32)?>(nil)
        let reader = SignalTarget {
            var byte: UInt8 = 0
            let count = read(readFD, &byte, 1)
            outcome.withLock { $0 = (count, errno) }
        }
        interrupt(reader)
        var one: UInt8 = 1
        _ = write(pipeFDs[1], &one, 1)  // ends the read if no signal did
        #expect(reader.hasFinished(within: 10))
        let (count, code) = try #require(outcome.withLock { $0 })
        #expect(count == -1 && code == EINTR)
    }

    @Test func readGoesOnAfterEINTR() throws {
        installInterruptingHandler()
        var pipeFDs: [Int32] = [0, 0]
        #expect(pipe(&pipeFDs) == 0)
        defer { close(pipeFDs[0]); close(pipeFDs[1]) }
        let readFD = pipeFDs[0]
        let outcome = Mutex<(Int, UInt8)?>(nil)
        let before = interruptions.load(ordering: .relaxed)
        let reader = SignalTarget {
            var byte: UInt8 = 0
            let count = Syscall.read(readFD, &byte, 1)
            outcome.withLock { $0 = (count, byte) }
        }
        interrupt(reader)
        #expect(!reader.hasFinished(within: 0.05))
        var value: UInt8 = 42
        #expect(write(pipeFDs[1], &value, 1) == 1)
        #expect(reader.hasFinished(within: 10))
        #expect(interruptions.load(ordering: .relaxed) > before)
        let (count, byte) = try #require(outcome.withLock { $0 })
        #expect(count == 1 && byte == 42)
    }

    @Test func pollKeepsWaitingAfterEINTRUntilItsTimeout() throws {
        installInterruptingHandler()
        var pipeFDs: [Int32] = [0, 0]
        #expect(pipe(&pipeFDs) == 0)
        defer { close(pipeFDs[0]); close(pipeFDs[1]) }
        let readFD = pipeFDs[0]
        let outcome = Mutex<(Int32, Duration)?>(nil)
        let before = interruptions.load(ordering: .relaxed)
        let poller = SignalTarget {
            var descriptors = [pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)]
            let started = ContinuousClock.now
            let ready = Syscall.poll(&descriptors, timeout: .milliseconds(300))
            outcome.withLock { $0 = (ready, ContinuousClock.now - started) }
        }
        interrupt(poller, times: 3)
        #expect(poller.hasFinished(within: 10))
        let (ready, waited) = try #require(outcome.withLock { $0 })
        #expect(interruptions.load(ordering: .relaxed) > before)
        #expect(ready == 0)
        #expect(waited >= .milliseconds(300))
    }

    @Test func writeAllGoesOnAfterShortWrites() throws {
        var pipeFDs: [Int32] = [0, 0]
        #expect(pipe(&pipeFDs) == 0)
        defer { close(pipeFDs[0]) }
        let (readFD, writeFD) = (pipeFDs[0], pipeFDs[1])
        // More than a pipe holds (64 KiB): the writer blocks and resumes while we read.
        let bytes = (0..<(256 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let wrote = Mutex<Bool?>(nil)
        let writer = SignalTarget {
            let ok = bytes.withUnsafeBytes { Syscall.writeAll(writeFD, $0) }
            Syscall.close(writeFD)
            wrote.withLock { $0 = ok }
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 10_000)
        while true {
            let count = chunk.withUnsafeMutableBytes { Syscall.read(readFD, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            received += chunk[0..<count]
        }
        #expect(writer.hasFinished(within: 10))
        #expect(wrote.withLock { $0 } == true)
        #expect(received == bytes)
    }

    @Test func closeReportsABadDescriptor() throws {
        var pipeFDs: [Int32] = [0, 0]
        #expect(pipe(&pipeFDs) == 0)
        #expect(Syscall.close(pipeFDs[0]) == 0)
        #expect(Syscall.close(pipeFDs[1]) == 0)
        #expect(Syscall.close(pipeFDs[1]) == -1 && errno == EBADF)
    }
}
