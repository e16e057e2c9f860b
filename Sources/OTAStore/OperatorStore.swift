public import OTADomain
public import Postgres

/// Partners' operators, their sessions and login throttling.
public struct OperatorStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    static let columns = "o.operator_id, o.partner_id, o.username, o.display_name, o.venue_ids, o.status, o.created_at"

    public enum CreateOutcome: Sendable, Equatable { case created(Operator), usernameTaken, unknownVenues([String]) }

    public func create(partnerId: Int64, username: String, passwordHash: String, displayName: String,
                       venueIds: [String]) throws(StoreError) -> CreateOutcome {
        try storeCall {
            let unknown = try unknownVenues(venueIds, partnerId: partnerId)
            guard unknown.isEmpty else { return .unknownVenues(unknown) }
            guard let row = try db.query("""
                INSERT INTO operators AS o (partner_id, username, password_hash, display_name, venue_ids)
                VALUES (\(partnerId), \(username), \(passwordHash), \(displayName), \(venueIds)::text[])
                ON CONFLICT (partner_id, username) DO NOTHING
                RETURNING \(unescaped: Self.columns)
                """).first else { return .usernameTaken }
            return .created(try Self.op(row))
        }
    }

    /// The venue ids among `ids` that are not venues of this partner.
    func unknownVenues(_ ids: [String], partnerId: Int64) throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let known = Set(try db.query("""
            SELECT venue_id FROM venues WHERE partner_id = \(partnerId) AND venue_id = ANY(\(ids)::text[])
            """).map { try $0.decode("venue_id", as: String.self) })
        return ids.filter { !known.contains($0) }
    }

    public func list(partnerId: Int64) throws(StoreError) -> [Operator] {
        try storeCall {
            try db.query("SELECT \(unescaped: Self.columns) FROM operators o WHERE o.partner_id = \(partnerId) ORDER BY o.operator_id LIMIT 1000")
                .map(Self.op)
        }
    }

    public func find(operatorId: Int64, partnerId: Int64) throws(StoreError) -> Operator? {
        try storeCall {
            try db.query("SELECT \(unescaped: Self.columns) FROM operators o WHERE o.operator_id = \(operatorId) AND o.partner_id = \(partnerId)")
                .first.map(Self.op)
        }
    }

    public enum UpdateOutcome: Sendable, Equatable { case updated(Operator), notFound, unknownVenues([String]) }

    /// Changes what is given; disabling or a new password also ends the operator's sessions.
    public func update(operatorId: Int64, partnerId: Int64, displayName: String?, passwordHash: String?, venueIds: [String]?,
                       active: Bool?) throws(StoreError) -> UpdateOutcome {
        try storeCall {
            if let ids = venueIds {
                let unknown = try unknownVenues(ids, partnerId: partnerId)
                guard unknown.isEmpty else { return .unknownVenues(unknown) }
            }
            let status = active.map { $0 ? "active" : "disabled" }
            guard let row = try db.query("""
                UPDATE operators o SET display_name = coalesce(\(displayName), o.display_name),
                       password_hash = coalesce(\(passwordHash), o.password_hash),
                       venue_ids = coalesce(\(venueIds)::text[], o.venue_ids),
                       status = coalesce(\(status), o.status), updated_at = now()
                 WHERE o.operator_id = \(operatorId) AND o.partner_id = \(partnerId)
                RETURNING \(unescaped: Self.columns)
                """).first else { return .notFound }
            if passwordHash != nil || active == false {
                try db.query("""
                    UPDATE operator_sessions SET revoked_at = now() WHERE operator_id = \(operatorId) AND revoked_at IS NULL
                    """)
            }
            return .updated(try Self.op(row))
        }
    }

    /// The operator a login names (partner code and username), with its stored hash and
    /// whether its partner is active.
    public func loginRecord(partnerCode: String, username: String) throws(StoreError) -> (op: Operator, passwordHash: String, partnerActive: Bool)? {
        try storeCall {
            guard let row = try db.query("""
                SELECT \(unescaped: Self.columns), o.password_hash, p.status = 'active' AS partner_active
                  FROM operators o JOIN partners p ON p.partner_id = o.partner_id
                 WHERE p.code = \(partnerCode) AND o.username = \(username)
                """).first else { return nil }
            return (try Self.op(row), try row.decode("password_hash"), try row.decode("partner_active"))
        }
    }

    public func startSession(operatorId: Int64, tokenHash: [UInt8], ttlSeconds: Int) throws(StoreError) -> Timestamp {
        try storeCall {
            guard let row = try db.query("""
                INSERT INTO operator_sessions (token_hash, operator_id, expires_at)
                VALUES (\(tokenHash), \(operatorId), now() + make_interval(secs => \(ttlSeconds)))
                RETURNING expires_at
                """).first else { throw StoreError.corrupt("session insert returned nothing") }
            return try row.decode("expires_at")
        }
    }

    /// The live operator behind a bearer token: session not expired or revoked, operator
    /// and partner active.
    public func session(tokenHash: [UInt8]) throws(StoreError) -> Operator? {
        try storeCall {
            try db.query("""
                SELECT \(unescaped: Self.columns)
                  FROM operator_sessions s JOIN operators o ON o.operator_id = s.operator_id
                  JOIN partners p ON p.partner_id = o.partner_id
                 WHERE s.token_hash = \(tokenHash) AND s.revoked_at IS NULL AND s.expires_at > now()
                   AND o.status = 'active' AND p.status = 'active'
                """).first.map(Self.op)
        }
    }

    // MARK: login throttling

    /// Seconds until the latest lock among `keys` ends (0: none locked).
    public func lockedSeconds(keys: [String]) throws(StoreError) -> Int {
        try storeCall {
            try db.query("""
                SELECT coalesce(ceil(extract(epoch FROM max(locked_until) - now())), 0)::int AS s
                  FROM login_throttle WHERE throttle_key = ANY(\(keys)::text[]) AND locked_until > now()
                """).first?.decode("s", as: Int.self) ?? 0
        }
    }

    /// Counts a failure against `key` and locks it as the policy says.
    public func recordFailure(key: String, policy: LoginThrottlePolicy) throws(StoreError) {
        try storeCall {
            let failures = try db.query("""
                INSERT INTO login_throttle AS t (throttle_key, failures, last_failure) VALUES (\(key), 1, now())
                ON CONFLICT (throttle_key) DO UPDATE
                   SET failures = CASE WHEN t.last_failure < now() - interval '1 hour' THEN 1 ELSE t.failures + 1 END,
                       last_failure = now()
                RETURNING failures
                """).first?.decode("failures", as: Int.self) ?? 1
            let lock = policy.lockSeconds(afterFailures: failures)
            if lock > 0 {
                try db.query("""
                    UPDATE login_throttle SET locked_until = now() + make_interval(secs => \(lock)) WHERE throttle_key = \(key)
                    """)
            }
        }
    }

    public func clearFailures(key: String) throws(StoreError) {
        try storeCall { try db.query("DELETE FROM login_throttle WHERE throttle_key = \(key)") }
    }

    static func op(_ row: PostgresRow) throws -> Operator {
        Operator(operatorId: try row.decode("operator_id"), partnerId: try row.decode("partner_id"),
                 username: try row.decode("username"), displayName: try row.decode("display_name"),
                 venueIds: try row.decode("venue_ids", as: [String].self),
                 isActive: try row.decode("status", as: String.self) == "active", createdAt: try row.decode("created_at"))
    }
}

