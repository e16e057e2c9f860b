import CLinux
import Glibc
import Posix

/// Reading, parsing, dispatching and writing for one connection. `drive` is the one
/// place that advances a connection after anything happened to it; it ends by syncing
/// the epoll interest and the deadline.
extension EventLoop {
    func connectionEvent(_ connection: Connection, events: UInt32, now: Instant) {
        if events & (Epoll.error | Epoll.hangUp) != 0 {
            // ERR: reset. HUP: both directions are shut; nothing can be delivered.
            closeConnection(connection, now: now)
            return
        }
        if events & Epoll.readable != 0 {
            guard readInput(connection, now: now) else { return }
        }
        drive(connection, now: now)
    }

    /// Reads what the socket has (bounded, to stay fair). Returns false if the
    /// connection was closed on a read error.
    ///
    /// A second read only while less than `maxBufferedInput` waits: `wantsInput` lets an
    /// idle or receiving connection read, and four reads in a row took up to 256 KiB of a
    /// pipelining flood at once (issue 13, HostileClientTests). One read per wake-up still
    /// lets a large request body in; past it, the request is parsed and the mark holds.
    private func readInput(_ connection: Connection, now: Instant) -> Bool {
        var rounds = 0
        while rounds < 4, wantsInput(connection),
              rounds == 0 || connection.parser.bufferedByteCount < Self.maxBufferedInput {
            let count = Syscall.read(connection.fd, readBuffer.baseAddress, readBuffer.count)
            if count > 0 {
                rounds += 1
                // While lingering, input is read only to be discarded.
                if connection.machine.state != .lingering {
                    connection.parser.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                }
                if count < readBuffer.count { break }
            } else if count == 0 {
                connection.inputClosed = true
                break
            } else {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK { break }
                closeConnection(connection, now: now)
                return false
            }
        }
        return true
    }

    /// Reading pauses while a request is in flight and 64 KiB of pipelined input wait,
    /// and stops for good once the peer finished sending.
    private func wantsInput(_ connection: Connection) -> Bool {
        if connection.inputClosed { return false }
        switch connection.machine.state {
        case .processing, .writing:
            return connection.parser.bufferedByteCount < Self.maxBufferedInput
        case .idle, .receiving, .lingering:
            return true
        case .closed:
            return false
        }
    }

    func drive(_ connection: Connection, now: Instant) {
        advance: while true {
            let state = connection.machine.state
            if state == .closed { return }
            if connection.hasPendingOutput, state != .lingering {
                guard flush(connection, now: now) else { return }
            }
            switch state {
            case .closed:
                return
            case .processing:
                break advance
            case .lingering:
                if connection.inputClosed {
                    closeConnection(connection, now: now)
                    return
                }
                break advance
            case .writing:
                if connection.hasPendingOutput { break advance }
                connection.clearOutput()
                switch connection.machine.responseWritten(now: now) {
                case .awaitNextRequest:
                    continue advance
                case .linger:
                    connection.parser.discardBuffered()
                    if connection.inputClosed || shutdown(connection.fd, Int32(SHUT_WR)) != 0 {
                        closeConnection(connection, now: now)
                        return
                    }
                    continue advance
                }
            case .idle, .receiving:
                if !connection.output.isEmpty, !connection.hasPendingOutput { connection.clearOutput() }
                if connection.parser.bufferedByteCount > 0 {
                    connection.machine.bytesReceived(now: now)
                }
                switch connection.parser.next() {
                case .needMore:
                    if connection.inputClosed {
                        // The peer will send nothing more: a partial request is abandoned.
                        closeConnection(connection, now: now)
                        return
                    }
                    break advance
                case .continueExpected:
                    connection.output.append(contentsOf: ResponseEncoder.continueResponse)
                case .request(let request, let keepAlive):
                    dispatch(connection, request, clientAllowsKeepAlive: keepAlive, now: now)
                case .error(let status, let detail):
                    respondWithError(connection, status: status, detail: detail, now: now)
                }
            }
        }
        updateInterest(connection)
        noteDeadline(of: connection)
    }

