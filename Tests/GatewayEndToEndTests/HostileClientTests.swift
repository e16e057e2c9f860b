import Foundation
import Glibc
import Testing
import TestSupport

/// Issue 13: hostile clients against the real gateway over real sockets on 127.0.0.1.
/// Each attack is bounded in connections, bytes and time; meanwhile a fresh client's
/// GET /livez must be answered within a second, and the gateway's VmRSS must stay within
/// `memoryAllowanceKiB` of what it was before the attack. The measured figures are
/// printed ("hostile ...") for the record.
@Suite struct HostileClientTests {
    static let memoryAllowanceKiB = 64 * 1024
    /// A fresh client's answer, connect included, on a loaded two-core machine.
    static let freshClientBound = 1_000.0
    /// The server's deadlines (HTTPServerConfiguration's defaults, which the gateway keeps).
    static let headDeadline = 10.0
    static let writeDeadline = 30.0

    /// Start-up memory, after one request has warmed the gateway up.
    static func baseline(_ target: HostileTarget) -> Int {
        _ = Probe.get(port: target.port)
        return target.residentKiB() ?? 0
    }

    static func checkFreshClients(_ report: Watch.Report, allowing allowed: Set<Int> = [200], _ name: String) {
        #expect(report.probes.count >= 3, "\(name): only \(report.probes.count) probes ran")
        for probe in report.probes {
            #expect(probe.status.map(allowed.contains) == true, "\(name): a fresh client got \(probe.status.map(String.init) ?? "no answer") (\(probe.failure ?? ""))")
            #expect(probe.milliseconds < freshClientBound, "\(name): a fresh client waited \(Int(probe.milliseconds)) ms")
        }
    }

    static func checkMemory(_ name: String, before: Int, peak: Int, after: Int) {
        print("hostile \(name): VmRSS before \(before) KiB, peak \(peak) KiB, after \(after) KiB")
        #expect(before > 0 && after > 0, "\(name): VmRSS not readable")
        #expect(peak - before <= memoryAllowanceKiB, "\(name): VmRSS rose by \(peak - before) KiB")
        #expect(after - before <= memoryAllowanceKiB, "\(name): VmRSS stayed \(after - before) KiB up")
    }

    // MARK: - Slowloris

    struct Slowloris: Sendable {
        /// Per connection: seconds from connect until the server answered or closed; nil if it never did.
        var closedAfter: [Double?]
        var answered408 = 0
    }

    /// Half the connections trickle a head one byte every 500 ms from the start, half stay
    /// silent for 4 s first: all must be closed by the head deadline, which for a
    /// connection's first request counts from accept, so the late starters earn no time.
    @Test func slowlorisConnectionsAreClosedByTheHeadDeadline() async throws {
        let target = try HostileTarget()
        let before = Self.baseline(target)
        let port = target.port
        let count = 256
        let (outcome, report) = try await target.underWatch { try Self.slowloris(port: port, count: count) }
        let after = target.residentKiB() ?? 0
        let closed = outcome.closedAfter.compactMap { $0 }
        print("hostile slowloris: \(count) connections, closed after \(closed.min() ?? 0)...\(closed.max() ?? 0) s, \(outcome.answered408) answered 408; \(report.summary)")
        #expect(closed.count == count, "\(count - closed.count) slowloris connections were never closed")
        #expect(outcome.answered408 == count)
        for (index, seconds) in outcome.closedAfter.enumerated() {
            guard let seconds else { continue }
            #expect(seconds >= Self.headDeadline - 1, "connection \(index) closed after only \(seconds) s")
            #expect(seconds <= Self.headDeadline + 3, "connection \(index) (\(index % 2 == 0 ? "early" : "late") starter) closed after \(seconds) s")
        }
        Self.checkFreshClients(report, "slowloris")
        Self.checkMemory("slowloris", before: before, peak: report.peakKiB, after: after)
    }