/// The partners' venues.
public struct VenueStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    public func list(partnerId: Int64) throws(StoreError) -> [Venue] {
        try storeCall {
            try db.query("SELECT venue_id, partner_id, name, address, status FROM venues WHERE partner_id = \(partnerId) ORDER BY venue_id")
                .map(Self.venue)
        }
    }

    public func find(venueId: String) throws(StoreError) -> Venue? {
        try storeCall {
            try db.query("SELECT venue_id, partner_id, name, address, status FROM venues WHERE venue_id = \(venueId)").first.map(Self.venue)
        }
    }

    /// Creates the venue unless it exists; true if created.
    @discardableResult
    public func ensure(venueId: String, partnerId: Int64, name: String, address: String?) throws(StoreError) -> Bool {
        try storeCall {
            try db.query("""
                INSERT INTO venues (venue_id, partner_id, name, address) VALUES (\(venueId), \(partnerId), \(name), \(address))
                ON CONFLICT (venue_id) DO NOTHING
                """).affectedRows == 1
        }
    }

    static func venue(_ row: PostgresRow) throws -> Venue {
        Venue(venueId: try row.decode("venue_id"), partnerId: try row.decode("partner_id"), name: try row.decode("name"),
              address: try row.decodeIfPresent("address"), isOpen: try row.decode("status", as: String.self) == "active")
    }
}
