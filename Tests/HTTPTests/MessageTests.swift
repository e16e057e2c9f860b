import Testing
@testable import HTTP

@Suite struct HeadersTests {
    @Test func lookupIsCaseInsensitiveAndOrdered() {
        var headers = HTTPHeaders([("Content-Type", "a"), ("X-Many", "1"), ("x-many", "2")])
        #expect(headers["content-type"] == "a")
        #expect(headers["X-MANY"] == "1")
        #expect(headers.values("x-Many") == ["1", "2"])
        #expect(headers.contains("CONTENT-TYPE"))
        #expect(headers["missing"] == nil)
        headers.add("X-Many", "3")
        #expect(headers.values("x-many") == ["1", "2", "3"])
    }

    @Test func setReplacesAllInPlaceOfTheFirst() {
        var headers = HTTPHeaders([("A", "1"), ("X", "1"), ("B", "2"), ("x", "2")])
        headers.set("X", "new")
        #expect(headers.map { "\($0.name)=\($0.value)" } == ["A=1", "X=new", "B=2"])
        headers.set("C", "3")
        #expect(headers["c"] == "3")
        headers.remove("a")
        #expect(!headers.contains("A"))
        #expect(headers.count == 3)
    }
}

@Suite struct RequestTargetTests {
    @Test func decodesPathAndQuery() {
        let request = HTTPRequest(method: "GET", target: "/p%2Fq/%E2%82%AC?a=1&b=x+y%2B&a=2&&empty=&novalue")
        #expect(request.path == "/p/q/€")
        #expect(request.queryValue("a") == "1")
        #expect(request.queryValue("b") == "x y+")
        #expect(request.queryValue("empty") == "")
        #expect(request.queryValue("novalue") == "")
        #expect(request.query.map(\.name) == ["a", "b", "a", "empty", "novalue"])
    }

    @Test func plusInPathStaysPlus() {
        #expect(HTTPRequest(method: "GET", target: "/a+b").path == "/a+b")
    }

    @Test func malformedEscapesAreKeptLiterally() {
        #expect(HTTPRequest(method: "GET", target: "/a%zz%4").path == "/a%zz%4")
    }

    @Test func absoluteAndAsteriskForms() {
        #expect(HTTPRequest(method: "GET", target: "http://h:1/x?y=1").path == "/x")
        #expect(HTTPRequest(method: "GET", target: "http://h:1").path == "/")
        #expect(HTTPRequest(method: "GET", target: "http://h?q=2").queryValue("q") == "2")
        #expect(HTTPRequest(method: "OPTIONS", target: "*").path == "*")
    }
}

@Suite struct ResponseEncoderTests {
    static let date = Array("Sun, 06 Nov 1994 08:49:37 GMT".utf8)

    func encode(_ response: HTTPResponse, keepAlive: Bool = true, head: Bool = false) -> String {
        var out: [UInt8] = []
        ResponseEncoder.encode(response, keepAlive: keepAlive, omitBody: head, date: Self.date, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func headAndBodyTogether() {
        let text = encode(HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: Array("hi".utf8)))
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
            + "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: keep-alive\r\n\r\nhi")
    }

    @Test func serverOwnsFramingHeaders() {
        let response = HTTPResponse(
            status: 201,
            headers: HTTPHeaders([("content-length", "99"), ("Connection", "upgrade"), ("Transfer-Encoding", "chunked"), ("Date", "x")]),
            body: Array("abc".utf8)
        )
        let text = encode(response, keepAlive: false)
        #expect(text == "HTTP/1.1 201 Created\r\nContent-Length: 3\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: close\r\n\r\nabc")
    }

    @Test func headOmitsBodyButKeepsLength() {
        let text = encode(HTTPResponse(status: 200, body: Array("hello".utf8)), head: true)
        #expect(text.hasSuffix("Content-Length: 5\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: keep-alive\r\n\r\n"))
    }

    @Test func noContentStatusesHaveNoLengthOrBody() {
        let text = encode(HTTPResponse(status: 204, body: Array("ignored".utf8)))
        #expect(text == "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test func headerInjectionIsDropped() {
        let response = HTTPResponse(status: 200, headers: HTTPHeaders([("X-Bad", "a\r\nSet-Cookie: evil"), ("Bad Name", "v"), ("X-Ok", "fine")]))
        let text = encode(response)
        #expect(!text.contains("evil"))
        #expect(!text.contains("Bad Name"))
        #expect(text.contains("X-Ok: fine\r\n"))
    }

    @Test func invalidStatusBecomes500() {
        #expect(encode(HTTPResponse(status: 42)).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
    }

    @Test func decimal() {
        for value in [0, 7, 10, 1234567890, Int.max] {
            var out: [UInt8] = []
            ResponseEncoder.appendDecimal(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
    }

    @Test func dateFormat() {
        #expect(String(decoding: HTTPDateCache.format(784_111_777), as: UTF8.self) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func problemDetails() {
        let response = HTTPServer.defaultErrorResponse(status: 413, detail: "Too \"big\"\n")
        #expect(response.status == 413)
        #expect(response.headers["content-type"] == "application/problem+json")
        #expect(String(decoding: response.body, as: UTF8.self)
            == #"{"type":"about:blank","title":"Content Too Large","status":413,"detail":"Too \"big\"\n"}"#)
    }
}
