import Foundation
import Glibc
import HTTP
import Synchronization
import Testing
import TestSupportCore

/// Start-up and graceful shutdown.
@Suite struct ServerLifecycleTests {
    @Test func takenPortIsAClearError() throws {
        let first = try TestServer()
        defer { first.stop() }
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = first.port
        #expect(throws: HTTPServerError.addressInUse(host: "127.0.0.1", port: first.port)) {
            _ = try HTTPServer(configuration: configuration) { _ in ClosureHandler(TestServer.echo) }
        }
    }

    @Test func shutdownFinishesTheRequestInFlight() throws {
        let server = try TestServer(handler: { request in
            Thread.sleep(forTimeInterval: 1)
            return TestServer.echo(request)
        })
        let client = try server.client()
        try client.send("GET /inflight HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!server.server.isDraining)
        server.server.shutdown()
        #expect(server.server.isDraining)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "GET /inflight ")
        #expect(response.header("Connection") == "close")
        #expect(client.waitForClose())
        #expect(server.waitUntilFinished(timeout: 5))
        // The listener is closed: new connections are refused.
        #expect(throws: (any Error).self) { _ = try server.client() }
    }

    /// "At once" is ConnectionStateMachineTests.drainingClosesIdleConnectionsAtOnce; here,
    /// generously, that the server does it: well before the 25 s shutdown deadline or the
    /// 60 s idle timeout would have.
    @Test func shutdownClosesIdleConnectionsPromptly() throws {
        let server = try TestServer()
        let client = try server.client(receiveTimeout: .seconds(20))
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        let started = ContinuousClock.now
        server.server.shutdown()
        #expect(client.waitForClose())
        #expect(server.waitUntilFinished(timeout: 20))
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    /// The handler is released only after run() returned: without the deadline run() would
    /// wait for it and never return in time, whatever the machine's speed.
    @Test func shutdownDeadlineBoundsASlowHandler() throws {
        let release = DispatchSemaphore(value: 0)
        let inHandler = Mutex(false)
        let server = try TestServer(configure: { $0.shutdownDeadline = .milliseconds(500) }, handler: { request in
            inHandler.withLock { $0 = true }
            _ = release.wait(timeout: .now() + 30)
            inHandler.withLock { $0 = false }
            return TestServer.echo(request)
        })
        defer { release.signal() }
        let client = try server.client(receiveTimeout: .seconds(20))
        try client.send("GET /stuck HTTP/1.1\r\nHost: t\r\n\r\n")
        var waited = 0
        while !inHandler.withLock({ $0 }), waited < 500 { Thread.sleep(forTimeInterval: 0.01); waited += 1 }
        #expect(inHandler.withLock { $0 }, "the request reached its handler")
        server.server.shutdown()
        #expect(server.waitUntilFinished(timeout: 20))
        #expect(inHandler.withLock { $0 }, "run() returned while the handler was still busy")
        #expect(client.waitForClose())
    }

    @Test func sigtermStartsAGracefulShutdown() throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        server.signalWatcherThread(SIGTERM)
        #expect(server.waitUntilFinished(timeout: 5))
        #expect(server.server.isDraining)
        #expect(client.waitForClose())
    }

    @Test func shutdownBeforeRunReturnsAtOnce() throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let server = try HTTPServer(configuration: configuration) { _ in ClosureHandler(TestServer.echo) }
        server.shutdown()
        // On a thread of its own, so a run() that ignored the shutdown fails the test
        // (generously, after 20 s) instead of hanging it.
        let returned = DispatchSemaphore(value: 0)
        let runError = Mutex<(any Error)?>(nil)
        Thread {
            do { try server.run() } catch { runError.withLock { $0 = error } }
            returned.signal()
        }.start()
        #expect(returned.wait(timeout: .now() + 20) == .success)
        #expect(runError.withLock { $0 } == nil)
        #expect(throws: HTTPServerError.alreadyRunning) { try server.run() }
    }
}
