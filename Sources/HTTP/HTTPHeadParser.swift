/// Parses a request head (request line and header fields, RFC 9112 §3 and §5) from a
/// complete block of bytes ending in CRLF CRLF, and decides how the body is framed.
/// Strict where leniency enables request smuggling (obs-fold, whitespace before the
/// colon, conflicting lengths) and about Host (exactly one in HTTP/1.1, RFC 9112 §3.2).
enum HTTPHeadParser {
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
    }

    struct Head {
        var request: HTTPRequest
        var framing: Framing
        var keepAlive: Bool
        var expectsContinue: Bool
    }

    struct Failure: Error, Equatable {
        var status: Int
        var detail: String
    }

    static func parse(_ head: UnsafeBufferPointer<UInt8>, limits: HTTPRequestParser.Limits) -> Result<Head, Failure> {
        var lines = LineIterator(bytes: head)
        guard let requestLine = lines.next() else {
            return .failure(Failure(status: 400, detail: "Missing request line."))
        }
        let method: String
        let target: String
        let version: HTTPVersion
        switch parseRequestLine(requestLine, maxTargetBytes: limits.maxTargetBytes) {
        case .success(let parts): (method, target, version) = parts
        case .failure(let failure): return .failure(failure)
        }

        var headers = HTTPHeaders()
        var framing = FramingFields()
        var connectionClose = false
        var connectionKeepAlive = false
        var expectsContinue = false
        var hostCount = 0
        while let line = lines.next(), !line.isEmpty {
            let field: (name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>)
            switch parseField(line) {
            case .success(let parsed): field = parsed
            case .failure(let failure): return .failure(failure)
            }
            let name = String(decoding: field.name, as: UTF8.self)
            let value = String(decoding: field.value, as: UTF8.self)
            headers.add(name, value)
            if field.name.count == 14, asciiCaseInsensitiveEqual(field.name, Names.contentLength) {
                if let failure = framing.addContentLength(field.value) { return .failure(failure) }
            } else if field.name.count == 17, asciiCaseInsensitiveEqual(field.name, Names.transferEncoding) {
                framing.addTransferEncoding(field.value)
            } else if field.name.count == 10, asciiCaseInsensitiveEqual(field.name, Names.connection) {
                forEachListElement(field.value) { token in
                    if asciiCaseInsensitiveEqual(token, Names.close) { connectionClose = true }
                    if asciiCaseInsensitiveEqual(token, Names.keepAlive) { connectionKeepAlive = true }
                }
            } else if field.name.count == 4, asciiCaseInsensitiveEqual(field.name, Names.host) {
                hostCount += 1
                guard isValidHost(field.value) else {
                    return .failure(Failure(status: 400, detail: "Invalid Host header."))
                }
            } else if field.name.count == 6, asciiCaseInsensitiveEqual(field.name, Names.expect) {
                // HTTP/1.0 clients do not understand 100 Continue (RFC 9110 §10.1.1).
                if version == .http11, asciiCaseInsensitiveEqual(field.value, Names.hundredContinue) {
                    expectsContinue = true
                }
            }
        }

        // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host and for any request with
        // more than one (HTTP/1.0 may omit it).
        if hostCount > 1 || (hostCount == 0 && version == .http11) {
            return .failure(Failure(status: 400, detail: "An HTTP/1.1 request must have exactly one Host header."))
        }

        let bodyFraming: Framing
        switch framing.resolve(version: version, maxBodyBytes: limits.maxBodyBytes) {
        case .success(let resolved): bodyFraming = resolved
        case .failure(let failure): return .failure(failure)
        }
        let keepAlive = version == .http11 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        let request = HTTPRequest(method: HTTPMethod(method), target: target, version: version, headers: headers)
        return .success(Head(
            request: request,
            framing: bodyFraming,
            keepAlive: keepAlive,
            expectsContinue: expectsContinue && bodyFraming != .none && bodyFraming != .length(0)
        ))
    }

    // MARK: - Request line

    static func parseRequestLine(
        _ line: UnsafeBufferPointer<UInt8>, maxTargetBytes: Int
    ) -> Result<(String, String, HTTPVersion), Failure> {
        let bad = Failure(status: 400, detail: "Malformed request line.")
        guard let firstSpace = line.firstIndex(of: .space),
              let lastSpace = line.lastIndex(of: .space),
              firstSpace > 0, lastSpace > firstSpace + 1
        else { return .failure(bad) }
        let methodBytes = UnsafeBufferPointer(rebasing: line[0..<firstSpace])
        let targetBytes = UnsafeBufferPointer(rebasing: line[(firstSpace + 1)..<lastSpace])
        let versionBytes = UnsafeBufferPointer(rebasing: line[(lastSpace + 1)...])
        guard methodBytes.allSatisfy(\.isTokenCharacter) else { return .failure(bad) }
        // The incremental parser refuses these before the head is complete; this is for
        // a head handed over whole. The detail never echoes the method.
        guard methodBytes.count <= HTTPMethod.maxLength else {
            return .failure(Failure(status: 501, detail: "The request method is longer than \(HTTPMethod.maxLength) bytes; it is not implemented."))
        }
        guard targetBytes.count <= maxTargetBytes else {
            return .failure(Failure(status: 414, detail: HTTPRequestParser.targetTooLongDetail(maxTargetBytes)))
        }
        // Visible ASCII only: no spaces, controls or raw UTF-8 in a request-target.
        guard targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .failure(bad) }
        guard targetBytes[0] == UInt8(ascii: "/")
                || (targetBytes.count == 1 && targetBytes[0] == UInt8(ascii: "*"))
                || containsSchemeSeparator(targetBytes)
        else { return .failure(Failure(status: 400, detail: "Unsupported request target form.")) }

        let version: HTTPVersion
        if versionBytes.elementsEqual(Names.http11) {
            version = .http11
        } else if versionBytes.elementsEqual(Names.http10) {
            version = .http10
        } else if versionBytes.count == 8, versionBytes.starts(with: Names.http11.prefix(5)),
                  versionBytes[5].isASCIIDigit, versionBytes[6] == UInt8(ascii: "."), versionBytes[7].isASCIIDigit {
            return .failure(Failure(status: 505, detail: "Only HTTP/1.0 and HTTP/1.1 are supported."))
        } else {
            return .failure(bad)
        }
        return .success((
            String(decoding: methodBytes, as: UTF8.self),
            String(decoding: targetBytes, as: UTF8.self),
            version
        ))
    }

    private static func containsSchemeSeparator(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 3 else { return false }
        for index in 0..<(bytes.count - 2)
        where bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: "/") && bytes[index + 2] == UInt8(ascii: "/") {
            return true
        }
        return false
    }

    /// Host = uri-host [ ":" port ] (RFC 9110 §7.2): a reg-name or IP literal, no userinfo,
    /// path or whitespace. Empty is allowed (a target without authority).
    static func isValidHost(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        value.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            // unreserved, sub-delims, pct-encoded, ":" for the port and "[]" for IPv6.
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
                 UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
                 UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                 UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "%"),
                 UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
                true
            default:
                false
            }
        }
    }

    // MARK: - Header fields

    static func parseField(_ line: UnsafeBufferPointer<UInt8>)
        -> Result<(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>), Failure> {
        if line[0] == .space || line[0] == .tab {
            return .failure(Failure(status: 400, detail: "Obsolete line folding is not accepted."))
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            return .failure(Failure(status: 400, detail: "Malformed header field."))
        }
        let name = UnsafeBufferPointer(rebasing: line[0..<colon])
        // Also rejects whitespace between the name and the colon (RFC 9112 §5.1).
        guard name.allSatisfy(\.isTokenCharacter) else {
            return .failure(Failure(status: 400, detail: "Invalid header field name."))
        }
        let value = trimOWS(UnsafeBufferPointer(rebasing: line[(colon + 1)...]))
        guard value.allSatisfy(\.isFieldValueCharacter) else {
            return .failure(Failure(status: 400, detail: "Invalid character in header field value."))
        }
        return .success((name, value))
    }

    static func trimOWS(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lower = 0
        var upper = bytes.count
        while lower < upper, bytes[lower] == .space || bytes[lower] == .tab { lower += 1 }
        while upper > lower, bytes[upper - 1] == .space || bytes[upper - 1] == .tab { upper -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[lower..<upper])
    }

    /// Calls `body` with each non-empty, trimmed element of a comma-separated list.
    static func forEachListElement(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var elementStart = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ",") {
            let element = trimOWS(UnsafeBufferPointer(rebasing: bytes[elementStart..<index]))
            if !element.isEmpty { body(element) }
            elementStart = index + 1
        }
    }
}

