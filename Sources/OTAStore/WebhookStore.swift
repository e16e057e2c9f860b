public import JSON
public import OTADomain
public import Postgres

/// A partner's webhook endpoints. Secrets arrive sealed (the caller holds the key) and
/// never leave this store except sealed, to the worker's claim.
public struct WebhookStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    /// A sealed signing secret and the id of the key that sealed it.
    public struct SealedSecret: Sendable, Equatable {
        public var sealed: [UInt8]
        public var keyId: String

        public init(sealed: [UInt8], keyId: String) {
            self.sealed = sealed
            self.keyId = keyId
        }
    }

    static let selectList = """
        SELECT endpoint_id, partner_id, url, description, array_to_string(events, ',') AS events, status, disabled_reason,
               disabled_at, failing_since,
               CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS previous_secret_expires_at,
               created_at, updated_at
        """
    static let columns = selectList + " FROM webhook_endpoints"

    /// `endpointId` comes from the caller (we_ + random).
    public func create(endpointId: String, partnerId: Int64, url: String, description: String?, events: [WebhookEventType],
                       secret: SealedSecret) throws(StoreError) -> WebhookEndpoint {
        try storeCall {
            guard let row = try db.query("""
                WITH created AS (
                    INSERT INTO webhook_endpoints (endpoint_id, partner_id, url, description, events, secret_sealed, secret_key_id)
                    VALUES (\(endpointId), \(partnerId), \(url), \(description), \(events.map(\.rawValue))::text[],
                            \(secret.sealed), \(secret.keyId))
                    RETURNING *
                )
                \(unescaped: Self.selectList) FROM created
                """).first else { throw StoreError.corrupt("endpoint insert returned nothing") }
            return try Self.endpoint(row)
        }
    }

    /// Newest first, one page.
    public func list(partnerId: Int64, page: PageRequest) throws(StoreError) -> (items: [WebhookEndpoint], more: Bool) {
        let afterTime = page.after?.createdAt
        let afterId = page.after?.id
        return try storeCall {
            let rows = try db.query("""
                \(unescaped: Self.columns)
                 WHERE partner_id = \(partnerId)
                   AND (\(afterTime)::timestamptz IS NULL OR (created_at, endpoint_id) < (\(afterTime)::timestamptz, \(afterId)::text))
                 ORDER BY created_at DESC, endpoint_id DESC
                 LIMIT \(page.limit + 1)
                """)
            return try rows.page(page.limit, Self.endpoint)
        }
    }

    /// The partner's endpoint; another partner's is indistinguishable from none.
    public func find(endpointId: String, partnerId: Int64) throws(StoreError) -> WebhookEndpoint? {
        try storeCall {
            try db.query("\(unescaped: Self.columns) WHERE endpoint_id = \(endpointId) AND partner_id = \(partnerId)")
                .first.map(Self.endpoint)
        }
    }

    /// Applies the members given. Enabling clears the reason and the failure streak;
    /// disabling records `disabledReason`.
    public func update(endpointId: String, partnerId: Int64, input: WebhookEndpointInput,
                       disabledReason: String) throws(StoreError) -> WebhookEndpoint? {
        let setDescription = input.description != nil
        let description = input.description ?? nil
        return try storeCall {
            let r = try db.query("""
                UPDATE webhook_endpoints SET
                       url = coalesce(\(input.url)::text, url),
                       events = coalesce(\(input.events.map { $0.map(\.rawValue) })::text[], events),
                       description = CASE WHEN \(setDescription) THEN \(description)::text ELSE description END,
                       status = CASE \(input.enabled)::boolean WHEN true THEN 'enabled' WHEN false THEN 'disabled' ELSE status END,
                       disabled_reason = CASE \(input.enabled)::boolean WHEN true THEN NULL
                                              WHEN false THEN CASE WHEN status = 'disabled' THEN disabled_reason ELSE \(disabledReason) END
                                              ELSE disabled_reason END,
                       disabled_at = CASE \(input.enabled)::boolean WHEN true THEN NULL
                                          WHEN false THEN coalesce(disabled_at, now()) ELSE disabled_at END,
                       failing_since = CASE WHEN \(input.enabled)::boolean THEN NULL ELSE failing_since END,
                       updated_at = now()
                 WHERE endpoint_id = \(endpointId) AND partner_id = \(partnerId)
                """)
            guard r.affectedRows == 1 else { return nil }
            if input.enabled == true { try WebhookOutbox(db).notifyWorkers() }  // its paused deliveries may go
            return try db.query("\(unescaped: Self.columns) WHERE endpoint_id = \(endpointId)").first.map(Self.endpoint)
        }
    }

    /// Deletes the endpoint with its deliveries and attempts; false when there is none.
    public func delete(endpointId: String, partnerId: Int64) throws(StoreError) -> Bool {
        try storeCall {
            try db.query("DELETE FROM webhook_endpoints WHERE endpoint_id = \(endpointId) AND partner_id = \(partnerId)")
                .affectedRows == 1
        }
    }

    /// The new secret signs from now on; the one it replaces keeps signing beside it for
    /// `overlapSeconds` (0: not at all). A rotation during an overlap drops the oldest.
    public func rotate(endpointId: String, partnerId: Int64, secret: SealedSecret,
                       overlapSeconds: Int) throws(StoreError) -> WebhookEndpoint? {
        try storeCall {
            let r = try db.query("""
                UPDATE webhook_endpoints SET
                       previous_secret_sealed = CASE WHEN \(overlapSeconds) > 0 THEN secret_sealed END,
                       previous_secret_key_id = CASE WHEN \(overlapSeconds) > 0 THEN secret_key_id END,
                       previous_secret_expires_at = CASE WHEN \(overlapSeconds) > 0
                                                         THEN now() + make_interval(secs => \(overlapSeconds)) END,
                       secret_sealed = \(secret.sealed), secret_key_id = \(secret.keyId), updated_at = now()
                 WHERE endpoint_id = \(endpointId) AND partner_id = \(partnerId)
                """)
            guard r.affectedRows == 1 else { return nil }
            return try db.query("\(unescaped: Self.columns) WHERE endpoint_id = \(endpointId)").first.map(Self.endpoint)
        }
    }

    /// A webhook.test event for this endpoint alone, due now; the delivery's id, nil when
    /// the partner has no such endpoint.
    public func enqueueTest(endpointId: String, partnerId: Int64, data: JSONValue) throws(StoreError) -> String? {
        try storeCall {
            try db.transaction { () throws -> String? in
                guard let row = try db.query("""
                    WITH endpoint AS (
                        SELECT endpoint_id, partner_id FROM webhook_endpoints
                         WHERE endpoint_id = \(endpointId) AND partner_id = \(partnerId)
                    ), written AS (
                        INSERT INTO webhook_events (partner_id, type, data)
                        SELECT partner_id, \(WebhookEventType.webhookTest.rawValue), \(data.encodedString())::json FROM endpoint
                        RETURNING event_id
                    )
                    INSERT INTO webhook_deliveries (event_id, endpoint_id)
                    SELECT written.event_id, endpoint.endpoint_id FROM written, endpoint
                    RETURNING delivery_id
                    """).first else { return nil }
                try WebhookOutbox(db).notifyWorkers()
                return try row.decode("delivery_id", as: String.self)
            }
        }
    }

    // MARK: - The operator's view (ota-admin)

    /// Every endpoint, or one partner's, oldest first.
    public func all(partnerId: Int64?) throws(StoreError) -> [WebhookEndpoint] {
        try storeCall {
            try db.query("""
                \(unescaped: Self.columns)
                 WHERE \(partnerId)::bigint IS NULL OR partner_id = \(partnerId)::bigint
                 ORDER BY partner_id, created_at, endpoint_id
                """).map(Self.endpoint)
        }
    }

    /// Disables any partner's endpoint (the operator's ops team); nil when there is none.
    public func disable(endpointId: String, reason: String) throws(StoreError) -> WebhookEndpoint? {
        try storeCall {
            let r = try db.query("""
                UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = \(reason),
                       disabled_at = coalesce(disabled_at, now()), updated_at = now()
                 WHERE endpoint_id = \(endpointId)
                """)
            guard r.affectedRows == 1 else { return nil }
            return try db.query("\(unescaped: Self.columns) WHERE endpoint_id = \(endpointId)").first.map(Self.endpoint)
        }
    }

    static func endpoint(_ row: PostgresRow) throws -> WebhookEndpoint {
        var events: [WebhookEventType] = []
        for name in try row.decode("events", as: String.self).split(separator: ",") {
            guard let type = WebhookEventType(rawValue: String(name)) else { throw StoreError.corrupt("webhook event type \(name)") }
            events.append(type)
        }
        return WebhookEndpoint(
            endpointId: try row.decode("endpoint_id"), partnerId: try row.decode("partner_id"), url: try row.decode("url"),
            description: try row.decodeIfPresent("description"), events: events,
            isEnabled: try row.decode("status", as: String.self) == "enabled",
            disabledReason: try row.decodeIfPresent("disabled_reason"), disabledAt: try row.decodeIfPresent("disabled_at"),
            failingSince: try row.decodeIfPresent("failing_since"),
            previousSecretExpiresAt: try row.decodeIfPresent("previous_secret_expires_at"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
