import Glibc

/// At the connection limit, a new client takes the place of the connection that has
/// waited longest for a request, rather than being told 503 or, once the 503 slots are
/// taken, left unanswered in the backlog (issue 13: 2,100 silent connections locked out
/// /livez). Closing an idle connection is always allowed (RFC 9112 §9.5); clients retry on
/// a fresh one. Connections with a request under way are never shed.
extension EventLoop {
    /// Candidates looked at per newcomer: bounds the work of one accept at the limit.
    static let maxShedCandidates = 8

    /// Closes the longest-idle connection; false when every connection is busy.
    ///
    /// "Idle" is the loop's view, and it lags: a connection accepted in this same batch,
    /// or one whose next request arrived since the last epoll_wait, has its request in the
    /// kernel, unread. Closing it would reset a client that did nothing wrong (issue 13,
    /// HostileClientTests), so a candidate with input waiting is read now instead, which
    /// makes it busy, and the next candidate is considered.
    func shedLongestIdleConnection(now: Instant) -> Bool {
        for _ in 0..<Self.maxShedCandidates {
            guard let victim = longestIdleConnection() else { return false }
            guard hasInputWaiting(victim.fd) else {
                closeConnection(victim, now: now)
                return true
            }
            connectionEvent(victim, events: Epoll.readable, now: now)
            // Reading may have found the peer gone and closed it: a slot is free then.
            if openCount < configuration.maxConnections { return true }
        }
        return false
    }

    private func longestIdleConnection() -> Connection? {
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
        return victim
    }

    private func isSheddable(_ connection: Connection) -> Bool {
        !connection.isRejection && connection.machine.state == .idle && !connection.hasJob
            && !connection.hasPendingOutput && connection.parser.bufferedByteCount == 0
    }

    /// Whether request bytes wait in the socket. An end of stream or an error is not
    /// input: such a connection is as good to close as an idle one.
    private func hasInputWaiting(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }
}