/// Iterates the CRLF-terminated lines of a head whose line ends were already checked.
struct LineIterator {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    mutating func next() -> UnsafeBufferPointer<UInt8>? {
        guard position < bytes.count else { return nil }
        var index = position
        while index + 1 < bytes.count, !(bytes[index] == .cr && bytes[index + 1] == .lf) {
            index += 1
        }
        guard index + 1 < bytes.count else { return nil }
        let line = UnsafeBufferPointer(rebasing: bytes[position..<index])
        position = index + 2
        return line
    }
}

/// Byte strings compared against while parsing, kept as static arrays to avoid
/// building them per request.
enum Names {
    static let contentLength = Array("content-length".utf8)
    static let transferEncoding = Array("transfer-encoding".utf8)
    static let connection = Array("connection".utf8)
    static let expect = Array("expect".utf8)
    static let host = Array("host".utf8)
    static let close = Array("close".utf8)
    static let keepAlive = Array("keep-alive".utf8)
    static let chunked = Array("chunked".utf8)
    static let hundredContinue = Array("100-continue".utf8)
    static let http11 = Array("HTTP/1.1".utf8)
    static let http10 = Array("HTTP/1.0".utf8)
}

func asciiCaseInsensitiveEqual(_ x: UnsafeBufferPointer<UInt8>, _ y: [UInt8]) -> Bool {
    y.withUnsafeBufferPointer { asciiCaseInsensitiveEqual(x, $0) }
}

extension UInt8 {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")

    /// tchar (RFC 9110 §5.6.2).
    var isTokenCharacter: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// field-vchar, SP and HTAB; obs-text is tolerated (RFC 9110 §5.5).
    var isFieldValueCharacter: Bool {
        self == .tab || (self >= 0x20 && self != 0x7F)
    }
}
