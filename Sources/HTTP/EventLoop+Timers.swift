import Glibc
import Synchronization

/// Deadlines and graceful shutdown.
///
/// Every connection has at most one deadline (kept by its state machine). Rather than a
/// timer per connection, the loop remembers the earliest deadline it has heard of and
/// sweeps all connections when it passes; sweeps are at least `sweepGranularity` apart,
/// which is plenty for timeouts measured in seconds.
extension EventLoop {
    func runDueTimers(now: Instant) {
        if let pausedUntil = acceptPausedUntil, now >= pausedUntil {
            updateListenerInterest(now: now)
        }
        guard let due = nextSweep, now >= due else { return }
        nextSweep = nil
        for case let connection? in connections {
            switch connection.machine.deadlineReached(now: now) {
            case .none:
                noteDeadline(of: connection)
            case .close:
                closeConnection(connection, now: now)
            case .respondAndClose(let status):
                respondWithError(connection, status: status, detail: "The request was not received in time.", now: now)
                drive(connection, now: now)
            }
        }
        if let next = nextSweep, next < now + Self.sweepGranularity {
            nextSweep = now + Self.sweepGranularity
        }
    }

    /// Stops accepting, closes idle connections and lets the others finish their
    /// current request (answered with `Connection: close`) until the deadline.
    func beginDraining(now: Instant) {
        control.draining.store(true, ordering: .releasing)
        drainDeadline = now + configuration.shutdownDeadline
        if let listenerFD {
            epoll.remove(fd: listenerFD)
            close(listenerFD)
            self.listenerFD = nil
            listenerRegistered = false
        }
        for case let connection? in connections where !connection.isRejection {
            if connection.machine.beginDraining() {
                closeConnection(connection, now: now)
            }
        }
    }
}
