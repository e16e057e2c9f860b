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

        public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1 << 20) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
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

    /// A chunk-size line longer than this is refused; extensions are ignored anyway.
    static let maxChunkLineBytes = 4096

    public let limits: Limits
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first byte not yet consumed.
    private var start = 0
    /// How many bytes after `start` were already searched for a line end, so a head
    /// arriving byte by byte is not rescanned from its beginning each time.
    private var scanned = 0
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
        scanned = 0
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
            scanned = 0
        }
        guard let headLength = findHeadEnd() else {
            if case .failed(let status, let detail) = phase {
                return .error(status: status, detail: detail)
            }
            if bufferedByteCount > limits.maxHeaderBytes {
                return fail(431, "The request head is larger than \(limits.maxHeaderBytes) bytes.")
            }
            return .needMore
        }
        let maxBodyBytes = limits.maxBodyBytes
        let result = buffer.withUnsafeBufferPointer { all in
            HTTPHeadParser.parse(UnsafeBufferPointer(rebasing: all[start..<(start + headLength)]), maxBodyBytes: maxBodyBytes)
        }
        start += headLength
        scanned = 0
        switch result {
        case .failure(let failure):
            return fail(failure.status, failure.detail)
        case .success(let head):
            pending = head
            continueAnnounced = false
            switch head.framing {
            case .none: return finishRequest()
            case .length(let length): phase = .fixedBody(remaining: length)
            case .chunked: phase = .chunkSize
            }
            return nil
        }
    }

    /// The length of the head including its final CRLF CRLF, once it has arrived.
    /// Fails the parser on a bare LF, which is never valid in a head here. Only the
    /// first maxHeaderBytes are searched, so the outcome is the same however the bytes
    /// were split.
    private mutating func findHeadEnd() -> Int? {
        let count = min(bufferedByteCount, limits.maxHeaderBytes)
        var found: Int?
        var bareLF = false
        buffer.withUnsafeBufferPointer { all in
            let bytes = UnsafeBufferPointer(rebasing: all[start...])
            var index = scanned
            while index < count {
                if bytes[index] == .lf {
                    if index == 0 || bytes[index - 1] != .cr {
                        bareLF = true
                        return
                    }
                    if index >= 3, bytes[index - 2] == .lf, bytes[index - 3] == .cr {
                        found = index + 1
                        return
                    }
                }
                index += 1
            }
        }
        if bareLF {
            phase = .failed(status: 400, detail: "Header lines must end with CRLF.")
            return nil
        }
        if found == nil { scanned = count }
        return found
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
        guard let lineLength = findLineEnd(limit: Self.maxChunkLineBytes) else {
            if case .failed(let status, let detail) = phase { return .error(status: status, detail: detail) }
            if bufferedByteCount > Self.maxChunkLineBytes { return fail(400, "Chunk size line too long.") }
            return waitForBody()
        }
        let line = buffer[start..<(start + lineLength - 2)]
        start += lineLength
        scanned = 0
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
        scanned = 0
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
        scanned = 0
        return .request(head.request, keepAlive: head.keepAlive)
    }

    private mutating func fail(_ status: Int, _ detail: String) -> Event {
        phase = .failed(status: status, detail: detail)
        pending = nil
        body = []
        return .error(status: status, detail: detail)
    }
}
