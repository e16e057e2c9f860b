/// Collects Content-Length and Transfer-Encoding while the head is parsed and decides the
/// body framing (RFC 9112 §6). Ambiguous framing is the root of request smuggling, so
/// every doubtful combination is refused rather than guessed.
struct FramingFields {
    /// The agreed Content-Length; `Int.max` stands for "too large to represent".
    private var contentLength: Int?
    private var transferEncodingSeen = false
    private var codingCount = 0
    private var chunkedCount = 0
    private var lastCodingIsChunked = false

    /// Adds one Content-Length field (which may itself be a list, "5, 5"). Returns a
    /// failure for non-numeric or differing values.
    mutating func addContentLength(_ value: UnsafeBufferPointer<UInt8>) -> HTTPHeadParser.Failure? {
        var failure: HTTPHeadParser.Failure?
        var sawElement = false
        HTTPHeadParser.forEachListElement(value) { element in
            guard failure == nil else { return }
            sawElement = true
            guard let length = Self.decimal(element) else {
                failure = HTTPHeadParser.Failure(status: 400, detail: "Invalid Content-Length.")
                return
            }
            if let existing = contentLength, existing != length {
                failure = HTTPHeadParser.Failure(status: 400, detail: "Conflicting Content-Length values.")
                return
            }
            contentLength = length
        }
        if failure == nil, !sawElement {
            failure = HTTPHeadParser.Failure(status: 400, detail: "Invalid Content-Length.")
        }
        return failure
    }

    mutating func addTransferEncoding(_ value: UnsafeBufferPointer<UInt8>) {
        transferEncodingSeen = true
        HTTPHeadParser.forEachListElement(value) { coding in
            codingCount += 1
            let isChunked = asciiCaseInsensitiveEqual(coding, Names.chunked)
            if isChunked { chunkedCount += 1 }
            lastCodingIsChunked = isChunked
        }
    }

    func resolve(version: HTTPVersion, maxBodyBytes: Int) -> Result<HTTPHeadParser.Framing, HTTPHeadParser.Failure> {
        if transferEncodingSeen {
            if contentLength != nil {
                return .failure(.init(status: 400, detail: "Both Content-Length and Transfer-Encoding are present."))
            }
            // An HTTP/1.0 message with Transfer-Encoding has faulty framing (RFC 9112 §6.1).
            if version == .http10 {
                return .failure(.init(status: 400, detail: "Transfer-Encoding is not allowed in HTTP/1.0."))
            }
            // Without chunked last the body length cannot be known (RFC 9112 §6.3).
            if codingCount == 0 || !lastCodingIsChunked || chunkedCount > 1 {
                return .failure(.init(status: 400, detail: "Transfer-Encoding must end with a single chunked."))
            }
            if codingCount > 1 {
                return .failure(.init(status: 501, detail: "Only the chunked transfer coding is supported."))
            }
            return .success(.chunked)
        }
        if let contentLength {
            if contentLength > maxBodyBytes {
                return .failure(.init(status: 413, detail: "The request body is larger than \(maxBodyBytes) bytes."))
            }
            return .success(contentLength == 0 ? .none : .length(contentLength))
        }
        return .success(.none)
    }

    /// 1*DIGIT; saturates at `Int.max` so a huge but well-formed length becomes a 413.
    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard byte.isASCIIDigit else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            value = (overflow1 || overflow2) ? Int.max : sum
        }
        return value
    }
}
