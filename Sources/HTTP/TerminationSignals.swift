import CLinux
import Glibc

/// SIGTERM and SIGINT are blocked and read through a signalfd in the event loop, so the
/// shutdown runs as ordinary loop code instead of inside an async signal handler.
enum TerminationSignals {
    static func set() -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        return signals
    }

    /// Blocks SIGTERM/SIGINT for the calling thread and every thread it starts later.
    /// A process-directed signal goes to any thread that does not block it, so this must
    /// run before other threads exist for the signalfd to see it.
    static func block() {
        var signals = set()
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        // Writes to a closed peer must fail with EPIPE, not kill the process (sends also
        // pass MSG_NOSIGNAL; this covers any other write).
        signal(SIGPIPE, SIG_IGN)
    }

    static func makeSignalFD() throws(HTTPServerError) -> Int32 {
        var signals = set()
        let fd = signalfd(-1, &signals, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard fd >= 0 else { throw .systemCallFailed(call: "signalfd", errno: errno) }
        return fd
    }

    /// Reads every pending signal; returns true when at least one was read.
    static func drain(_ fd: Int32) -> Bool {
        var info = signalfd_siginfo()
        var received = false
        while true {
            let count = read(fd, &info, MemoryLayout<signalfd_siginfo>.size)
            if count == MemoryLayout<signalfd_siginfo>.size {
                received = true
                continue
            }
            if count < 0 && errno == EINTR { continue }
            return received
        }
    }
}
