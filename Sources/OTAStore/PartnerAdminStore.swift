public import OTACrypto
public import OTADomain
public import Postgres

/// What the partners table accepts (the CHECKs of 0003), so input can be refused with a
/// clear message before it reaches the database, which refuses it anyway.
public enum PartnerLimits {
    public static let rateLimitPerMinute = 100...1000
    public static let maxHoldSeconds = 60...604_800
    public static let maxUnitsPerHold = 1...100_000
    public static let nameLength = 1...200
    public static let keyLabelMaxLength = 200

    /// `^[a-z0-9][a-z0-9_-]{1,62}$`
    public static func isValidCode(_ code: String) -> Bool {
        let b = Array(code.utf8)
        func lowerAlnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) }
        return (2...63).contains(b.count) && lowerAlnum(b[0]) && b.allSatisfy { lowerAlnum($0) || $0 == 0x5F || $0 == 0x2D }
    }
}

/// A partner as the operator's tools show it.
public struct PartnerRecord: Sendable, Equatable {
    public var partnerId: Int64
    public var code: String
    public var name: String
    public var isActive: Bool
    public var rateLimitPerMinute: Int
    public var maxHoldSeconds: Int
    public var maxUnitsPerHold: Int
    /// Sorted permission codes.
    public var permissions: [String]
    /// Keys neither revoked nor past their rotation deadline.
    public var liveKeys: Int
    public var createdAt: Timestamp
}

/// The changeable settings of a partner; nil leaves a setting as it is.
public struct PartnerSettings: Sendable, Equatable {
    public var name: String?
    public var rateLimitPerMinute: Int?
    public var maxHoldSeconds: Int?
    public var maxUnitsPerHold: Int?

    public init(name: String? = nil, rateLimitPerMinute: Int? = nil, maxHoldSeconds: Int? = nil, maxUnitsPerHold: Int? = nil) {
        self.name = name
        self.rateLimitPerMinute = rateLimitPerMinute
        self.maxHoldSeconds = maxHoldSeconds
        self.maxUnitsPerHold = maxUnitsPerHold
    }

    public var isEmpty: Bool { name == nil && rateLimitPerMinute == nil && maxHoldSeconds == nil && maxUnitsPerHold == nil }
}

/// An API key without its secret (which is never stored).
public struct APIKeyRecord: Sendable, Equatable {
    public var keyId: Int64
    public var partnerCode: String
    public var prefix: String
    public var label: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp?
    public var revokedAt: Timestamp?
    /// Authenticates now: not revoked and not past expires_at (by the database clock).
    public var isLive: Bool
}

public enum PermissionChange: Sendable, Equatable {
    case grant([Permission]), revoke([Permission]), set([Permission])
}

