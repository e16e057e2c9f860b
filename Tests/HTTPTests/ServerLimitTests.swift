import Foundation
import HTTP
import Synchronization
import Testing
import TestSupportCore

/// Limits and timeouts over real sockets, with short values so the tests stay quick.
@Suite struct ServerLimitTests {
    /// Reads an error response and checks that the server then closes.
    func expectErrorAndClose(_ client: TestConnection, status: Int) throws {
        let response = try client.readResponse()
        #expect(response.status == status)
        #expect(response.header("Connection") == "close")
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.text.contains("\"status\":\(status)"))
        #expect(client.waitForClose())
    }

    @Test func malformedRequestGets400AndClose() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n")
        try expectErrorAndClose(client, status: 400)
    }

    @Test func conflictingFramingGets400() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        try expectErrorAndClose(client, status: 400)
    }

    @Test func unsupportedTransferCodingGets501() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
        try expectErrorAndClose(client, status: 501)
    }

    /// The exact deadline is ConnectionStateMachineTests (header and first-request
    /// deadlines); here, generously, that the server acts on it and not on the 60 s idle timeout.
    @Test func incompleteRequestGets408AndClose() throws {
        let server = try TestServer {
            $0.requestReadTimeout = .milliseconds(300)
            $0.idleTimeout = .seconds(60)
        }
        defer { server.stop() }
        let client = try server.client(receiveTimeout: .seconds(30))
        let started = ContinuousClock.now
        try client.send("GET / HTTP/1.1\r\nHost:")
        try expectErrorAndClose(client, status: 408)
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    /// A byte every 50 ms for seconds, against a 400 ms deadline: the 408 must come while
    /// the client is still trickling. Had each byte extended the deadline, nothing would come
    /// until the trickle stopped; no clock needed to tell (the arithmetic is
    /// ConnectionStateMachineTests.headerDeadlineStartsAtFirstByteAndTrickleDoesNotExtendIt).
    @Test func tricklingBytesDoesNotExtendTheDeadline() throws {
        let server = try TestServer { $0.requestReadTimeout = .milliseconds(400) }
        defer { server.stop() }
        let client = try server.client(receiveTimeout: .seconds(30))
        let bytes = Array(("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: " + String(repeating: "a", count: 200)).utf8)
        var sent = 0
        while sent < bytes.count, !client.hasInputWaiting() {
            try client.send([bytes[sent]])
            sent += 1
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(sent < bytes.count, "answered while the bytes were still trickling in (after \(sent) of \(bytes.count))")
        try expectErrorAndClose(client, status: 408)
    }

    @Test func slowBodyGets408() throws {
        let server = try TestServer { $0.requestReadTimeout = .milliseconds(300) }
        defer { server.stop() }
        let client = try server.client()
        try client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        try expectErrorAndClose(client, status: 408)
    }

    @Test func bodyOverLimitGets413FromContentLength() throws {
        let server = try TestServer { $0.maxBodyBytes = 10 }
        defer { server.stop() }
        let client = try server.client()
        try client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n" + String(repeating: "x", count: 100))
        try expectErrorAndClose(client, status: 413)
    }

    @Test func chunkedBodyOverLimitGets413() throws {
        let server = try TestServer { $0.maxBodyBytes = 10 }
        defer { server.stop() }
        let client = try server.client()
        try client.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")
        try expectErrorAndClose(client, status: 413)
    }

    @Test func headersOverLimitGet431() throws {
        let server = try TestServer { $0.maxHeaderBytes = 256 }
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "b", count: 300))\r\n\r\n")
        try expectErrorAndClose(client, status: 431)
    }

    /// With every slot busy there is no idle connection to shed (ServerHardeningTests):
    /// a new connection is told 503 and closed.
    @Test func connectionsOverTheLimitGet503AndClose() throws {
        let release = DispatchSemaphore(value: 0)
        let server = try TestServer(configure: { $0.maxConnections = 2 }, handler: { request in
            if request.path == "/hold" { _ = release.wait(timeout: .now() + 5) }
            return TestServer.echo(request)
        })
        defer { server.stop() }
        var held: [TestConnection] = []
        for _ in 0..<2 {
            let client = try server.client()
            try client.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
            held.append(client)
        }
        Thread.sleep(forTimeInterval: 0.1)
        let extra = try server.client()
        try extra.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        let rejected = try extra.readResponse()
        #expect(rejected.status == 503)
        #expect(rejected.header("Retry-After") != nil)
        #expect(rejected.header("Connection") == "close")
        #expect(extra.waitForClose())
        release.signal()
        release.signal()
        for client in held { #expect(try client.readResponse().status == 200) }
        // A freed slot is served again.
        held.removeFirst()
        Thread.sleep(forTimeInterval: 0.1)
        let next = try server.client()
        try next.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try next.readResponse().status == 200)
    }

    @Test func fullQueueGets503WithRetryAfter() throws {
        let server = try TestServer(configure: {
            $0.workerCount = 1
            $0.queueCapacity = 1
        }, handler: { request in
            Thread.sleep(forTimeInterval: 0.5)
            return TestServer.echo(request)
        })
        defer { server.stop() }
        let running = try server.client()
        try running.send("GET /running HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let queued = try server.client()
        try queued.send("GET /queued HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let refused = try server.client()
        try refused.send("GET /refused HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try refused.readResponse()
        #expect(response.status == 503)
        #expect(response.header("Retry-After") == "1")
        // A busy answer does not end the connection.
        #expect(response.header("Connection") == "keep-alive")
        #expect(try running.readResponse().status == 200)
        #expect(try queued.readResponse().status == 200)
    }

    @Test func jobThatWaitedTooLongNeverReachesTheHandler() throws {
        let handled = Mutex<[String]>([])
        let server = try TestServer(configure: {
            $0.workerCount = 1
            $0.maxQueueWait = .milliseconds(100)
        }, handler: { request in
            handled.withLock { $0.append(request.path) }
            if request.path == "/slow" { Thread.sleep(forTimeInterval: 0.4) }
            return TestServer.echo(request)
        })
        defer { server.stop() }
        let slow = try server.client()
        try slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.05)
        let late = try server.client()
        try late.send("GET /late HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try late.readResponse().status == 503)
        #expect(try slow.readResponse().status == 200)
        #expect(handled.withLock { $0 } == ["/slow"])
    }

    /// The exact timeout is ConnectionStateMachineTests.idleConnectionClosesSilentlyAfterIdleTimeout;
    /// here, generously, that the server closes on it (the read timeout is a minute).
    @Test func idleKeepAliveConnectionIsClosedSilently() throws {
        let server = try TestServer {
            $0.idleTimeout = .milliseconds(300)
            $0.requestReadTimeout = .seconds(60)
        }
        defer { server.stop() }
        let client = try server.client(receiveTimeout: .seconds(30))
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        let started = ContinuousClock.now
        #expect(client.waitForClose())  // nothing is sent, just the close
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func stalledWriteIsClosed() throws {
        let size = 64 << 20
        let server = try TestServer(configure: { $0.writeTimeout = .milliseconds(300) }, handler: { _ in
            HTTPResponse(status: 200, body: [UInt8](repeating: 0x61, count: size))
        })
        defer { server.stop() }
        let client = try server.client(receiveTimeout: .seconds(2))
        try client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 1.5)  // not reading: the server's send stalls
        let received = client.readUntilClosed()
        #expect(received.count < size)
    }
}
