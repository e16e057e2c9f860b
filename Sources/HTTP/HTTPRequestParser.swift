/// An incremental HTTP/1.1 request parser: a pure value type with no I/O. Append byte
/// chunks as they arrive and call `next()` until it answers `.needMore`; the result does
/// not depend on how the bytes were split. Pipelined requests stay in the buffer until
/// asked for, which is how the server keeps one request in flight per connection.
///
/// After an `.error` the parser stays failed: the connection must answer and close,
/// because the framing of whatever follows is unknown.
public struct HTTPRequestParser: Sendable {
    public struct Limits: Sendable {
        /// Request line plus header fields (and, separately, chunked trailers) -> 431.
        public var maxHeaderBytes: Int
        /// The decoded body -> 413.
        public var maxBodyBytes: Int
        /// The request-target -> 414, also when the request line alone exceeds
        /// maxHeaderBytes (it is the target's fault, not the header fields').
        public var maxTargetBytes: Int

        public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1 << 20, maxTargetBytes: Int = 8 * 1024) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
            self.maxTargetBytes = maxTargetBytes
        }
    }

    public enum Event: Sendable {
        /// A complete request; `keepAlive` says whether the client allows reuse.
        case request(HTTPRequest, keepAlive: Bool)
        /// More bytes are needed.
        case needMore
        /// The head asked for `Expect: 100-continue` and the body has not all arrived:
        /// the caller should send "100 Continue" (reported once per request).
        case continueExpected
        /// A malformed or over-limit request: answer `status` and close.
        case error(status: Int, detail: String)
    }

    enum Phase {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed(status: Int, detail: String)
    }

    /// A chunk-size line (size and extensions, without CRLF) longer than this is refused;
    /// extensions are ignored anyway.
    static let maxChunkLineBytes = 1024
    /// Chunk framing allowed beyond one byte per body byte: ordinary chunking (even of
    /// 16-byte chunks) stays far below; a flood of one-byte chunks does not.
    static let chunkFramingAllowance = 16 * 1024
    /// The longest request line whose target can still be within maxTargetBytes: method,
    /// two spaces, "HTTP/1.1" and CR.
    private var maxRequestLineBytes: Int { limits.maxTargetBytes + HTTPMethod.maxLength + 11 }

    public let limits: Limits
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first byte not yet consumed.
    private var start = 0
    /// How many bytes after `start` were already searched for a line end, so a head
    /// arriving byte by byte is not rescanned from its beginning each time.
    private var scanned = 0
    /// While the head is scanned: whether the request line's LF and the space after the
    /// method were seen, so that an absurd method or target is refused as soon as its
    /// bytes arrive rather than after maxHeaderBytes of them.
    private var requestLineDone = false
    private var methodDone = false
    /// Chunk-size lines and chunk CRLFs of the current request: parse work that carries
    /// no body, bounded relative to the body (one-byte chunks with long extensions).
    private var chunkFramingBytes = 0
    private var phase = Phase.head
    /// The parsed head while its body is read; the body is kept apart so that appending
    /// to it never copies (it is not inside an enum payload).
    private var pending: HTTPHeadParser.Head?
    private var body: [UInt8] = []
    private var trailerBytes = 0
    private var continueAnnounced = false

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Bytes received and not yet returned as part of a request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// True while part of a request has been received (head or body), i.e. the
    /// connection is not between requests.
    public var isMidRequest: Bool {
        if case .head = phase { return bufferedByteCount > 0 }
        return true
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Drops everything buffered; used while lingering before a close.
    mutating func discardBuffered() {
        buffer.removeAll()
        start = 0
        restartScan()
    }

    private mutating func restartScan() {
        scanned = 0
        requestLineDone = false
        methodDone = false
    }

    private mutating func compact() {
        if start == buffer.count {
            // Do not keep a large body's capacity around on an idle keep-alive connection.
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
            start = 0
        } else if start >= 4096, start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    public mutating func next() -> Event {
        while true {
            switch phase {
            case .failed(let status, let detail):
                return .error(status: status, detail: detail)
            case .head:
                if let event = parseHead() { return event }
            case .fixedBody(let remaining):
                guard bufferedByteCount >= remaining else { return waitForBody() }
                body = Array(buffer[start..<(start + remaining)])
                start += remaining
                return finishRequest()
            case .chunkSize:
                if let event = parseChunkSize() { return event }
            case .chunkData(let remaining):
                let take = min(remaining, bufferedByteCount)
                body.append(contentsOf: buffer[start..<(start + take)])
                start += take
                if take < remaining {
                    phase = .chunkData(remaining: remaining - take)
                    return waitForBody()
                }
                phase = .chunkDataEnd
            case .chunkDataEnd:
                guard bufferedByteCount >= 2 else { return waitForBody() }
                guard buffer[start] == .cr, buffer[start + 1] == .lf else {
                    return fail(400, "Chunk data is not followed by CRLF.")
                }
                start += 2
                phase = .chunkSize
            case .trailers:
                if let event = parseTrailerLine() { return event }
            }
        }
    }

    // MARK: - Head

    /// Returns an event, or nil after moving to a body phase.
    private mutating func parseHead() -> Event? {
        // RFC 9112 §2.2: ignore empty lines received before the request line.
        while bufferedByteCount >= 2, buffer[start] == .cr, buffer[start + 1] == .lf {
            start += 2
            restartScan()
        }
        guard let headLength = findHeadEnd() else {
            if case .failed(let status, let detail) = phase {
                return .error(status: status, detail: detail)
            }
            if bufferedByteCount > limits.maxHeaderBytes {
                // A request line that alone fills the head is an over-long target.
                if !requestLineDone { return failTargetTooLong() }
                return fail(431, "The request head is larger than \(limits.maxHeaderBytes) bytes.")
            }
            return .needMore
        }
        let limits = limits
        let result = buffer.withUnsafeBufferPointer { all in
            HTTPHeadParser.parse(UnsafeBufferPointer(rebasing: all[start..<(start + headLength)]), limits: limits)
        }
        start += headLength
        restartScan()
        switch result {
        case .failure(let failure):
            return fail(failure.status, failure.detail)
        case .success(let head):
            pending = head
            continueAnnounced = false
            chunkFramingBytes = 0
            switch head.framing {
            case .none: return finishRequest()
            case .length(let length): phase = .fixedBody(remaining: length)
            case .chunked: phase = .chunkSize
            }
            return nil
        }
    }

    /// The length of the head including its final CRLF CRLF, once it has arrived.
    /// Fails the parser on a bare LF, which is never valid in a head here, and on a
    /// method or request line too long to be valid, as soon as its bytes are in. Only
    /// the first maxHeaderBytes are searched and every check looks at bytes in order, so
    /// the outcome is the same however the bytes were split.
    private mutating func findHeadEnd() -> Int? {
        let count = min(bufferedByteCount, limits.maxHeaderBytes)
        let maxRequestLine = maxRequestLineBytes
        var found: Int?
        var failure: (status: Int, detail: String)?
        var lineDone = requestLineDone
        var methodSeen = methodDone
        let index = buffer.withUnsafeBufferPointer { all -> Int in
            let bytes = UnsafeBufferPointer(rebasing: all[start...])
            var index = scanned
            while index < count {
                let byte = bytes[index]
                if !lineDone {
                    if byte == .space {
                        methodSeen = true
                    } else if !methodSeen, index == HTTPMethod.maxLength, byte != .cr, byte != .lf {
                        failure = (501, "The request method is longer than \(HTTPMethod.maxLength) bytes; it is not implemented.")
                        return index
                    }
                    if byte != .lf, index >= maxRequestLine {
                        failure = (414, Self.targetTooLongDetail(limits.maxTargetBytes))
                        return index
                    }
                }
                if byte == .lf {
                    if index == 0 || bytes[index - 1] != .cr {
                        failure = (400, "Header lines must end with CRLF.")
                        return index
                    }
                    lineDone = true
                    if index >= 3, bytes[index - 2] == .lf, bytes[index - 3] == .cr {
                        found = index + 1
                        return index
                    }
                }
                index += 1
            }
            return index
        }
        if let failure {
            phase = .failed(status: failure.status, detail: failure.detail)
            return nil
        }
        if found == nil {
            scanned = index
            requestLineDone = lineDone
            methodDone = methodSeen
        }
        return found
    }

    static func targetTooLongDetail(_ limit: Int) -> String {
        "The request target is longer than \(limit) bytes."
    }

    private mutating func failTargetTooLong() -> Event {
        fail(414, Self.targetTooLongDetail(limits.maxTargetBytes))
    }

    // MARK: - Body

    private mutating func waitForBody() -> Event {
        if let pending, pending.expectsContinue, !continueAnnounced {
            continueAnnounced = true
            return .continueExpected
        }
        return .needMore
    }

    /// Parses "1a;ext=x\r\n". Returns an event, or nil after moving on.
    private mutating func parseChunkSize() -> Event? {
        let lineLimit = Self.maxChunkLineBytes + 2
        guard let lineLength = findLineEnd(limit: lineLimit) else {
            if case .failed(let status, let detail) = phase { return .error(status: status, detail: detail) }
            if bufferedByteCount >= lineLimit { return fail(400, "Chunk size line too long.") }
            return waitForBody()
        }
        // Each chunk costs its size line and the CRLF after its data.
        chunkFramingBytes += lineLength + 2
        if chunkFramingBytes > Self.chunkFramingAllowance + body.count {
            return fail(400, "Too much chunk framing for the size of the body.")
        }
        let line = buffer[start..<(start + lineLength - 2)]
        start += lineLength
        restartScan()
        var index = line.startIndex
        var size = 0
        var significantDigits = 0
        while index < line.endIndex, let digit = RequestTarget.hexValue(line[index]) {
            if size > 0 || digit > 0 { significantDigits += 1 }
            size = size << 4 | Int(digit)
            index += 1
            // 15 hex digits already exceed any sane body limit; stop before overflowing.
            if significantDigits > 15 { return fail(413, "Chunk size too large.") }
        }
        guard index > line.startIndex else { return fail(400, "Invalid chunk size.") }
        if index < line.endIndex {
            // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ignored.
            while index < line.endIndex, line[index] == .space || line[index] == .tab { index += 1 }
            guard index < line.endIndex, line[index] == UInt8(ascii: ";"),
                  line[index...].allSatisfy(\.isFieldValueCharacter)
            else { return fail(400, "Invalid chunk size.") }
        }
        if size == 0 {
            trailerBytes = 0
            phase = .trailers
            return nil
        }
        if size > limits.maxBodyBytes - body.count {
            return fail(413, "The request body is larger than \(limits.maxBodyBytes) bytes.")
        }
        phase = .chunkData(remaining: size)
        return nil
    }

    /// Skips one trailer field line; the empty line ends the request. Trailers are
    /// ignored (never merged into the headers) but bounded by maxHeaderBytes.
    private mutating func parseTrailerLine() -> Event? {
        let allowance = limits.maxHeaderBytes - trailerBytes
        guard let lineLength = findLineEnd(limit: allowance) else {
            if case .failed(let status, let detail) = phase { return .error(status: status, detail: detail) }
            if bufferedByteCount > allowance { return fail(431, "The trailer section is too large.") }
            return .needMore
        }
        start += lineLength
        restartScan()
        if lineLength == 2 {
            return finishRequest()
        }
        trailerBytes += lineLength
        if trailerBytes > limits.maxHeaderBytes { return fail(431, "The trailer section is too large.") }
        return nil
    }

    /// The length of the next line including CRLF, scanning at most `limit` bytes (so
    /// the outcome does not depend on how the bytes were split).
    private mutating func findLineEnd(limit: Int) -> Int? {
        let end = min(bufferedByteCount, limit)
        var index = scanned
        while index < end {
            if buffer[start + index] == .lf {
                guard index > 0, buffer[start + index - 1] == .cr else {
                    phase = .failed(status: 400, detail: "Lines must end with CRLF.")
                    return nil
                }
                return index + 1
            }
            index += 1
        }
        scanned = end
        return nil
    }

    // MARK: - Results

    private mutating func finishRequest() -> Event {
        guard var head = pending else { return fail(400, "Internal parser state error.") }
        pending = nil
        head.request.body = body
        body = []
        phase = .head
        restartScan()
        return .request(head.request, keepAlive: head.keepAlive)
    }

    private mutating func fail(_ status: Int, _ detail: String) -> Event {
        phase = .failed(status: status, detail: detail)
        pending = nil
        body = []
        return .error(status: status, detail: detail)
    }
}
