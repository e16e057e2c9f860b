// Fuzz target "http": HTTPRequestParser (and HTTPHeadParser behind it) on arbitrary bytes.
// Compiled by scripts/fuzz.sh into one module with the parser's sources, so the harness
// sees the same types the server uses.
//
// Invariants, under one of two sets of limits chosen by the input's hash (small ones so
// that every limit is reachable with short inputs, and the server's defaults):
// - no crash, no sanitizer report, no endless loop (next() always makes progress);
// - the same bytes fed whole, cut in two, in random chunks and one byte at a time give the
//   same requests, in the same order, and the same final verdict;
// - a failed parser stays failed with the same error;
// - every request respects the limits (body, target).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    HTTPParserFuzz.check(fuzzBytes(data, size))
    return 0
}

enum HTTPParserFuzz {
    static let limitSets: [HTTPRequestParser.Limits] = [
        HTTPRequestParser.Limits(maxHeaderBytes: 160, maxBodyBytes: 96, maxTargetBytes: 40),
        HTTPRequestParser.Limits(),
    ]

    /// What a request came out as, comparable across feeds.
    struct Request: Equatable {
        var method: String
        var target: String
        var path: String
        var query: [[String]]
        var version: HTTPVersion
        var headers: [[String]]
        var body: [UInt8]
        var keepAlive: Bool
    }

    /// Everything a feed produced: the requests and how it ended.
    struct Outcome: Equatable {
        enum End: Equatable {
            case needMore(midRequest: Bool)
            case error(status: Int, detail: String)
        }
        var requests: [Request] = []
        var end = End.needMore(midRequest: false)
    }

    static func check(_ bytes: [UInt8]) {
        var generator = SplitMix64(hashing: bytes)
        let limits = limitSets[generator.below(limitSets.count)]
        let whole = feed([bytes[...]], limits: limits)
        let cut = generator.below(bytes.count + 1)
        compare(whole, feed([bytes[..<cut], bytes[cut...]], limits: limits), "cut at \(cut)", limits)
        compare(whole, feed(randomChunks(bytes, using: &generator), limits: limits), "random chunks", limits)
        // One byte at a time costs a next() per byte; random chunks cover long inputs.
        if bytes.count <= 1024 {
            compare(whole, feed(bytes.indices.map { bytes[$0...$0] }, limits: limits), "byte by byte", limits)
        }
    }

    static func compare(_ whole: Outcome, _ other: Outcome, _ how: String, _ limits: HTTPRequestParser.Limits) {
        guard whole != other else { return }
        violated("""
            fed whole and \(how) (limits \(limits.maxHeaderBytes)/\(limits.maxBodyBytes)/\(limits.maxTargetBytes)) disagree:
              whole: \(whole)
              \(how): \(other)
            """)
    }

    static func randomChunks(_ bytes: [UInt8], using generator: inout SplitMix64) -> [ArraySlice<UInt8>] {
        var chunks: [ArraySlice<UInt8>] = []
        var index = 0
        while index < bytes.count {
            // Mostly small pieces, now and then a large one.
            let most = generator.below(8) == 0 ? 512 : 24
            let size = 1 + generator.below(min(most, bytes.count - index))
            chunks.append(bytes[index..<(index + size)])
            index += size
        }
        return chunks
    }

    /// Appends the chunks in order, calling next() after each until it needs more; stops at
    /// the first error. `100 Continue` depends on how much of the body has arrived, so it is
    /// not part of the outcome.
    static func feed(_ chunks: [ArraySlice<UInt8>], limits: HTTPRequestParser.Limits) -> Outcome {
        var parser = HTTPRequestParser(limits: limits)
        var outcome = Outcome()
        for (number, chunk) in chunks.enumerated() {
            // Both append overloads are used by the server (socket reads and tests).
            if number % 2 == 0 {
                parser.append(chunk)
            } else {
                chunk.withUnsafeBytes { parser.append($0) }
            }
            // Each request consumes at least one byte, and `100 Continue` is announced at
            // most once per request: more calls than this without a needMore is a loop.
            var budget = 2 * parser.bufferedByteCount + 4
            loop: while true {
                budget -= 1
                if budget < 0 { violated("next() keeps answering without needing more bytes") }
                switch parser.next() {
                case .needMore:
                    break loop
                case .continueExpected:
                    continue
                case .request(let request, let keepAlive):
                    checkLimits(request, limits)
                    outcome.requests.append(Request(
                        method: request.method.rawValue, target: request.target, path: request.path,
                        query: request.query.map { [$0.name, $0.value] }, version: request.version,
                        headers: request.headers.map { [$0.name, $0.value] }, body: request.body,
                        keepAlive: keepAlive))
                case .error(let status, let detail):
                    checkStaysFailed(&parser, status: status, detail: detail)
                    outcome.end = .error(status: status, detail: detail)
                    return outcome
                }
            }
        }
        outcome.end = .needMore(midRequest: parser.isMidRequest)
        return outcome
    }

    static func checkLimits(_ request: HTTPRequest, _ limits: HTTPRequestParser.Limits) {
        if request.body.count > limits.maxBodyBytes {
            violated("a \(request.body.count)-byte body passed the \(limits.maxBodyBytes)-byte limit")
        }
        if request.target.utf8.count > limits.maxTargetBytes {
            violated("a \(request.target.utf8.count)-byte target passed the \(limits.maxTargetBytes)-byte limit")
        }
        if request.method.rawValue.isEmpty { violated("a request without a method") }
    }

    static func checkStaysFailed(_ parser: inout HTTPRequestParser, status: Int, detail: String) {
        guard (400...599).contains(status) else { violated("error status \(status) is not 4xx/5xx") }
        parser.append([UInt8]("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        guard case .error(status, detail) = parser.next() else {
            violated("a failed parser (\(status) \(detail)) accepted more input")
        }
    }
}