    static func slowloris(port: Int, count: Int) throws -> Slowloris {
        let head = Array("GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\nX-Padding: ".utf8)
            + [UInt8](repeating: UInt8(ascii: "a"), count: 200)
        let clock = ContinuousClock()
        var sockets: [RawSocket] = []
        var connectedAt: [ContinuousClock.Instant] = []
        for _ in 0..<count {
            sockets.append(try RawSocket.connect(port: port))
            connectedAt.append(clock.now)
        }
        var sent = [Int](repeating: 0, count: count)
        var received = [[UInt8]](repeating: [], count: count)
        var closedAt = [ContinuousClock.Instant?](repeating: nil, count: count)
        var nextTrickle = clock.now
        let end = clock.now + .seconds(Self.headDeadline + 5)
        // Reads every 50 ms (to time the close), writes a byte every 500 ms.
        while clock.now < end, closedAt.contains(where: { $0 == nil }) {
            let now = clock.now
            let trickle = now >= nextTrickle
            if trickle { nextTrickle = now + .milliseconds(500) }
            for i in 0..<count where closedAt[i] == nil {
                switch sockets[i].receiveSome(into: &received[i]) {
                case .bytes: closedAt[i] = now  // the 408; the close follows
                case .closed, .reset: closedAt[i] = now
                case .wouldBlock: break
                }
                let starts = connectedAt[i] + (i % 2 == 0 ? .zero : .seconds(4))
                if closedAt[i] == nil, trickle, now >= starts, sent[i] < head.count {
                    guard let n = sockets[i].sendSome(head[sent[i]..<(sent[i] + 1)]) else {
                        closedAt[i] = now
                        continue
                    }
                    sent[i] += n
                }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        var outcome = Slowloris(closedAfter: [])
        for i in 0..<count {
            outcome.closedAfter.append(closedAt[i].map { ($0 - connectedAt[i]).inMilliseconds / 1000 })
            if received[i].starts(with: Array("HTTP/1.1 408".utf8)) { outcome.answered408 += 1 }
        }
        return outcome
    }

    // MARK: - Silent connections past the limit

    struct Silent: Sendable {
        var closedAfter: [Double?]
        /// Closed within a second of the last connect: shed for newcomers at the limit.
        var shedPromptly = 0
        var bytesReceived = 0
    }

    /// 200 connections that send nothing against a limit of 64: a fresh client is
    /// answered (200, or a fast 503), never left in the backlog; the silent ones are shed
    /// or closed silently by the first-request deadline.
    @Test func silentConnectionsPastTheLimitNeverLockOutAFreshClient() async throws {
        let limit = 64
        let target = try HostileTarget(environment: ["OTA_MAX_CONNECTIONS": "\(limit)"])
        let before = Self.baseline(target)
        let port = target.port
        let count = 200
        let (outcome, report) = try await target.underWatch { try Self.silent(port: port, count: count) }
        let after = target.residentKiB() ?? 0
        let closed = outcome.closedAfter.compactMap { $0 }
        let ok = report.statuses.filter { $0 == 200 }.count
        print("hostile silent: \(count) connections at a limit of \(limit), \(outcome.shedPromptly) shed at once, the last closed after \(closed.max() ?? 0) s; fresh clients \(ok)x200 \(report.probes.count - ok)x other; \(report.summary)")
        #expect(outcome.shedPromptly >= count - limit, "only \(outcome.shedPromptly) silent connections were shed for newcomers")
        #expect(closed.count == count, "\(count - closed.count) silent connections were never closed")
        #expect(closed.allSatisfy { $0 <= Self.headDeadline + 3 }, "a silent connection outlived the first-request deadline")
        #expect(outcome.bytesReceived == 0, "silent connections are closed without a response")
        Self.checkFreshClients(report, allowing: [200, 503], "silent")
        Self.checkMemory("silent", before: before, peak: report.peakKiB, after: after)
    }

    static func silent(port: Int, count: Int) throws -> Silent {
        let clock = ContinuousClock()
        var sockets: [RawSocket] = []
        var connectedAt: [ContinuousClock.Instant] = []
        for _ in 0..<count {
            sockets.append(try RawSocket.connect(port: port))
            connectedAt.append(clock.now)
        }
        let lastConnect = clock.now
        var closedAt = [ContinuousClock.Instant?](repeating: nil, count: count)
        var bytes: [UInt8] = []
        let end = clock.now + .seconds(Self.headDeadline + 5)
        while clock.now < end, closedAt.contains(where: { $0 == nil }) {
            let now = clock.now
            for i in 0..<count where closedAt[i] == nil {
                switch sockets[i].receiveSome(into: &bytes) {
                case .bytes, .closed, .reset: closedAt[i] = now
                case .wouldBlock: break
                }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        var outcome = Silent(closedAfter: [], bytesReceived: bytes.count)
        for i in 0..<count {
            outcome.closedAfter.append(closedAt[i].map { ($0 - connectedAt[i]).inMilliseconds / 1000 })
            if let at = closedAt[i], at - lastConnect <= .seconds(1) { outcome.shedPromptly += 1 }
        }
        return outcome
    }

    /// The race behind a fresh client's reset during the storm above, made deterministic:
    /// at the limit, with every slot busy and the 503 slots taken, the listener is parked
    /// and new connections wait in the backlog. A client connects and sends its request
    /// there, a silent one connects after it, one slot frees, and one accept batch takes
    /// both: the second must not shed the first, whose request is in (unread) already.
    ///
    /// A second race lives in the same place: a client that connects just as the last 503
    /// slot is taken used to be accepted by the same batch and closed unanswered. It needs
    /// the gateway's thread preempted at that moment, so the rounds run in parallel, each
    /// on a gateway of its own (they found it in about one round of eight on this machine).
    @Test(arguments: 1...8) func aClientWhoseRequestHasArrivedIsNotShedForANewcomer(round: Int) async throws {
        let limit = 4
        let target = try HostileTarget(environment: ["OTA_MAX_CONNECTIONS": "\(limit)"])
        let port = target.port
        let answer = try await offThread { try Self.shedRace(port: port, limit: limit) }
        print("hostile shed race \(round): the client with a request in got \(answer.status.map(String.init) ?? "nothing") \(answer.failure ?? "")")
        #expect(answer.status == 200 || answer.status == 503, "a client whose request had arrived got \(answer.failure ?? "?")")
    }

    static func shedRace(port: Int, limit: Int) throws -> (status: Int?, failure: String?) {
        let soon = ContinuousClock.now + .seconds(2)
        var busy: [RawSocket] = []
        for _ in 0..<limit {
            let s = try RawSocket.connect(port: port)
            guard s.sendAll(Array("GET /livez HTTP/1.1\r\n".utf8), deadline: soon) else { throw RawSocket.Failure(description: "send") }
            busy.append(s)
        }
        Thread.sleep(forTimeInterval: 0.2)
        // EventLoop.maxRejecting connections told 503, lingering while this side neither
        // closes nor stops: the listener is parked for their linger time (2 s).
        var rejected: [RawSocket] = []
        for _ in 0..<64 {
            let s = try RawSocket.connect(port: port)
            guard s.readResponse(until: soon).status == 503 else { throw RawSocket.Failure(description: "expected a 503 at the limit") }
            rejected.append(s)
        }
        let client = try RawSocket.connect(port: port)
        guard client.sendAll(Array("GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8), deadline: soon) else {
            throw RawSocket.Failure(description: "send")
        }
        let newcomer = try RawSocket.connect(port: port)
        Thread.sleep(forTimeInterval: 0.1)
        busy[0].close()
        let answer = client.readResponse(until: .now + .seconds(3))
        withExtendedLifetime((busy, rejected, newcomer)) {}
        return answer
    }
}
