import Testing
@testable import HTTP

/// What a hostile-client probe found (issue 13): absurd methods, missing Host, over-long
/// targets and chunk framing that costs more to parse than the body is worth. Each
/// status must be the same however the bytes are split.
@Suite struct ParserHardeningTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        let status: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no Host in HTTP/1.1", text: "GET / HTTP/1.1\r\n\r\n", status: 400),
        Case(name: "two Hosts", text: "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", status: 400),
        Case(name: "two Hosts in HTTP/1.0", text: "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "Host with a space", text: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", status: 400),
        Case(name: "Host with a path", text: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", status: 400),
        Case(name: "Host with userinfo", text: "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", status: 400),
        Case(name: "33-byte method", text: "\(String(repeating: "M", count: 33)) / HTTP/1.1\r\nHost: a\r\n\r\n", status: 501),
        Case(name: "chunk extension over 1 KiB",
             text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;x=\(String(repeating: "e", count: 1100))\r\nx\r\n0\r\n\r\n",
             status: 400),
    ]

    @Test(arguments: cases)
    func rejectsAtEverySplit(_ testCase: Case) {
        let (whole, disagreements) = ParseHarness.parseEverySplit(testCase.text)
        #expect(whole == [.error(status: testCase.status)])
        #expect(disagreements.isEmpty, "splits \(disagreements) disagree")
    }

    @Test(arguments: [
        "GET / HTTP/1.0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost:\r\n\r\n",  // empty: allowed when the target has no authority
        "GET / HTTP/1.1\r\nHOST: example.com:8080\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: xn--caf-dma.example\r\n\r\n",
        "\(String(repeating: "M", count: 32)) / HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=\(String(repeating: "v", count: 900))\r\nhello\r\n0\r\n\r\n",
    ])
    func accepts(_ text: String) {
        let (whole, disagreements) = ParseHarness.parseEverySplit(text)
        #expect(whole.count == 1)
        if case .request = whole.first {} else { Issue.record("not a request: \(whole)") }
        #expect(disagreements.isEmpty, "splits \(disagreements) disagree")
    }

    /// A 10,000-byte method is refused after its 33rd byte, without waiting for (and
    /// buffering) the rest, and the answer does not echo it.
    @Test func hugeMethodIsRefusedEarlyWithoutEchoingIt() {
        var parser = HTTPRequestParser()
        parser.append(Array(String(repeating: "A", count: 33).utf8))
        guard case .error(let status, let detail) = parser.next() else {
            Issue.record("expected an error after 33 bytes of method")
            return
        }
        #expect(status == 501)
        #expect(!detail.contains("AAAA"))
        let whole = ParseHarness.parse([Array("\(String(repeating: "A", count: 10_000)) / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)])
        #expect(whole == [.error(status: 501)])
    }

    @Test func overLongTargetGets414NotA431() {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 16 * 1024, maxBodyBytes: 1024)
        let long = "/" + String(repeating: "a", count: 8 * 1024)
        #expect(ParseHarness.parse([Array("GET \(long) HTTP/1.1\r\nHost: a\r\n\r\n".utf8)], limits: limits) == [.error(status: 414)])
        // Longer than the whole head limit: still the target's fault.
        let longer = "/" + String(repeating: "a", count: 20 * 1024)
        #expect(ParseHarness.parse([Array("GET \(longer) HTTP/1.1\r\nHost: a\r\n\r\n".utf8)], limits: limits) == [.error(status: 414)])
        // The same at every split (small limits keep this quick).
        let small = HTTPRequestParser.Limits(maxHeaderBytes: 512, maxBodyBytes: 16, maxTargetBytes: 256)
        let (whole, disagreements) = ParseHarness.parseEverySplit("GET /\(String(repeating: "b", count: 700)) HTTP/1.1\r\nHost: a\r\n\r\n", limits: small)
        #expect(whole == [.error(status: 414)])
        #expect(disagreements.isEmpty)
        let (justOver, _) = ParseHarness.parseEverySplit("GET /\(String(repeating: "b", count: 256)) HTTP/1.1\r\nHost: a\r\n\r\n", limits: small)
        #expect(justOver == [.error(status: 414)])
        // 8 KiB exactly is fine.
        let fits = "/" + String(repeating: "a", count: 8 * 1024 - 1)
        guard case .request(let request) = ParseHarness.parse([Array("GET \(fits) HTTP/1.1\r\nHost: a\r\n\r\n".utf8)], limits: limits).first else {
            Issue.record("an 8 KiB target should be accepted")
            return
        }
        #expect(request.target.utf8.count == 8 * 1024)
    }

    @Test func overLongTargetIsRefusedBeforeTheWholeHeadArrives() {
        var parser = HTTPRequestParser()
        parser.append(Array("GET /\(String(repeating: "a", count: 9 * 1024))".utf8))
        guard case .error(414, _) = parser.next() else {
            Issue.record("expected 414 before the end of the request line")
            return
        }
    }

    /// One-byte chunks: each costs a size line and two CRLFs for one byte of body. Past a
    /// budget relative to the body the request is refused rather than parsed to the end.
    @Test func floodOfTinyChunksIsRefused() {
        let chunks = String(repeating: "1\r\nx\r\n", count: 20_000)
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\(chunks)0\r\n\r\n"
        let outcomes = ParseHarness.parse([Array(text.utf8)])
        #expect(outcomes == [.error(status: 400)])
    }

    @Test func floodOfChunkExtensionsIsRefusedEarly() {
        // 1-byte chunks with a 1000-byte extension each (under the per-line limit).
        let chunk = "1;x=\(String(repeating: "e", count: 1000))\r\nx\r\n"
        var parser = HTTPRequestParser()
        parser.append(Array("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
        var chunksFed = 0
        var refused = false
        while chunksFed < 1000, !refused {
            parser.append(Array(chunk.utf8))
            chunksFed += 1
            if case .error(400, _) = parser.next() { refused = true }
        }
        #expect(refused)
        #expect(chunksFed <= 64)
    }

    @Test func ordinarySmallChunksAreFine() {
        let chunks = String(repeating: "10\r\n0123456789abcdef\r\n", count: 4000)
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\(chunks)0\r\n\r\n"
        guard case .request(let request) = ParseHarness.parse([Array(text.utf8)], limits: .init(maxBodyBytes: 1 << 20)).first else {
            Issue.record("expected the request")
            return
        }
        #expect(request.body.count == 64_000)
    }
}

@Suite struct HTTPMethodTests {
    @Test func knownMethodsAndTheirMetricsLabels() {
        #expect(HTTPMethod("GET") == .get)
        #expect(HTTPMethod.get.rawValue == "GET")
        let known: [HTTPMethod] = [.get, .head, .post, .put, .patch, .delete, .options, .trace, .connect]
        #expect(known.map(\.metricsLabel) == ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"])
        #expect(known.allSatisfy { $0.isKnown })
    }

    @Test func extensionMethodsShareOneLabel() {
        // Methods are case-sensitive (RFC 9110 §9.1): "get" is not GET.
        for text in ["BREW", "get", "PROPFIND", String(repeating: "X", count: 32)] {
            let method = HTTPMethod(text)
            #expect(!method.isKnown)
            #expect(method.metricsLabel == "other")
            #expect(method.rawValue == text)
        }
    }

    @Test func requestExposesItsTypedMethod() {
        let request = HTTPRequest(method: "PATCH", target: "/x")
        #expect(request.method == .patch)
        #expect(request.method == "PATCH")
        #expect(HTTPRequest(method: "BREW", target: "/").method.metricsLabel == "other")
    }

    @Test func excerptBoundsEchoedText() {
        #expect(HTTPRequest.excerpt("short") == "short")
        let long = String(repeating: "m", count: 10_000)
        let shown = HTTPRequest.excerpt(long)
        #expect(shown == String(repeating: "m", count: 64) + "…")
    }

    @Test func typedStatus() {
        #expect(HTTPStatus.notFound.code == 404)
        #expect(HTTPStatus(414).reasonPhrase == "URI Too Long")
        #expect(HTTPStatus.reasonPhrase(501) == "Not Implemented")
        let status: HTTPStatus = 503
        #expect(status == .serviceUnavailable)
    }
}
