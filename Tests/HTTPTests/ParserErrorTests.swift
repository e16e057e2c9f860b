import Testing
@testable import HTTP

/// Malformed and over-limit requests: the status must be the same however the bytes
/// are split.
@Suite struct ParserErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        let status: Int
        var testDescription: String { name }
    }

    static let small = HTTPRequestParser.Limits(maxHeaderBytes: 128, maxBodyBytes: 16)

    static let cases: [Case] = [
        Case(name: "CL and TE", text: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        Case(name: "TE then CL", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", status: 400),
        Case(name: "differing CL", text: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", status: 400),
        Case(name: "differing CL list", text: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3, 4\r\n\r\nabcd", status: 400),
        Case(name: "non-numeric CL", text: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n", status: 400),
        Case(name: "negative CL", text: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", status: 400),
        Case(name: "plus CL", text: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: +3\r\n\r\nabc", status: 400),
        Case(name: "empty CL", text: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: \r\n\r\n", status: 400),
        Case(name: "obs-fold", text: "GET / HTTP/1.1\r\nHost: t\r\nX-A: one\r\n  two\r\n\r\n", status: 400),
        Case(name: "space before colon", text: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", status: 400),
        Case(name: "invalid name", text: "GET / HTTP/1.1\r\nHost: t\r\nBad@Name: a\r\n\r\n", status: 400),
        Case(name: "empty name", text: "GET / HTTP/1.1\r\nHost: t\r\n: a\r\n\r\n", status: 400),
        Case(name: "no colon", text: "GET / HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n", status: 400),
        Case(name: "NUL in value", text: "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\u{0}b\r\n\r\n", status: 400),
        Case(name: "bare CR in value", text: "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n", status: 400),
        Case(name: "bare LF", text: "GET / HTTP/1.1\nHost: a\n\n", status: 400),
        Case(name: "bad chunk size", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400),
        Case(name: "chunk size with junk", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n", status: 400),
        Case(name: "negative chunk size", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", status: 400),
        Case(name: "chunk without CRLF", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", status: 400),
        Case(name: "chunk size bare LF", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", status: 400),
        Case(name: "chunk size overflow", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", status: 413),
        Case(name: "gzip, chunked", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", status: 501),
        Case(name: "gzip only", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", status: 400),
        Case(name: "chunked twice", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", status: 400),
        Case(name: "chunked then gzip", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", status: 400),
        Case(name: "TE in HTTP/1.0", text: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        Case(name: "missing version", text: "GET /\r\n\r\n", status: 400),
        Case(name: "lowercase version", text: "GET / http/1.1\r\n\r\n", status: 400),
        Case(name: "HTTP/2.0", text: "GET / HTTP/2.0\r\n\r\n", status: 505),
        Case(name: "space in target", text: "GET /a b HTTP/1.1\r\nHost: t\r\n\r\n", status: 400),
        Case(name: "double space", text: "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", status: 400),
        Case(name: "UTF-8 in target", text: "GET /caf\u{e9} HTTP/1.1\r\nHost: t\r\n\r\n", status: 400),
        Case(name: "relative target", text: "GET index.html HTTP/1.1\r\nHost: t\r\n\r\n", status: 400),
        Case(name: "bad method char", text: "G(T / HTTP/1.1\r\nHost: t\r\n\r\n", status: 400),
        Case(name: "huge CL", text: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999999\r\n\r\n", status: 413),
        Case(name: "CL over limit", text: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n", status: 413),
        Case(name: "chunked over limit", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n9\r\n", status: 413),
        Case(name: "head over limit", text: "GET / HTTP/1.1\r\nHost: t\r\nX-Long: \(String(repeating: "a", count: 120))\r\n\r\n", status: 431),
        Case(name: "endless head", text: "GET / HTTP/1.1\r\nHost: t\r\n" + String(repeating: "X-A: b\r\n", count: 40), status: 431),
        Case(name: "trailers over limit", text: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + String(repeating: "T: v\r\n", count: 40), status: 431),
    ]

    @Test(arguments: cases)
    func rejectsAtEverySplit(_ testCase: Case) {
        let (whole, disagreements) = ParseHarness.parseEverySplit(testCase.text, limits: Self.small)
        #expect(whole == [.error(status: testCase.status)])
        #expect(disagreements.isEmpty, "splits \(disagreements) disagree")
    }

    @Test func headExactlyAtTheLimitIsAccepted() {
        let base = "GET / HTTP/1.1\r\nHost: t\r\nX: \r\n\r\n"
        let padding = String(repeating: "a", count: 128 - base.utf8.count)
        let text = "GET / HTTP/1.1\r\nHost: t\r\nX: \(padding)\r\n\r\n"
        #expect(text.utf8.count == 128)
        let (whole, disagreements) = ParseHarness.parseEverySplit(text, limits: Self.small)
        #expect(whole.count == 1)
        if case .request = whole.first {} else { Issue.record("expected a request, got \(whole)") }
        #expect(disagreements.isEmpty)
        let (tooLong, _) = ParseHarness.parseEverySplit("GET / HTTP/1.1\r\nHost: t\r\nX: a\(padding)\r\n\r\n", limits: Self.small)
        #expect(tooLong == [.error(status: 431)])
    }

    @Test func bodyExactlyAtTheLimitIsAccepted() {
        let text = "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"
        let (whole, disagreements) = ParseHarness.parseEverySplit(text, limits: Self.small)
        #expect(whole.count == 1)
        #expect(disagreements.isEmpty)
    }
}
