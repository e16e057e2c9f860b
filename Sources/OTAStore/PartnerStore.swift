public import OTACrypto
public import OTADomain
public import Postgres

/// Partners, their permissions and API keys.
public struct PartnerStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    /// The partner holding the key with this hash, if the key is live (not revoked, not
    /// past a rotation deadline). A disabled partner is returned with isActive false so the
    /// caller can answer 403 rather than 401.
    public func authenticate(keyHash: [UInt8]) throws(StoreError) -> PartnerPrincipal? {
        try storeCall {
            try db.query("""
                SELECT k.api_key_id, p.partner_id, p.code, p.name, p.status, p.rate_limit_per_minute,
                       p.max_hold_seconds, p.max_units_per_hold,
                       coalesce((SELECT string_agg(pp.permission, ',') FROM partner_permissions pp
                                  WHERE pp.partner_id = p.partner_id), '') AS permissions
                  FROM api_keys k JOIN partners p ON p.partner_id = k.partner_id
                 WHERE k.key_hash = \(keyHash) AND k.revoked_at IS NULL
                   AND (k.expires_at IS NULL OR k.expires_at > now())
                """).first.map { row in
                let perms = try row.decode("permissions", as: String.self).split(separator: ",").compactMap { Permission(rawValue: String($0)) }
                return PartnerPrincipal(
                    partnerId: try row.decode("partner_id", as: Int64.self), code: try row.decode("code", as: String.self),
                    name: try row.decode("name", as: String.self),
                    isActive: try row.decode("status", as: String.self) == "active", permissions: Set(perms),
                    apiKeyId: try row.decode("api_key_id", as: Int64.self),
                    rateLimitPerMinute: try row.decode("rate_limit_per_minute", as: Int.self),
                    maxHoldSeconds: try row.decode("max_hold_seconds", as: Int.self),
                    maxUnitsPerHold: try row.decode("max_units_per_hold", as: Int.self))
            }
        }
    }

    /// Creates the partner unless one with this code exists; returns its id either way.
    @discardableResult
    public func ensurePartner(code: String, name: String, permissions: [Permission]) throws(StoreError) -> Int64 {
        try storeCall {
            try db.query("INSERT INTO partners (code, name) VALUES (\(code), \(name)) ON CONFLICT (code) DO NOTHING")
            guard let id = try db.query("SELECT partner_id FROM partners WHERE code = \(code)").first?.decode("partner_id", as: Int64.self) else {
                throw StoreError.notFound("partner \(code)")
            }
            // Only those the schema knows: a seed run against a database whose newest
            // migrations are still to come grants the rest on a later run.
            for p in permissions {
                try db.query("""
                    INSERT INTO partner_permissions (partner_id, permission)
                    SELECT \(id), code FROM permissions WHERE code = \(p.rawValue)
                    ON CONFLICT DO NOTHING
                    """)
            }
            return id
        }
    }

    /// Stores a key's hash for the partner (a no-op if that key is already stored).
    public func addKey(partnerId: Int64, key: IssuedAPIKey, label: String) throws(StoreError) {
        try storeCall {
            try db.query("""
                INSERT INTO api_keys (partner_id, prefix, key_hash, label) VALUES (\(partnerId), \(key.prefix), \(key.hash), \(label))
                ON CONFLICT (key_hash) DO NOTHING
                """)
        }
    }
}
