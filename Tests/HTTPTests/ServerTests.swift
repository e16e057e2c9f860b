import Foundation
import HTTP
import Synchronization
import Testing
import TestSupportCore

/// Black-box tests over real sockets: each test runs its own server on port 0.
@Suite struct ServerTests {
    @Test func answersWithFramingHeaders() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /hello?x=1 HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "GET /hello ")
        #expect(response.header("Content-Length") == "11")
        #expect(response.header("Connection") == "keep-alive")
        #expect(response.header("Date")?.hasSuffix(" GMT") == true)
        #expect(response.header("Content-Type") == "text/plain")
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        for index in 0..<5 {
            try client.send("GET /\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.text == "GET /\(index) ")
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        // The first request is the slowest: order must still hold.
        let server = try TestServer(handler: { request in
            if request.path == "/1" { Thread.sleep(forTimeInterval: 0.2) }
            return TestServer.echo(request)
        })
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nPOST /2 HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhiGET /3 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().text == "GET /1 ")
        #expect(try client.readResponse().text == "POST /2 hi")
        #expect(try client.readResponse().text == "GET /3 ")
    }

    @Test func chunkedRequestBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n")
        Thread.sleep(forTimeInterval: 0.05)
        try client.send("5\r\npedia\r\n0\r\nTrailer: ignored\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.text == "POST /c Wikipedia")
    }

    @Test func http10ClosesByDefault() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /old HTTP/1.0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        #expect(client.waitForClose())
    }

    @Test func http10KeepAliveWhenAsked() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        for _ in 0..<2 {
            try client.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("Connection") == "keep-alive")
        }
    }

    @Test func connectionCloseIsHonoured() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(try client.readResponse().header("Connection") == "close")
        #expect(client.waitForClose())
    }

    @Test func headGetsHeadersWithoutBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try client.readResponse(bodyExpected: false)
        #expect(head.header("Content-Length") == "8")  // "HEAD /h "
        // The next response starts right after the head: nothing of a body was sent.
        try client.send("GET /g HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().text == "GET /g ")
    }

    @Test func expectContinueGetsInterimResponse() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("PUT /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        #expect(try client.readResponse().status == 100)
        try client.send("body")
        #expect(try client.readResponse().text == "PUT /e body")
    }

    @Test func requestCarriesRemoteAddressAndHeaders() throws {
        let server = try TestServer(handler: { request in
            let text = "\(request.remoteAddress)|\(request.headers["x-test"] ?? "")|\(request.queryValue("q") ?? "")"
            return HTTPResponse(status: 200, body: Array(text.utf8))
        })
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /p?q=a+b HTTP/1.1\r\nHost: t\r\nX-Test: yes\r\n\r\n")
        #expect(try client.readResponse().text == "127.0.0.1|yes|a b")
    }

    @Test func maxRequestsPerConnectionClosesAfterTheLast() throws {
        let server = try TestServer { $0.maxRequestsPerConnection = 2 }
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().header("Connection") == "keep-alive")
        try client.send("GET /2 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().header("Connection") == "close")
        #expect(client.waitForClose())
    }

    /// The slow handler is held until the ten fast requests are answered: they are
    /// answered while it is still busy, whatever the machine's speed (a stall would leave
    /// them waiting for it, and it for them, until the receive timeout).
    @Test func slowHandlerDoesNotStallOtherConnections() throws {
        let release = DispatchSemaphore(value: 0)
        let slowStarted = DispatchSemaphore(value: 0)
        let server = try TestServer(handler: { request in
            if request.path == "/slow" {
                slowStarted.signal()
                _ = release.wait(timeout: .now() + 30)
            }
            return TestServer.echo(request)
        })
        defer { server.stop() }
        defer { release.signal() }
        let slow = try server.client(receiveTimeout: .seconds(30))
        try slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(slowStarted.wait(timeout: .now() + 10) == .success, "the slow request is with a worker now")
        for index in 0..<10 {
            let client = try server.client(receiveTimeout: .seconds(10))
            try client.send("GET /fast\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        #expect(!slow.hasInputWaiting(), "the slow one is still in its handler")
        release.signal()
        #expect(try slow.readResponse().text == "GET /slow ")
    }

    @Test func handlersAreCreatedOncePerWorkerOnTheirOwnThread() throws {
        let created = Mutex<[Int]>([])
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.workerCount = 3
        let server = try HTTPServer(configuration: configuration) { index in
            created.withLock { $0.append(index) }
            return ClosureHandler { _ in HTTPResponse(status: 204) }
        }
        let finished = DispatchSemaphore(value: 0)
        let ready = DispatchSemaphore(value: 0)
        server.onReady = { ready.signal() }
        Thread {
            try? server.run()
            finished.signal()
        }.start()
        #expect(ready.wait(timeout: .now() + 5) == .success)
        let client = try TestConnection(port: server.port)
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 204)
        server.shutdown()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(created.withLock { $0.sorted() } == [0, 1, 2])
    }
}

/// Input handling beyond the single request: large bodies, deep pipelines, half-close.
@Suite struct ServerInputTests {
    @Test func largeBodyIsReceivedWhole() throws {
        let server = try TestServer(handler: { request in
            HTTPResponse(status: 200, body: Array("\(request.body.count) \(request.body.last ?? 0)".utf8))
        })
        defer { server.stop() }
        let client = try server.client()
        let body = [UInt8](repeating: 0x62, count: 600_000)
        try client.send(Array("POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        #expect(try client.readResponse().text == "600000 98")
    }

    @Test func deepPipelineBeyondTheReadPauseIsAnsweredInOrder() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        let padding = String(repeating: "p", count: 400)
        var batch = ""
        for index in 0..<300 {
            batch += "GET /\(index) HTTP/1.1\r\nHost: t\r\nX-Padding: \(padding)\r\n\r\n"
        }
        #expect(batch.utf8.count > 64 * 1024)
        try client.send(batch)
        for index in 0..<300 {
            #expect(try client.readResponse().text == "GET /\(index) ")
        }
    }

    @Test func halfClosedClientStillGetsEveryAnswer() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        client.finishSending()
        #expect(try client.readResponse().text == "GET /a ")
        #expect(try client.readResponse().text == "GET /b ")
        #expect(client.waitForClose())
    }
}
