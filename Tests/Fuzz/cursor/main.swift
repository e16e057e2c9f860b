// Fuzz target "cursor": PageCursor(token:) and PageRequest.parse on arbitrary text, as
// they arrive in `?cursor=` and `?limit=`.
//
// Invariants:
// - no crash, no sanitizer report (a forged instant must never reach Timestamp's
//   arithmetic out of range);
// - a token that decodes re-encodes to a token that decodes to the same cursor, and that
//   re-encoded token is a fixed point;
// - PageRequest.parse agrees with PageCursor(token:) and keeps the limit in range;
// - read as "<microseconds>:<id>", the text builds a cursor whose token decodes back to it
//   whenever the cursor is one the decoder accepts (an instant in range, a plain id, a
//   token of at most 300 characters).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    CursorFuzz.check(fuzzBytes(data, size))
    return 0
}

enum CursorFuzz {
    static func check(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        checkToken(text)
        // "limit\ncursor": both query parameters of one request.
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        checkPageRequest(limit: parts[0], cursor: parts.count > 1 ? parts[1] : nil)
        checkPageRequest(limit: nil, cursor: text)
        checkEncoding(text)
    }

    static func checkToken(_ token: String) {
        guard let cursor = PageCursor(token: token) else { return }
        touch(cursor)
        let again = cursor.token
        guard let decoded = PageCursor(token: again) else {
            violated("cursor from \(token) re-encodes to \(again), which does not decode")
        }
        if decoded != cursor { violated("\(token) and its re-encoding \(again) decode differently") }
        if decoded.token != again { violated("re-encoding is not a fixed point: \(again) -> \(decoded.token)") }
    }

    static func checkPageRequest(limit: String?, cursor: String?) {
        let page: PageRequest
        do {
            page = try PageRequest.parse(limit: limit, cursor: cursor)
        } catch {
            if error.field != "limit" && error.field != "cursor" { violated("an error about field \(error.field)") }
            if error.field == "cursor", let cursor, PageCursor(token: cursor) != nil, limitIsValid(limit) {
                violated("parse refused a cursor that decodes: \(cursor)")
            }
            return
        }
        if !(1...PageRequest.maxLimit).contains(page.limit) { violated("limit \(page.limit) out of range") }
        if limit == nil, page.limit != PageRequest.defaultLimit { violated("no limit given, but \(page.limit)") }
        if let cursor, page.after != PageCursor(token: cursor) { violated("parse and PageCursor(token:) disagree on \(cursor)") }
        if cursor == nil, page.after != nil { violated("a cursor out of nothing") }
        if let after = page.after { touch(after) }
    }

    static func limitIsValid(_ limit: String?) -> Bool {
        guard let limit else { return true }
        guard let n = Int(limit) else { return false }
        return (1...PageRequest.maxLimit).contains(n)
    }

    /// "<microseconds>:<id>" -> cursor -> token -> cursor.
    static func checkEncoding(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let micros = Int64(text[..<colon]) else { return }
        let id = String(text[text.index(after: colon)...])
        let cursor = PageCursor(createdAt: Timestamp(microseconds: micros), id: id)
        let token = cursor.token
        let acceptable = (0...PageCursor.latestMicroseconds).contains(micros) && !id.isEmpty
            && id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } && token.count <= 300
        let decoded = PageCursor(token: token)
        if acceptable, decoded != cursor { violated("the token \(token) of an acceptable cursor decodes to \(String(describing: decoded))") }
        if !acceptable, decoded != nil { violated("the token \(token) of a cursor out of range decodes") }
    }

    /// What the gateway does with a decoded cursor: bind its instant and id in a query and
    /// show them; none of it may trap.
    static func touch(_ cursor: PageCursor) {
        _ = cursor.createdAt.description
        _ = cursor.createdAt.date
        _ = cursor.id.utf8.count
    }
}
