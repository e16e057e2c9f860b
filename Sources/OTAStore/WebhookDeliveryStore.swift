public import JSON
public import OTADomain
public import OTARepresentation
public import Postgres

/// A delivery a worker claimed: what to send where, and the sealed secrets to sign with
/// (the current one first; the previous one during a rotation's overlap).
public struct ClaimedDelivery: Sendable {
    public var deliveryId: String
    public var attempt: Int
    public var eventId: String
    public var eventType: String
    public var endpointId: String
    public var url: String
    /// The request body, the same bytes at every attempt.
    public var body: [UInt8]
    public var secrets: [WebhookStore.SealedSecret]
}

/// How one attempt ended, as the worker saw it.
public struct AttemptResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// An HTTP answer (2xx: delivered).
        case answered(status: Int)
        /// No HTTP answer: refused address, DNS, connection, TLS, timeout.
        case noAnswer(error: String)
    }

    public var deliveryId: String
    public var attempt: Int
    public var outcome: Outcome
    public var durationMilliseconds: Int
    /// The start of the response body, valid UTF-8, at most 1 KiB.
    public var responseBody: String?

    public init(deliveryId: String, attempt: Int, outcome: Outcome, durationMilliseconds: Int, responseBody: String?) {
        self.deliveryId = deliveryId
        self.attempt = attempt
        self.outcome = outcome
        self.durationMilliseconds = durationMilliseconds
        self.responseBody = responseBody
    }

    public var isSuccess: Bool {
        if case let .answered(status) = outcome { return (200...299).contains(status) }
        return false
    }
}