/// Partners, permissions and keys, as the admin command line changes them. Each method
/// is one transaction (a savepoint inside the caller's).
public struct PartnerAdminStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    static let partnerColumns = """
        SELECT p.partner_id, p.code, p.name, p.status, p.rate_limit_per_minute, p.max_hold_seconds, p.max_units_per_hold,
               p.created_at,
               coalesce((SELECT string_agg(pp.permission, ',' ORDER BY pp.permission) FROM partner_permissions pp
                          WHERE pp.partner_id = p.partner_id), '') AS permissions,
               (SELECT count(*) FROM api_keys k WHERE k.partner_id = p.partner_id AND k.revoked_at IS NULL
                   AND (k.expires_at IS NULL OR k.expires_at > now())) AS live_keys
          FROM partners p
        """

    static let keyColumns = """
        SELECT k.api_key_id, p.code, k.prefix, k.label, k.created_at, k.expires_at, k.revoked_at,
               (k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())) AS live
          FROM api_keys k JOIN partners p ON p.partner_id = k.partner_id
        """

    /// The new partner, or nil when the code is taken.
    public func create(code: String, name: String, permissions: [Permission], settings: PartnerSettings) throws(StoreError) -> PartnerRecord? {
        try storeCall {
            try db.transaction {
                guard let row = try db.query("""
                    INSERT INTO partners (code, name, rate_limit_per_minute, max_hold_seconds, max_units_per_hold)
                    VALUES (\(code), \(name), coalesce(\(settings.rateLimitPerMinute)::int, 300),
                            coalesce(\(settings.maxHoldSeconds)::int, 86400), coalesce(\(settings.maxUnitsPerHold)::int, 100))
                    ON CONFLICT (code) DO NOTHING
                    RETURNING partner_id
                    """).first else { return nil }
                let id = try row.decode("partner_id", as: Int64.self)
                try grant(permissions, to: id)
                return try find(partnerId: id)
            }
        }
    }

    public func list() throws(StoreError) -> [PartnerRecord] {
        try storeCall { try db.query("\(unescaped: Self.partnerColumns) ORDER BY p.code").map(Self.partner) }
    }

    public func find(code: String) throws(StoreError) -> PartnerRecord? {
        try storeCall { try db.query("\(unescaped: Self.partnerColumns) WHERE p.code = \(code)").first.map(Self.partner) }
    }

    func find(partnerId: Int64) throws -> PartnerRecord? {
        try db.query("\(unescaped: Self.partnerColumns) WHERE p.partner_id = \(partnerId)").first.map(Self.partner)
    }

    /// Enables or disables; nil when there is no such partner. A disabled partner's keys
    /// answer 403 (once the gateways' short auth caches expire).
    public func setActive(code: String, _ active: Bool) throws(StoreError) -> PartnerRecord? {
        try update(code: code, status: active ? "active" : "disabled", settings: PartnerSettings())
    }

    /// Changes the given settings; nil when there is no such partner.
    public func update(code: String, settings: PartnerSettings) throws(StoreError) -> PartnerRecord? {
        try update(code: code, status: nil, settings: settings)
    }

    private func update(code: String, status: String?, settings: PartnerSettings) throws(StoreError) -> PartnerRecord? {
        try storeCall {
            try db.transaction {
                guard let row = try db.query("""
                    UPDATE partners SET name = coalesce(\(settings.name), name), status = coalesce(\(status), status),
                           rate_limit_per_minute = coalesce(\(settings.rateLimitPerMinute)::int, rate_limit_per_minute),
                           max_hold_seconds = coalesce(\(settings.maxHoldSeconds)::int, max_hold_seconds),
                           max_units_per_hold = coalesce(\(settings.maxUnitsPerHold)::int, max_units_per_hold),
                           updated_at = now()
                     WHERE code = \(code)
                    RETURNING partner_id
                    """).first else { return nil }
                return try find(partnerId: try row.decode("partner_id", as: Int64.self))
            }
        }
    }

    /// Grants, revokes or replaces permissions; nil when there is no such partner.
    public func changePermissions(code: String, _ change: PermissionChange) throws(StoreError) -> PartnerRecord? {
        try storeCall {
            try db.transaction {
                // The partner row lock serialises concurrent changes of the same partner.
                guard let row = try db.query("SELECT partner_id FROM partners WHERE code = \(code) FOR UPDATE").first else { return nil }
                let id = try row.decode("partner_id", as: Int64.self)
                switch change {
                case let .grant(p):
                    try grant(p, to: id)
                case let .revoke(p):
                    try db.query("DELETE FROM partner_permissions WHERE partner_id = \(id) AND permission = ANY(\(p.map(\.rawValue))::text[])")
                case let .set(p):
                    try db.query("""
                        DELETE FROM partner_permissions WHERE partner_id = \(id) AND NOT (permission = ANY(\(p.map(\.rawValue))::text[]))
                        """)
                    try grant(p, to: id)
                }
                try db.query("UPDATE partners SET updated_at = now() WHERE partner_id = \(id)")
                return try find(partnerId: id)
            }
        }
    }

    private func grant(_ permissions: [Permission], to partnerId: Int64) throws {
        guard !permissions.isEmpty else { return }
        try db.query("""
            INSERT INTO partner_permissions (partner_id, permission)
            SELECT \(partnerId), unnest(\(permissions.map(\.rawValue))::text[])
            ON CONFLICT DO NOTHING
            """)
    }

    // MARK: keys

    /// Stores the new key's hash (the secret itself is never stored).
    public func issueKey(partnerId: Int64, key: IssuedAPIKey, label: String) throws(StoreError) -> APIKeyRecord {
        try storeCall {
            guard let row = try db.query("""
                WITH k AS (
                    INSERT INTO api_keys (partner_id, prefix, key_hash, label) VALUES (\(partnerId), \(key.prefix), \(key.hash), \(label))
                    RETURNING *)
                SELECT k.api_key_id, p.code, k.prefix, k.label, k.created_at, k.expires_at, k.revoked_at, true AS live
                  FROM k JOIN partners p ON p.partner_id = k.partner_id
                """).first else { throw StoreError.corrupt("api key insert returned nothing") }
            return try Self.key(row)
        }
    }

    /// All of the partner's keys, oldest first.
    public func keys(partnerId: Int64) throws(StoreError) -> [APIKeyRecord] {
        try storeCall {
            try db.query("\(unescaped: Self.keyColumns) WHERE k.partner_id = \(partnerId) ORDER BY k.api_key_id").map(Self.key)
        }
    }

    public enum RevokeOutcome: Sendable, Equatable {
        case revoked(APIKeyRecord)
        case alreadyRevoked(APIKeyRecord)
        case notFound
    }

    public func revokeKey(keyId: Int64) throws(StoreError) -> RevokeOutcome {
        try storeCall {
            try db.transaction {
                let updated = try db.query("""
                    UPDATE api_keys SET revoked_at = now() WHERE api_key_id = \(keyId) AND revoked_at IS NULL
                    """).affectedRows
                guard let row = try db.query("\(unescaped: Self.keyColumns) WHERE k.api_key_id = \(keyId)").first else { return .notFound }
                let key = try Self.key(row)
                return updated == 1 ? .revoked(key) : .alreadyRevoked(key)
            }
        }
    }

    /// Issues `key` and gives every other live key of the partner `overlapSeconds` more to
    /// live (a key that would expire sooner keeps its earlier deadline). Returns the new
    /// key and the keys now expiring.
    public func rotateKey(partnerId: Int64, key: IssuedAPIKey, label: String,
                          overlapSeconds: Int) throws(StoreError) -> (issued: APIKeyRecord, expiring: [APIKeyRecord]) {
        try storeCall {
            try db.transaction {
                // Serialises two rotations of one partner, so neither shortens the other's new key.
                try db.query("SELECT 1 FROM partners WHERE partner_id = \(partnerId) FOR UPDATE")
                let ids = try db.query("""
                    UPDATE api_keys
                       SET expires_at = least(coalesce(expires_at, 'infinity'::timestamptz), now() + make_interval(secs => \(overlapSeconds)))
                     WHERE partner_id = \(partnerId) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
                    RETURNING api_key_id
                    """).map { try $0.decode("api_key_id", as: Int64.self) }
                let issued = try issueKey(partnerId: partnerId, key: key, label: label)
                let expiring = try db.query("""
                    \(unescaped: Self.keyColumns) WHERE k.api_key_id = ANY(\(ids)::bigint[]) ORDER BY k.api_key_id
                    """).map(Self.key)
                return (issued, expiring)
            }
        }
    }

    // MARK: rows

    static func partner(_ row: PostgresRow) throws -> PartnerRecord {
        let perms = try row.decode("permissions", as: String.self).split(separator: ",").map(String.init)
        return PartnerRecord(
            partnerId: try row.decode("partner_id"), code: try row.decode("code"), name: try row.decode("name"),
            isActive: try row.decode("status", as: String.self) == "active",
            rateLimitPerMinute: try row.decode("rate_limit_per_minute"), maxHoldSeconds: try row.decode("max_hold_seconds"),
            maxUnitsPerHold: try row.decode("max_units_per_hold"), permissions: perms, liveKeys: try row.decode("live_keys"),
            createdAt: try row.decode("created_at"))
    }

    static func key(_ row: PostgresRow) throws -> APIKeyRecord {
        APIKeyRecord(keyId: try row.decode("api_key_id"), partnerCode: try row.decode("code"), prefix: try row.decode("prefix"),
                     label: try row.decode("label"), createdAt: try row.decode("created_at"),
                     expiresAt: try row.decodeIfPresent("expires_at"), revokedAt: try row.decodeIfPresent("revoked_at"),
                     isLive: try row.decode("live"))
    }
}
