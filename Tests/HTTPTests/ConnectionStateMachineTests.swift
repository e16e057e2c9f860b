import Testing
@testable import HTTP

/// The connection lifecycle without sockets: times are made up, so every timeout is
/// checked exactly.
@Suite struct ConnectionStateMachineTests {
    typealias Instant = ContinuousClock.Instant

    static func policy(maxRequests: Int = 100) -> ConnectionPolicy {
        var configuration = HTTPServerConfiguration()
        configuration.requestReadTimeout = .seconds(10)
        configuration.idleTimeout = .seconds(60)
        configuration.writeTimeout = .seconds(30)
        configuration.maxRequestsPerConnection = maxRequests
        return ConnectionPolicy(configuration: configuration, lingerTimeout: .seconds(2))
    }

    let t0 = ContinuousClock.now

    func at(_ seconds: Double) -> Instant {
        t0 + .milliseconds(Int(seconds * 1000))
    }

    /// A machine that has answered one request at `answeredAt` and waits, keep-alive, for
    /// the next: the state in which the idle timeout applies.
    func keptAlive(answeredAt seconds: Double) -> ConnectionStateMachine {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        machine.bytesReceived(now: at(0))
        _ = machine.requestReceived(clientAllowsKeepAlive: true)
        _ = machine.responseStarted(now: at(seconds))
        _ = machine.responseWritten(now: at(seconds))
        return machine
    }

    @Test func idleConnectionClosesSilentlyAfterIdleTimeout() {
        var machine = keptAlive(answeredAt: 3)
        #expect(machine.deadline == at(63))
        let result1 = machine.deadlineReached(now: at(62.9))
        #expect(result1 == .none)
        let result2 = machine.deadlineReached(now: at(63))
        #expect(result2 == .close)
        #expect(machine.state == .closed)
    }

    @Test func headerDeadlineStartsAtFirstByteAndTrickleDoesNotExtendIt() {
        var machine = keptAlive(answeredAt: 0)
        machine.bytesReceived(now: at(1))
        #expect(machine.state == .receiving)
        #expect(machine.deadline == at(11))
        for second in 2...10 {
            machine.bytesReceived(now: at(Double(second)))  // one byte a second
            #expect(machine.deadline == at(11))
        }
        let result3 = machine.deadlineReached(now: at(10.9))
        #expect(result3 == .none)
        let result4 = machine.deadlineReached(now: at(11))
        #expect(result4 == .respondAndClose(status: 408))
        // The 408 is written and then the connection closes.
        let result5 = machine.responseStarted(now: at(11), forceClose: true)
        #expect(result5 == false)
        #expect(machine.deadline == at(41))
        let result6 = machine.responseWritten(now: at(11.1))
        #expect(result6 == .linger)
    }

    // A connection that never sends a byte must not hold a slot for the whole idle
    // timeout (issue 13): the first request is due within the head deadline of accept.
    @Test func silentNewConnectionClosesAtTheHeadDeadline() {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        #expect(machine.deadline == at(10))
        let early = machine.deadlineReached(now: at(9.9))
        #expect(early == .none)
        let due = machine.deadlineReached(now: at(10))
        #expect(due == .close)
        #expect(machine.state == .closed)
    }

    @Test func firstRequestDeadlineCountsFromAccept() {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        machine.bytesReceived(now: at(6))  // a late first byte gets no fresh 10 s
        #expect(machine.state == .receiving)
        #expect(machine.deadline == at(10))
        let due = machine.deadlineReached(now: at(10))
        #expect(due == .respondAndClose(status: 408))
    }

    @Test func shorterIdleTimeoutAlsoBoundsTheFirstByte() {
        var configuration = HTTPServerConfiguration()
        configuration.requestReadTimeout = .seconds(10)
        configuration.idleTimeout = .seconds(4)
        var machine = ConnectionStateMachine(policy: ConnectionPolicy(configuration: configuration), now: t0)
        #expect(machine.deadline == at(4))
        machine.bytesReceived(now: at(3))
        #expect(machine.deadline == at(10))
    }

    @Test func idleSinceSaysHowLongTheConnectionWaitedForARequest() {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        #expect(machine.idleSince == t0)
        machine.bytesReceived(now: at(1))
        #expect(machine.idleSince == nil)
        _ = machine.requestReceived(clientAllowsKeepAlive: true)
        #expect(machine.idleSince == nil)
        _ = machine.responseStarted(now: at(2))
        #expect(machine.idleSince == nil)
        _ = machine.responseWritten(now: at(3))
        #expect(machine.idleSince == at(3))
    }

