import CLinux
import Glibc

/// Accepting connections. The listener never dies on an accept error: transient errors
/// are skipped, descriptor exhaustion pauses accepting briefly.
extension EventLoop {
    /// At most this many accepts per wake-up, so a connection storm does not starve
    /// the connections already open.
    static let acceptBatch = 64

    func acceptConnections(now: Instant) {
        guard let listenerFD else { return }
        for _ in 0..<Self.acceptBatch {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept4(listenerFD, $0, &length, OTA_SOCK_NONBLOCK | OTA_SOCK_CLOEXEC)
                }
            }
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EPROTO, EPERM:
                    continue  // that one connection failed; the next may not
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    acceptPausedUntil = now + Self.acceptPause
                    updateListenerInterest(now: now)
                    return
                default:
                    // EAGAIN: nothing left. Anything else: try again on the next wake-up.
                    return
                }
            }
            var isRejection = openCount >= configuration.maxConnections
            if isRejection, shedLongestIdleConnection(now: now) { isRejection = false }
            if isRejection && rejectingCount >= Self.maxRejecting {
                close(fd)  // unreachable: the batch stops when the listener is paused; kept for safety
                continue
            }
            Socket.setNoDelay(fd)
            let connection = Connection(
                fd: fd,
                id: nextConnectionID(),
                remoteAddress: Socket.addressString(storage),
                limits: limits,
                policy: policy,
                now: now,
                registeredEvents: Epoll.readable,
                isRejection: isRejection
            )
            guard epoll.add(fd: fd, events: Epoll.readable, token: connection.token) else {
                close(fd)
                continue
            }
            if Int(fd) >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - connections.count))
            }
            connections[Int(fd)] = connection
            if isRejection {
                rejectingCount += 1
                respondWithError(connection, status: 503, detail: "The server is at its connection limit.", now: now)
                drive(connection, now: now)
            } else {
                openCount += 1
                noteDeadline(of: connection)
            }
            updateListenerInterest(now: now)
            // The last slot (or 503 slot) is taken: stop this batch too, so that whoever
            // connected meanwhile waits in the backlog rather than being accepted only to be
            // closed unanswered below (issue 13, HostileClientTests: a reset under load).
            guard listenerRegistered else { return }
        }
    }

    /// Polls the listener only while a new connection could be served or rejected: at
    /// the limit (and with the rejection slots full) pending connections wait in the
    /// kernel's backlog instead.
    func updateListenerInterest(now: Instant) {
        guard let listenerFD else { return }
        if let pausedUntil = acceptPausedUntil, now >= pausedUntil {
            acceptPausedUntil = nil
        }
        let wanted = acceptPausedUntil == nil && drainDeadline == nil
            && (openCount < configuration.maxConnections || rejectingCount < Self.maxRejecting)
        guard wanted != listenerRegistered else { return }
        if wanted {
            listenerRegistered = epoll.add(fd: listenerFD, events: Epoll.readable, token: Epoll.token(fd: listenerFD, id: 0))
        } else {
            epoll.remove(fd: listenerFD)
            listenerRegistered = false
        }
    }
}