    /// Sends pending output. Returns false if the connection was closed.
    private func flush(_ connection: Connection, now: Instant) -> Bool {
        var progressed = false
        while connection.hasPendingOutput {
            let sent = connection.output.withUnsafeBytes { bytes in
                // MSG_NOSIGNAL: a closed peer is an EPIPE here, whatever the process's
                // SIGPIPE disposition.
                Syscall.send(
                    connection.fd,
                    bytes.baseAddress! + connection.outputOffset,
                    bytes.count - connection.outputOffset,
                    flags: Int32(MSG_NOSIGNAL)
                )
            }
            if sent > 0 {
                connection.outputOffset += sent
                progressed = true
                continue
            }
            let code = errno
            if sent < 0 && (code == EAGAIN || code == EWOULDBLOCK) { break }
            closeConnection(connection, now: now)  // EPIPE, ECONNRESET...
            return false
        }
        if progressed { connection.machine.outputProgressed(now: now) }
        return true
    }

    private func dispatch(_ connection: Connection, _ request: HTTPRequest, clientAllowsKeepAlive: Bool, now: Instant) {
        var request = request
        request.remoteAddress = connection.remoteAddress
        _ = connection.machine.requestReceived(clientAllowsKeepAlive: clientAllowsKeepAlive)
        connection.answeringHead = request.method == "HEAD"
        let job = Job(connectionID: connection.id, fd: connection.fd, request: request, enqueuedAt: now)
        if pool.submit(job) {
            connection.hasJob = true
        } else {
            respondWithError(connection, status: 503, detail: "The server is busy; try again shortly.", now: now, close: false)
        }
    }

    /// Queues a final response; `drive` writes it.
    func respond(_ connection: Connection, _ response: HTTPResponse, now: Instant, close: Bool = false) {
        let keepAlive = connection.machine.responseStarted(now: now, forceClose: close)
        ResponseEncoder.encode(
            response,
            keepAlive: keepAlive,
            omitBody: connection.answeringHead,
            date: dateCache.current(),
            into: &connection.output
        )
        connection.answeringHead = false
    }

    /// A response the server makes itself. By default it closes the connection: after
    /// a malformed request the rest of the input cannot be trusted.
    func respondWithError(_ connection: Connection, status: Int, detail: String, now: Instant, close: Bool = true) {
        var response = errorResponse(status, detail)
        if status == 503, !response.headers.contains("Retry-After") {
            response.headers.add("Retry-After", "1")
        }
        respond(connection, response, now: now, close: close)
    }

    func closeConnection(_ connection: Connection, now: Instant) {
        let index = Int(connection.fd)
        guard index < connections.count, connections[index] === connection else { return }
        if connection.hasJob {
            pool.cancel(connectionID: connection.id)
            connection.hasJob = false
        }
        connection.machine.closed()
        connections[index] = nil
        close(connection.fd)  // also removes it from the epoll set
        if connection.isRejection {
            rejectingCount -= 1
        } else {
            openCount -= 1
        }
        updateListenerInterest(now: now)
    }

    /// EPOLLOUT only while output is pending (level-triggered would otherwise spin).
    private func updateInterest(_ connection: Connection) {
        var wanted: UInt32 = 0
        if wantsInput(connection) { wanted |= Epoll.readable }
        if connection.hasPendingOutput { wanted |= Epoll.writable }
        guard wanted != connection.registeredEvents else { return }
        if epoll.modify(fd: connection.fd, events: wanted, token: connection.token) {
            connection.registeredEvents = wanted
        }
    }

    func noteDeadline(of connection: Connection) {
        guard let deadline = connection.machine.deadline else { return }
        if let nextSweep, nextSweep <= deadline { return }
        nextSweep = deadline
    }
}