    @Test func bodyDeadlineIsTheSameRequestDeadline() {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        machine.bytesReceived(now: at(0.5))  // head arrives
        machine.bytesReceived(now: at(5))  // some body
        machine.bytesReceived(now: at(10))  // more body, still incomplete
        let result7 = machine.deadlineReached(now: at(10.5))
        #expect(result7 == .respondAndClose(status: 408))
    }

    @Test func noDeadlineWhileTheWorkerHasTheRequest() {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        machine.bytesReceived(now: at(1))
        let result8 = machine.requestReceived(clientAllowsKeepAlive: true)
        #expect(result8)
        #expect(machine.state == .processing)
        #expect(machine.deadline == nil)
        let result9 = machine.deadlineReached(now: at(1000))
        #expect(result9 == .none)
    }

    @Test func keepAliveReturnsToIdleWithAFreshIdleDeadline() {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        machine.bytesReceived(now: at(1))
        _ = machine.requestReceived(clientAllowsKeepAlive: true)
        let result10 = machine.responseStarted(now: at(2))
        #expect(result10)
        #expect(machine.state == .writing)
        let result11 = machine.responseWritten(now: at(3))
        #expect(result11 == .awaitNextRequest)
        #expect(machine.state == .idle)
        #expect(machine.deadline == at(63))
        // The next request gets its own read deadline.
        machine.bytesReceived(now: at(20))
        #expect(machine.deadline == at(30))
    }

    @Test func stalledWriteClosesButProgressMovesTheDeadline() {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        machine.bytesReceived(now: at(0))
        _ = machine.requestReceived(clientAllowsKeepAlive: true)
        _ = machine.responseStarted(now: at(1))
        #expect(machine.deadline == at(31))
        machine.outputProgressed(now: at(20))
        #expect(machine.deadline == at(50))
        let result12 = machine.deadlineReached(now: at(49))
        #expect(result12 == .none)
        let result13 = machine.deadlineReached(now: at(50))
        #expect(result13 == .close)
    }

    @Test func clientThatDoesNotKeepAliveIsLingeredAndClosed() {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        machine.bytesReceived(now: at(0))
        let result14 = machine.requestReceived(clientAllowsKeepAlive: false)
        #expect(result14 == false)
        let result15 = machine.responseStarted(now: at(1))
        #expect(result15 == false)
        let result16 = machine.responseWritten(now: at(1))
        #expect(result16 == .linger)
        #expect(machine.state == .lingering)
        #expect(machine.deadline == at(3))
        let result17 = machine.deadlineReached(now: at(3))
        #expect(result17 == .close)
    }

    @Test func maxRequestsPerConnection() {
        var machine = ConnectionStateMachine(policy: Self.policy(maxRequests: 3), now: t0)
        var answers: [Bool] = []
        for second in 0..<3 {
            machine.bytesReceived(now: at(Double(second)))
            answers.append(machine.requestReceived(clientAllowsKeepAlive: true))
            _ = machine.responseStarted(now: at(Double(second)))
            _ = machine.responseWritten(now: at(Double(second)))
        }
        #expect(answers == [true, true, false])
        #expect(machine.state == .lingering)
        #expect(machine.requestCount == 3)
    }

    @Test func drainingClosesIdleConnectionsAtOnce() {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        let result18 = machine.beginDraining()
        #expect(result18)
        #expect(machine.state == .closed)
    }

    @Test func drainingLetsTheRequestInFlightFinishThenCloses() {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        machine.bytesReceived(now: at(0))
        let result19 = machine.requestReceived(clientAllowsKeepAlive: true)
        #expect(result19)
        let result20 = machine.beginDraining()
        #expect(result20 == false)
        let result21 = machine.responseStarted(now: at(1))
        #expect(result21 == false)  // Connection: close
        let result22 = machine.responseWritten(now: at(1))
        #expect(result22 == .linger)
    }

    @Test func errorResponseForcesClose() {
        var machine = ConnectionStateMachine(policy: Self.policy(), now: t0)
        machine.bytesReceived(now: at(0))
        let result23 = machine.responseStarted(now: at(0), forceClose: true)
        #expect(result23 == false)
        let result24 = machine.responseWritten(now: at(0))
        #expect(result24 == .linger)
    }
}
