/// At the connection limit, a new client takes the place of the connection that has
/// waited longest for a request, rather than being told 503 or, once the 503 slots are
/// taken, left unanswered in the backlog (issue 13: 2,100 silent connections locked out
/// /livez). Closing an idle connection is always allowed (RFC 9112 §9.5); clients retry on
/// a fresh one. Connections with a request under way are never shed.
extension EventLoop {
    /// Closes the longest-idle connection; false when every connection is busy.
    func shedLongestIdleConnection(now: Instant) -> Bool {
        var victim: Connection?
        var victimSince: Instant?
        // A scan, not an index: it runs only at the limit, and the array is as long as
        // the highest descriptor, a few thousand entries at most.
        for case let connection? in connections where isSheddable(connection) {
            guard let since = connection.machine.idleSince else { continue }
            if let victimSince, victimSince <= since { continue }
            victim = connection
            victimSince = since
        }
        guard let victim else { return false }
        closeConnection(victim, now: now)
        return true
    }

    private func isSheddable(_ connection: Connection) -> Bool {
        !connection.isRejection && connection.machine.state == .idle && !connection.hasJob
            && !connection.hasPendingOutput && connection.parser.bufferedByteCount == 0
    }
}
