import Glibc
import Posix
import Testing

@Suite struct EventFDTests {
    private func isReadable(_ fd: Int32, within timeout: Duration = .zero) -> Bool {
        var descriptors = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        return Syscall.poll(&descriptors, timeout: timeout) == 1
    }

    @Test func signalMakesItReadableUntilDrained() throws {
        let wakeup = try EventFD()
        #expect(!isReadable(wakeup.fd))
        wakeup.signal()
        wakeup.signal()
        #expect(isReadable(wakeup.fd))
        #expect(wakeup.drain())
        #expect(!isReadable(wakeup.fd))
        #expect(!wakeup.drain())
    }

    @Test func anotherThreadWakesAWaiter() throws {
        let wakeup = try EventFD()
        let signaller = SignalTarget {
            usleep(50_000)
            wakeup.signal()
        }
        #expect(isReadable(wakeup.fd, within: .seconds(10)))
        #expect(signaller.hasFinished(within: 10))
    }

    @Test func theDescriptorIsNonBlockingAndCloseOnExec() throws {
        let wakeup = try EventFD()
        #expect(fcntl(wakeup.fd, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(wakeup.fd, F_GETFD) & FD_CLOEXEC != 0)
    }
}
