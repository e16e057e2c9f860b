public import OTADomain
public import Postgres

/// What partners and operators see of deliveries: every delivery of an endpoint with its
/// attempts, a manual retry, and the gauges of /metrics.
extension WebhookDeliveryStore {
    /// The endpoint's deliveries, newest first, one page, each with its attempts; nil when
    /// the page's cursor is not one of this listing.
    public func deliveries(endpointId: String, partnerId: Int64, status: WebhookDeliveryStatus?,
                           page: PageRequest) throws(StoreError) -> (items: [WebhookDelivery], more: Bool) {
        let afterTime = page.after?.createdAt
        let afterId = page.after?.id
        return try storeCall {
            let rows = try db.query("""
                SELECT d.delivery_id, d.endpoint_id, d.event_id, ev.type, d.status, d.next_attempt_at, d.last_response_status,
                       d.last_error, d.finished_at, d.created_at
                  FROM webhook_deliveries d
                  JOIN webhook_endpoints e ON e.endpoint_id = d.endpoint_id
                  JOIN webhook_events ev ON ev.event_id = d.event_id
                 WHERE d.endpoint_id = \(endpointId) AND e.partner_id = \(partnerId)
                   AND (\(status?.rawValue)::text IS NULL OR d.status = \(status?.rawValue)::text)
                   AND (\(afterTime)::timestamptz IS NULL OR (d.created_at, d.delivery_id) < (\(afterTime)::timestamptz, \(afterId)::text))
                 ORDER BY d.created_at DESC, d.delivery_id DESC
                 LIMIT \(page.limit + 1)
                """)
            let found = try rows.page(page.limit, Self.delivery)
            var items = found.items
            try attachAttempts(&items)
            return (items, found.more)
        }
    }

    public func delivery(deliveryId: String, endpointId: String, partnerId: Int64) throws(StoreError) -> WebhookDelivery? {
        try storeCall {
            guard let row = try db.query("""
                SELECT d.delivery_id, d.endpoint_id, d.event_id, ev.type, d.status, d.next_attempt_at, d.last_response_status,
                       d.last_error, d.finished_at, d.created_at
                  FROM webhook_deliveries d
                  JOIN webhook_endpoints e ON e.endpoint_id = d.endpoint_id
                  JOIN webhook_events ev ON ev.event_id = d.event_id
                 WHERE d.delivery_id = \(deliveryId) AND d.endpoint_id = \(endpointId) AND e.partner_id = \(partnerId)
                """).first else { return nil }
            var items = [try Self.delivery(row)]
            try attachAttempts(&items)
            return items.first
        }
    }

    private func attachAttempts(_ items: inout [WebhookDelivery]) throws {
        guard !items.isEmpty else { return }
        let ids = items.map(\.deliveryId)
        var byDelivery: [String: [WebhookAttempt]] = [:]
        for row in try db.query("""
            SELECT delivery_id, attempt, started_at, finished_at, outcome, response_status, duration_ms, response_body, error
              FROM webhook_attempts WHERE delivery_id = ANY(\(ids)::text[])
             ORDER BY delivery_id, attempt
            """) {
            guard let outcome = WebhookAttempt.Outcome(rawValue: try row.decode("outcome", as: String.self)) else {
                throw StoreError.corrupt("webhook attempt outcome")
            }
            byDelivery[try row.decode("delivery_id"), default: []].append(WebhookAttempt(
                attempt: try row.decode("attempt"), startedAt: try row.decode("started_at"),
                finishedAt: try row.decodeIfPresent("finished_at"), outcome: outcome,
                responseStatus: try row.decodeIfPresent("response_status"), durationMilliseconds: try row.decodeIfPresent("duration_ms"),
                responseBody: try row.decodeIfPresent("response_body"), error: try row.decodeIfPresent("error")))
        }
        for i in items.indices { items[i].attempts = byDelivery[items[i].deliveryId] ?? [] }
    }

