@testable import HTTP

/// An Equatable summary of a parsed request, so parses can be compared.
struct RequestSummary: Equatable, CustomStringConvertible {
    var method: String
    var target: String
    var path: String
    var query: [[String]]
    var version: HTTPVersion
    var headers: [[String]]
    var body: [UInt8]
    var keepAlive: Bool

    init(_ request: HTTPRequest, keepAlive: Bool) {
        method = request.method.rawValue
        target = request.target
        path = request.path
        query = request.query.map { [$0.name, $0.value] }
        version = request.version
        headers = request.headers.map { [$0.name, $0.value] }
        body = request.body
        self.keepAlive = keepAlive
    }

    var description: String {
        "\(method) \(target) \(version) \(headers) body=\(String(decoding: body, as: UTF8.self)) keepAlive=\(keepAlive)"
    }
}

enum ParseOutcome: Equatable {
    case request(RequestSummary)
    case error(status: Int)
}

enum ParseHarness {
    /// Feeds the chunks in order, calling `next()` after each until it needs more, and
    /// collects requests and the error (parsing stops at an error). `100 Continue`
    /// announcements depend on timing and are left out.
    static func parse(_ chunks: [[UInt8]], limits: HTTPRequestParser.Limits = .init()) -> [ParseOutcome] {
        var parser = HTTPRequestParser(limits: limits)
        var outcomes: [ParseOutcome] = []
        for chunk in chunks {
            parser.append(chunk)
            loop: while true {
                switch parser.next() {
                case .needMore:
                    break loop
                case .continueExpected:
                    continue
                case .request(let request, let keepAlive):
                    outcomes.append(.request(RequestSummary(request, keepAlive: keepAlive)))
                case .error(let status, _):
                    outcomes.append(.error(status: status))
                    return outcomes
                }
            }
        }
        return outcomes
    }

    /// Every way to cut `bytes` in two, plus one byte at a time.
    static func splits(_ bytes: [UInt8]) -> [[[UInt8]]] {
        var result: [[[UInt8]]] = []
        for cut in 0...bytes.count {
            result.append([Array(bytes[..<cut]), Array(bytes[cut...])])
        }
        result.append(bytes.map { [$0] })
        return result
    }

    /// Parses whole and split at every boundary; returns the whole parse and the splits
    /// that disagreed with it (empty when all agree).
    static func parseEverySplit(_ text: String, limits: HTTPRequestParser.Limits = .init())
        -> (whole: [ParseOutcome], disagreements: [Int]) {
        let bytes = Array(text.utf8)
        let whole = parse([bytes], limits: limits)
        var disagreements: [Int] = []
        for (index, chunks) in splits(bytes).enumerated() where parse(chunks, limits: limits) != whole {
            disagreements.append(index)
        }
        return (whole, disagreements)
    }
}
