/// A page of a newest-first listing: how many, and after which item.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maxLimit = 500

    public var limit: Int
    public var after: PageCursor?

    public init(limit: Int = PageRequest.defaultLimit, after: PageCursor? = nil) {
        self.limit = limit
        self.after = after
    }

    public static func parse(limit: String?, cursor: String?) throws(FieldError) -> PageRequest {
        var page = PageRequest()
        if let l = limit {
            guard let n = Int(l), (1...maxLimit).contains(n) else { throw .invalid("limit", "must be a whole number from 1 to \(maxLimit)") }
            page.limit = n
        }
        if let c = cursor {
            guard let decoded = PageCursor(token: c) else { throw .invalid("cursor", "is not a cursor returned by this API") }
            page.after = decoded
        }
        return page
    }
}

/// The position after the last item of a page, (created_at, id), as an opaque token.
public struct PageCursor: Sendable, Equatable {
    public var createdAt: Timestamp
    public var id: String

    public init(createdAt: Timestamp, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    public var token: String {
        let raw = Array("\(createdAt.microseconds):\(id)".utf8)
        return "c1" + raw.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    /// 9999-12-31T23:59:59.999999Z.
    static let latestMicroseconds: Int64 = 253_402_300_799_999_999

    public init?(token: String) {
        guard token.hasPrefix("c1"), token.count <= 300, token.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var chars = Array(token.utf8.dropFirst(2))[...]
        while chars.count >= 2 {
            guard let b = UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            bytes.append(b)
            chars = chars.dropFirst(2)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        // Only instants a created_at can hold (1970 to year 9999): a forged Int64.min made
        // Timestamp's arithmetic overflow and took the whole gateway down.
        guard let colon = text.firstIndex(of: ":"), let micros = Int64(text[..<colon]),
              (0...Self.latestMicroseconds).contains(micros) else { return nil }
        let id = String(text[text.index(after: colon)...])
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else { return nil }
        createdAt = Timestamp(microseconds: micros)
        self.id = id
    }
}
