public import Postgres

/// A response as first sent, kept for replay.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var location: String?
    public var body: [UInt8]

    public init(status: Int, contentType: String, location: String?, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.location = location
        self.body = body
    }
}

public enum IdempotencyLookup: Sendable, Equatable {
    /// First use of the key: go ahead, then `save` in the same transaction.
    case fresh
    case replay(StoredResponse)
    /// The key was used with another request body.
    case mismatch
    /// A request with this key is running right now.
    case inProgress
}

/// Idempotency records, scoped to a partner. Must be used inside a transaction: `begin`
/// takes a transaction-scoped advisory lock on (partner, key), so a concurrent request
/// with the same key learns that one is in progress instead of doing the work twice; the
/// record is written in the same transaction as the change, so both commit or neither.
public struct IdempotencyStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    public func begin(partnerId: Int64, key: String, requestHash: [UInt8]) throws(StoreError) -> IdempotencyLookup {
        try storeCall {
            let locked = try db.query("""
                SELECT pg_try_advisory_xact_lock(hashtextextended(\(key), \(partnerId))) AS locked
                """).first?.decode("locked", as: Bool.self) ?? false
            guard locked else { return .inProgress }
            // A new statement, so a new snapshot: it sees a record committed just before the lock was granted.
            guard let row = try db.query("""
                SELECT request_hash, status_code, content_type, location, body
                  FROM idempotency_records WHERE partner_id = \(partnerId) AND idempotency_key = \(key)
                """).first else { return .fresh }
            guard try row.decode("request_hash", as: [UInt8].self) == requestHash else { return .mismatch }
            return .replay(StoredResponse(
                status: try row.decode("status_code", as: Int.self),
                contentType: try row.decode("content_type", as: String.self),
                location: try row.decodeIfPresent("location", as: String.self),
                body: try row.decode("body", as: [UInt8].self)))
        }
    }

    public func save(partnerId: Int64, key: String, requestHash: [UInt8], response: StoredResponse) throws(StoreError) {
        try storeCall {
            try db.query("""
                INSERT INTO idempotency_records (partner_id, idempotency_key, request_hash, status_code, content_type, location, body)
                VALUES (\(partnerId), \(key), \(requestHash), \(response.status), \(response.contentType), \(response.location), \(response.body))
                """)
        }
    }
}