/// The worker's side of webhooks: claims, results, housekeeping.
public struct WebhookDeliveryStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    /// Claims up to `limit` due deliveries (ota_webhook_claim: at most `perEndpoint` in
    /// flight per endpoint across workers), committed before it returns.
    public func claim(worker: String, limit: Int, perEndpoint: Int, leaseSeconds: Int) throws(StoreError) -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        return try storeCall {
            try db.query("""
                SELECT * FROM ota_webhook_claim(\(worker), \(limit), \(perEndpoint), \(leaseSeconds))
                """).map { row in
                var secrets = [WebhookStore.SealedSecret(sealed: try row.decode("secret_sealed"), keyId: try row.decode("secret_key_id"))]
                if let previous = try row.decodeIfPresent("previous_secret_sealed", as: [UInt8].self) {
                    secrets.append(WebhookStore.SealedSecret(sealed: previous, keyId: try row.decode("previous_secret_key_id")))
                }
                guard let data = try? JSONValue.parse(Array(try row.decode("data", as: String.self).utf8)) else {
                    throw StoreError.corrupt("webhook event data")
                }
                let eventId: String = try row.decode("event_id")
                let type: String = try row.decode("event_type")
                return ClaimedDelivery(
                    deliveryId: try row.decode("delivery_id"), attempt: try row.decode("attempt"), eventId: eventId, eventType: type,
                    endpointId: try row.decode("endpoint_id"), url: try row.decode("url"),
                    body: WebhookEventBody.compose(eventId: eventId, type: type, createdAt: try row.decode("event_created_at"), data: data),
                    secrets: secrets)
            }
        }
    }

    public enum RecordOutcome: Sendable, Equatable {
        case delivered
        case retrying(at: Timestamp)
        /// No 2xx within the retry window.
        case failed
        /// The endpoint was disabled by this attempt (410, or failing for the whole window);
        /// the delivery is failed.
        case endpointDisabled(reason: String)
        /// The lease ran out and the delivery is no longer this attempt's: only the
        /// attempt row was completed.
        case superseded
    }

    /// Records an attempt's result in one transaction: the attempt row, then the
    /// delivery's next state by `policy`, and the endpoint's health (410 disables it; so
    /// does failing for the whole window). Locks the endpoint row, then the delivery row,
    /// then its attempt row: the order every writer of them follows (the claim only ever
    /// skips locked endpoint and delivery rows), so no two can wait on each other.
    public func record(_ result: AttemptResult, worker: String, policy: WebhookRetryPolicy,
                       jitter: Double) throws(StoreError) -> RecordOutcome {
        let status: Int? = if case let .answered(s) = result.outcome { s } else { nil }
        let error: String? = if case let .noAnswer(e) = result.outcome { String(e.prefix(500)) } else { nil }
        return try storeCall {
            try db.transaction { () throws -> RecordOutcome in
                guard let row = try db.query("""
                    SELECT e.endpoint_id, e.failing_since, d.created_at, clock_timestamp() AS now
                      FROM webhook_endpoints e JOIN webhook_deliveries d ON d.endpoint_id = e.endpoint_id
                     WHERE d.delivery_id = \(result.deliveryId)
                       FOR UPDATE OF e
                    """).first else { return .superseded }  // deleted with its endpoint meanwhile
                let endpointId: String = try row.decode("endpoint_id")
                let now: Timestamp = try row.decode("now")
                let ours = try db.query("""
                    SELECT status = 'delivering' AND attempts = \(result.attempt) AND leased_by = \(worker) AS ours
                      FROM webhook_deliveries WHERE delivery_id = \(result.deliveryId)
                       FOR UPDATE
                    """).first?.decode("ours", as: Bool.self) ?? false
                // The attempt row tells what happened even when the lease ran out meanwhile
                // (it may have been marked lost by the worker that took over).
                try db.query("""
                    UPDATE webhook_attempts
                       SET outcome = \(result.isSuccess ? "succeeded" : "failed"), finished_at = clock_timestamp(),
                           response_status = \(status), duration_ms = \(result.durationMilliseconds),
                           response_body = \(result.responseBody), error = \(error)
                     WHERE delivery_id = \(result.deliveryId) AND attempt = \(result.attempt)
                    """)
                guard ours else { return .superseded }
                if result.isSuccess {
                    try finish(result.deliveryId, as: "delivered", status: status, error: nil)
                    try db.query("UPDATE webhook_endpoints SET failing_since = NULL WHERE endpoint_id = \(endpointId) AND failing_since IS NOT NULL")
                    return .delivered
                }
                let failingSince = try row.decodeIfPresent("failing_since", as: Timestamp.self) ?? now
                try db.query("""
                    UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, \(failingSince)::timestamptz)
                     WHERE endpoint_id = \(endpointId)
                    """)
                var disableReason: String?
                if status == 410 {
                    disableReason = "the endpoint answered 410 Gone at \(now); re-enable it with PATCH {\"status\": \"enabled\"}"
                } else if policy.shouldDisable(failingSince: failingSince, now: now) {
                    disableReason = "every attempt failed since \(failingSince) (3 days); re-enable it with PATCH {\"status\": \"enabled\"}"
                }
                if let reason = disableReason {
                    try finish(result.deliveryId, as: "failed", status: status, error: error ?? "endpoint disabled")
                    try db.query("""
                        UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = \(reason), disabled_at = now(), updated_at = now()
                         WHERE endpoint_id = \(endpointId) AND status = 'enabled'
                        """)
                    return .endpointDisabled(reason: reason)
                }
                switch policy.next(afterAttempt: result.attempt, at: now, createdAt: try row.decode("created_at"), jitter: jitter) {
                case .giveUp:
                    try finish(result.deliveryId, as: "failed", status: status, error: error)
                    return .failed
                case let .retry(at):
                    try db.query("""
                        UPDATE webhook_deliveries
                           SET status = 'pending', next_attempt_at = \(at)::timestamptz, lease_until = NULL, leased_by = NULL,
                               last_response_status = \(status), last_error = \(error), updated_at = now()
                         WHERE delivery_id = \(result.deliveryId)
                        """)
                    return .retrying(at: at)
                }
            }
        }
    }

    private func finish(_ deliveryId: String, as status: String, status code: Int?, error: String?) throws {
        try db.query("""
            UPDATE webhook_deliveries
               SET status = \(status), finished_at = now(), lease_until = NULL, leased_by = NULL,
                   last_response_status = \(code), last_error = \(error), updated_at = now()
             WHERE delivery_id = \(deliveryId)
            """)
    }

    /// The earliest next attempt among pending deliveries of enabled endpoints, by the
    /// database clock, with its now(): when to look again without a notification.
    public func nextDue() throws(StoreError) -> (databaseNow: Timestamp, next: Timestamp?) {
        try storeCall {
            guard let row = try db.query("""
                SELECT now() AS database_now,
                       (SELECT min(d.next_attempt_at) FROM webhook_deliveries d JOIN webhook_endpoints e USING (endpoint_id)
                         WHERE d.status = 'pending' AND e.status = 'enabled') AS next_due
                """).first else { throw StoreError.corrupt("webhook outlook returned no row") }
            return (try row.decode("database_now"), try row.decodeIfPresent("next_due"))
        }
    }

    /// Deletes up to `limit` deliveries that finished more than `olderThanDays` ago (their
    /// attempts go with them), then events left without deliveries; how many rows went.
    public func purge(olderThanDays days: Int, limit: Int) throws(StoreError) -> Int {
        guard limit > 0 else { return 0 }
        return try storeCall {
            let deliveries = try db.query("""
                DELETE FROM webhook_deliveries WHERE delivery_id IN (
                    SELECT delivery_id FROM webhook_deliveries
                     WHERE status IN ('delivered', 'failed') AND finished_at < now() - make_interval(days => \(days))
                     ORDER BY finished_at LIMIT \(limit)
                       FOR UPDATE SKIP LOCKED)
                """).affectedRows
            let events = try db.query("""
                DELETE FROM webhook_events WHERE event_id IN (
                    SELECT ev.event_id FROM webhook_events ev
                     WHERE ev.created_at < now() - make_interval(days => \(days))
                       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = ev.event_id)
                     ORDER BY ev.created_at LIMIT \(limit)
                       FOR UPDATE SKIP LOCKED)
                """).affectedRows
            return deliveries + events
        }
    }
}