    static func delivery(_ row: PostgresRow) throws -> WebhookDelivery {
        guard let status = WebhookDeliveryStatus(rawValue: try row.decode("status", as: String.self)) else {
            throw StoreError.corrupt("webhook delivery status")
        }
        return WebhookDelivery(
            deliveryId: try row.decode("delivery_id"), endpointId: try row.decode("endpoint_id"), eventId: try row.decode("event_id"),
            eventType: try row.decode("type"), status: status,
            nextAttemptAt: status == .pending ? try row.decodeIfPresent("next_attempt_at") : nil,
            lastResponseStatus: try row.decodeIfPresent("last_response_status"), lastError: try row.decodeIfPresent("last_error"),
            finishedAt: try row.decodeIfPresent("finished_at"), createdAt: try row.decode("created_at"), attempts: [])
    }

    public enum RetryOutcome: Sendable, Equatable {
        case scheduled(WebhookDelivery)
        case notFound
        /// A worker is sending it right now.
        case inFlight
    }

    /// Makes a delivery due now, whatever its state (delivered: sent again), unless a
    /// worker is sending it. One more attempt; past the retry window, a failure fails it.
    public func retry(deliveryId: String, endpointId: String, partnerId: Int64) throws(StoreError) -> RetryOutcome {
        try storeCall {
            try db.transaction { () throws -> RetryOutcome in
                guard let current = try delivery(deliveryId: deliveryId, endpointId: endpointId, partnerId: partnerId) else {
                    return .notFound
                }
                let r = try db.query("""
                    UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), finished_at = NULL, updated_at = now()
                     WHERE delivery_id = \(current.deliveryId) AND status <> 'delivering'
                    """)
                guard r.affectedRows == 1 else { return .inFlight }
                try WebhookOutbox(db).notifyWorkers()
                guard let after = try delivery(deliveryId: deliveryId, endpointId: endpointId, partnerId: partnerId) else {
                    return .notFound
                }
                return .scheduled(after)
            }
        }
    }

    /// Deliveries waiting (pending or being sent) per endpoint, for the operator's listing.
    public func pendingByEndpoint() throws(StoreError) -> [String: Int] {
        try storeCall {
            var out: [String: Int] = [:]
            for row in try db.query("""
                SELECT endpoint_id, count(*)::int AS n FROM webhook_deliveries
                 WHERE status IN ('pending', 'delivering') GROUP BY endpoint_id
                """) {
                out[try row.decode("endpoint_id")] = try row.decode("n")
            }
            return out
        }
    }

    /// Gauges for /metrics, read at scrape time.
    public struct Gauges: Sendable, Equatable {
        public var byStatus: [(status: String, count: Int)]
        /// Pending deliveries due now (of enabled endpoints): the queue the workers face.
        public var queueDepth: Int
        /// Age of the oldest delivery not yet delivered or failed (0: none).
        public var oldestPendingSeconds: Double
        public var disabledEndpoints: Int

        public static func == (a: Gauges, b: Gauges) -> Bool {
            a.queueDepth == b.queueDepth && a.oldestPendingSeconds == b.oldestPendingSeconds
                && a.disabledEndpoints == b.disabledEndpoints && a.byStatus.map(\.status) == b.byStatus.map(\.status)
                && a.byStatus.map(\.count) == b.byStatus.map(\.count)
        }
    }

    public func gauges() throws(StoreError) -> Gauges {
        try storeCall {
            var counts = Dictionary(uniqueKeysWithValues: WebhookDeliveryStatus.allCases.map { ($0.rawValue, 0) })
            for row in try db.query("SELECT status, count(*)::int AS n FROM webhook_deliveries GROUP BY status") {
                counts[try row.decode("status")] = try row.decode("n")
            }
            guard let row = try db.query("""
                SELECT (SELECT count(*)::int FROM webhook_deliveries d JOIN webhook_endpoints e USING (endpoint_id)
                         WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.status = 'enabled') AS depth,
                       (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 FROM webhook_deliveries
                         WHERE status IN ('pending', 'delivering')) AS oldest,
                       (SELECT count(*)::int FROM webhook_endpoints WHERE status = 'disabled') AS disabled
                """).first else { throw StoreError.corrupt("webhook gauges returned no row") }
            return Gauges(byStatus: WebhookDeliveryStatus.allCases.map { ($0.rawValue, counts[$0.rawValue] ?? 0) },
                          queueDepth: try row.decode("depth"), oldestPendingSeconds: max(0, try row.decode("oldest", as: Double.self)),
                          disabledEndpoints: try row.decode("disabled"))
        }
    }
}
