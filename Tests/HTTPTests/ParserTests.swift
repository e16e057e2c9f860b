import Testing
@testable import HTTP

/// Valid requests: each is parsed whole, split at every byte boundary and fed byte by
/// byte, and every way must give the same result.
@Suite struct ParserTests {
    static let validRequests: [String] = [
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a%20b/c?x=1&y=two+words&z=%C3%A9&flag HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
        "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n000\r\n\r\n",
        "GET /old HTTP/1.0\r\n\r\n",
        "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        "\r\n\r\nGET /after-empty-lines HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\nX-A:  spaced\t \r\nx-a: second\r\nX-Empty:\r\nX-Obs: caf\u{e9}\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",  // an IP literal and a port
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3, 3\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
        "GET http://example.com:8080/abs/path?q=1 HTTP/1.1\r\nHost: t\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n",
        "PUT /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
    ]

    @Test(arguments: validRequests)
    func parsesTheSameAtEverySplit(_ text: String) {
        let (whole, disagreements) = ParseHarness.parseEverySplit(text)
        #expect(whole.count == 1)
        if case .request = whole.first {} else { Issue.record("not a request: \(whole)") }
        #expect(disagreements.isEmpty, "splits \(disagreements) disagree")
    }

    @Test func pipelinedRequestsComeOutInOrderAtEverySplit() {
        let text = "GET /1 HTTP/1.1\r\nHost: t\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /3 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"
            + "GET /4 HTTP/1.1\r\nHost: t\r\n\r\n"
        let (whole, disagreements) = ParseHarness.parseEverySplit(text)
        #expect(disagreements.isEmpty)
        let paths = whole.compactMap { outcome -> String? in
            if case .request(let request) = outcome { return request.path }
            return nil
        }
        #expect(paths == ["/1", "/2", "/3", "/4"])
    }

    @Test func requestBeforeAnErrorIsStillReturned() {
        let (whole, disagreements) = ParseHarness.parseEverySplit("GET /ok HTTP/1.1\r\nHost: t\r\n\r\nGET /bad\r\n\r\n")
        #expect(disagreements.isEmpty)
        #expect(whole.count == 2)
        #expect(whole.last == .error(status: 400))
    }

    @Test func decodesFields() throws {
        let outcomes = ParseHarness.parse([Array(Self.validRequests[1].utf8)])
        guard case .request(let request) = outcomes.first else {
            Issue.record("no request")
            return
        }
        #expect(request.method == "GET")
        #expect(request.path == "/a b/c")
        #expect(request.query == [["x", "1"], ["y", "two words"], ["z", "é"], ["flag", ""]])
        #expect(request.version == .http11)
        #expect(request.keepAlive)
    }

    @Test func decodesChunkedBodyAndIgnoresTrailers() {
        guard case .request(let request) = ParseHarness.parse([Array(Self.validRequests[3].utf8)]).first else {
            Issue.record("no request")
            return
        }
        #expect(String(decoding: request.body, as: UTF8.self) == "hello world")
        #expect(!request.headers.contains { $0[0] == "X-Trailer" })
    }

    @Test func keepAliveRules() {
        func keepAlive(_ text: String) -> Bool? {
            guard case .request(let request) = ParseHarness.parse([Array(text.utf8)]).first else { return nil }
            return request.keepAlive
        }
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: t\r\n\r\n") == true)
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: t\r\nConnection: Upgrade, CLOSE\r\n\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.0\r\n\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") == true)
    }

    @Test func headersKeepOrderAndTrimWhitespace() {
        guard case .request(let request) = ParseHarness.parse([Array(Self.validRequests[9].utf8)]).first else {
            Issue.record("no request")
            return
        }
        #expect(request.headers == [["Host", "t"], ["X-A", "spaced"], ["x-a", "second"], ["X-Empty", ""], ["X-Obs", "café"]])
    }

    @Test func absoluteFormTargetYieldsPath() {
        guard case .request(let request) = ParseHarness.parse([Array(Self.validRequests[13].utf8)]).first else {
            Issue.record("no request")
            return
        }
        #expect(request.path == "/abs/path")
        #expect(request.query == [["q", "1"]])
    }

    @Test func announcesContinueOnceBeforeTheBody() {
        var parser = HTTPRequestParser()
        parser.append(Array("PUT /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        guard case .continueExpected = parser.next() else {
            Issue.record("expected 100-continue")
            return
        }
        guard case .needMore = parser.next() else {
            Issue.record("expected needMore")
            return
        }
        parser.append(Array("ok".utf8))
        guard case .request(let request, _) = parser.next() else {
            Issue.record("expected the request")
            return
        }
        #expect(request.body == Array("ok".utf8))
    }

    @Test func expectContinueWithOversizedBodyIsRefusedBeforeTheBody() {
        var parser = HTTPRequestParser(limits: .init(maxHeaderBytes: 1024, maxBodyBytes: 10))
        parser.append(Array("PUT /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n".utf8))
        guard case .error(let status, _) = parser.next() else {
            Issue.record("expected an error")
            return
        }
        #expect(status == 413)
    }

    @Test func staysFailedAfterAnError() {
        var parser = HTTPRequestParser()
        parser.append(Array("BAD\r\n\r\n".utf8))
        guard case .error(400, _) = parser.next() else {
            Issue.record("expected 400")
            return
        }
        parser.append(Array("GET / HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        guard case .error(400, _) = parser.next() else {
            Issue.record("expected to stay failed")
            return
        }
    }

    @Test func largeBodyByContentLength() {
        let body = String(repeating: "x", count: 200_000)
        let outcomes = ParseHarness.parse(
            [Array("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 200000\r\n\r\n\(body)".utf8)],
            limits: .init(maxHeaderBytes: 1024, maxBodyBytes: 200_000)
        )
        guard case .request(let request) = outcomes.first else {
            Issue.record("no request")
            return
        }
        #expect(request.body.count == 200_000)
    }
}
