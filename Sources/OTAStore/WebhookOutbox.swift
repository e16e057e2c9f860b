public import JSON
public import OTADomain
public import Postgres

/// An event to write: which partner it belongs to, its type, and the resource as the API
/// renders it (OTARepresentation's WebhookEventBody).
public struct OutboxEvent: Sendable {
    public var partnerId: Int64
    public var type: WebhookEventType
    public var data: JSONValue

    public init(partnerId: Int64, type: WebhookEventType, data: JSONValue) {
        self.partnerId = partnerId
        self.type = type
        self.data = data
    }
}

/// The webhook outbox: store commands call `record` inside the transaction of their
/// change, so a rolled-back change writes no event and a committed one has its event and
/// its deliveries committed with it; the worker sends them later.
public struct WebhookOutbox {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    /// Workers LISTEN here; a notification means new deliveries are due (sent at commit).
    public static let channel = "ota_webhook_due"

    /// Writes the events whose partner has an enabled endpoint subscribed to their type,
    /// and one delivery per such endpoint (fan-out in the same statement). Events nobody
    /// subscribes to are not kept. Returns how many deliveries were created; the workers
    /// are notified when there are any.
    @discardableResult
    public func record(_ events: [OutboxEvent]) throws(StoreError) -> Int {
        guard !events.isEmpty else { return 0 }
        let partners = events.map(\.partnerId)
        let types = events.map(\.type.rawValue)
        let data = events.map { $0.data.encodedString() }
        return try storeCall {
            let created = try db.query("""
                WITH input AS (
                    SELECT * FROM unnest(\(partners)::bigint[], \(types)::text[], \(data)::text[])
                           WITH ORDINALITY AS i(partner_id, type, data, n)
                ), wanted AS (
                    SELECT i.* FROM input i
                     WHERE EXISTS (SELECT 1 FROM webhook_endpoints e
                                    WHERE e.partner_id = i.partner_id AND e.status = 'enabled' AND i.type = ANY(e.events))
                ), written AS (
                    INSERT INTO webhook_events (partner_id, type, data)
                    SELECT partner_id, type, data::json FROM wanted ORDER BY n
                    RETURNING event_id, partner_id, type
                ), fanned AS (
                    INSERT INTO webhook_deliveries (event_id, endpoint_id)
                    SELECT w.event_id, e.endpoint_id FROM written w
                      JOIN webhook_endpoints e ON e.partner_id = w.partner_id AND e.status = 'enabled' AND w.type = ANY(e.events)
                    RETURNING 1
                )
                SELECT count(*)::int AS n FROM fanned
                """).first?.decode("n", as: Int.self) ?? 0
            if created > 0 { try notifyWorkers() }
            return created
        }
    }

    /// Whether the partner has an enabled endpoint for `type`: lets a command that would
    /// otherwise be a single autocommit statement (the hold) skip the transaction an event
    /// needs when nobody listens.
    public func hasSubscriber(partnerId: Int64, type: WebhookEventType) throws(StoreError) -> Bool {
        try storeCall {
            try db.query("""
                SELECT EXISTS (SELECT 1 FROM webhook_endpoints
                                WHERE partner_id = \(partnerId) AND status = 'enabled' AND \(type.rawValue) = ANY(events)) AS yes
                """).first?.decode("yes", as: Bool.self) ?? false
        }
    }

    /// Which of `partnerIds` have an enabled endpoint for `type` (a batch of changes of
    /// many partners renders events only for those).
    public func subscribedPartners(_ partnerIds: [Int64], type: WebhookEventType) throws(StoreError) -> Set<Int64> {
        guard !partnerIds.isEmpty else { return [] }
        let distinct = Array(Set(partnerIds))
        return try storeCall {
            Set(try db.query("""
                SELECT DISTINCT partner_id FROM webhook_endpoints
                 WHERE partner_id = ANY(\(distinct)::bigint[]) AND status = 'enabled' AND \(type.rawValue) = ANY(events)
                """).map { try $0.decode("partner_id", as: Int64.self) })
        }
    }

    /// Delivered at commit, once per transaction however often it is called.
    func notifyWorkers() throws {
        try db.query("SELECT pg_notify(\(Self.channel), '')")
    }
}
