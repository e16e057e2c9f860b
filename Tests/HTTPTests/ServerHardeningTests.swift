import Foundation
import HTTP
import Testing
import TestSupportCore

/// Connections that never send a byte (issue 13): they must neither hold a slot for the
/// idle timeout nor leave a new client unanswered once the limit is reached.
@Suite struct ServerHardeningTests {
    @Test func silentConnectionIsClosedAtTheHeadDeadline() throws {
        let server = try TestServer {
            $0.requestReadTimeout = .milliseconds(300)
            $0.idleTimeout = .seconds(60)
        }
        defer { server.stop() }
        // The exact deadline is ConnectionStateMachineTests.silentNewConnectionClosesAtTheHeadDeadline;
        // here only that the server acts on it: generously, long before the 60 s idle timeout.
        let silent = try server.client(receiveTimeout: .seconds(30))
        let started = ContinuousClock.now
        #expect(silent.waitForClose())
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func clientPastTheLimitIsAnsweredWhileOthersAreSilent() throws {
        let server = try TestServer {
            $0.maxConnections = 8
            $0.requestReadTimeout = .seconds(30)  // the silent ones outlive the test
        }
        defer { server.stop() }
        var silent: [TestConnection] = []
        for _ in 0..<8 { silent.append(try server.client()) }
        let ninth = try server.client(receiveTimeout: .seconds(10))  // not the silent ones' 30 s
        try ninth.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
        let status = try ninth.readResponse().status
        #expect(status == 200 || status == 503)
    }

    /// Far more silent connections than the limit and the 503 slots together: before, the
    /// rejected ones lingered and a new client waited in the backlog for seconds.
    @Test func floodOfSilentConnectionsDoesNotLockOutANewClient() throws {
        let server = try TestServer {
            $0.maxConnections = 8
            $0.requestReadTimeout = .seconds(30)
        }
        defer { server.stop() }
        var silent: [TestConnection] = []
        for _ in 0..<200 { silent.append(try server.client()) }
        let fresh = try server.client(receiveTimeout: .seconds(10))  // not the silent ones' 30 s
        try fresh.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
        let status = try fresh.readResponse().status
        #expect(status == 200 || status == 503)
        #expect(silent.count == 200)
    }

    /// Shedding takes an idle connection, never one whose request is being answered.
    @Test func shedsTheIdleConnectionNotTheBusyOne() throws {
        let server = try TestServer(configure: {
            $0.maxConnections = 2
            $0.requestReadTimeout = .seconds(30)
        }, handler: { request in
            if request.path == "/slow" { Thread.sleep(forTimeInterval: 0.5) }
            return TestServer.echo(request)
        })
        defer { server.stop() }
        let busy = try server.client()
        try busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let idle = try server.client(receiveTimeout: .seconds(10))  // shed now, not at the 30 s read timeout
        Thread.sleep(forTimeInterval: 0.1)
        let fresh = try server.client(receiveTimeout: .seconds(10))
        try fresh.send("GET /fresh HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try fresh.readResponse().status == 200)
        #expect(idle.waitForClose())
        #expect(try busy.readResponse().text == "GET /slow ")
    }
}
