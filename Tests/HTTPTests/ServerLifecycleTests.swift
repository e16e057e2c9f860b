import Foundation
import Glibc
import HTTP
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

    @Test func shutdownClosesIdleConnectionsPromptly() throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        let started = ContinuousClock.now
        server.server.shutdown()
        #expect(client.waitForClose())
        #expect(server.waitUntilFinished(timeout: 5))
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func shutdownDeadlineBoundsASlowHandler() throws {
        let server = try TestServer(configure: { $0.shutdownDeadline = .milliseconds(500) }, handler: { request in
            Thread.sleep(forTimeInterval: 3)
            return TestServer.echo(request)
        })
        let client = try server.client()
        try client.send("GET /stuck HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let started = ContinuousClock.now
        server.server.shutdown()
        #expect(server.waitUntilFinished(timeout: 5))
        #expect(ContinuousClock.now - started < .seconds(2))
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
        let started = ContinuousClock.now
        try server.run()
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(throws: HTTPServerError.alreadyRunning) { try server.run() }
    }
}
