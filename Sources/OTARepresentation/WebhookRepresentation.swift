public import JSON
public import OTADomain

/// Webhook endpoints and deliveries as the API shows them (never a sealed secret).
extension Representation {
    public static func webhookEndpoint(_ e: WebhookEndpoint, secret: String? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("endpoint_id", .string(e.endpointId)), ("url", .string(e.url)),
            ("description", e.description.map(JSONValue.string) ?? .null),
            ("events", .array(e.events.map { .string($0.rawValue) })),
            ("status", .string(e.isEnabled ? "enabled" : "disabled")),
            ("disabled_reason", e.disabledReason.map(JSONValue.string) ?? .null),
            ("disabled_at", timestamp(e.disabledAt)), ("failing_since", timestamp(e.failingSince)),
            ("previous_secret_expires_at", timestamp(e.previousSecretExpiresAt)),
            ("created_at", .string(e.createdAt.description)), ("updated_at", .string(e.updatedAt.description)),
        ]
        // Shown once, in the answer that made it.
        if let secret { members.append(("secret", .string(secret))) }
        return .object(members)
    }

    public static func webhookDelivery(_ d: WebhookDelivery) -> JSONValue {
        .object([
            ("delivery_id", .string(d.deliveryId)), ("endpoint_id", .string(d.endpointId)), ("event_id", .string(d.eventId)),
            ("event_type", .string(d.eventType)), ("status", .string(d.status.rawValue)),
            ("next_attempt_at", timestamp(d.nextAttemptAt)),
            ("last_response_status", d.lastResponseStatus.map { .int($0) } ?? .null),
            ("last_error", d.lastError.map(JSONValue.string) ?? .null),
            ("finished_at", timestamp(d.finishedAt)), ("created_at", .string(d.createdAt.description)),
            ("attempts", .array(d.attempts.map(webhookAttempt))),
        ])
    }

    public static func webhookAttempt(_ a: WebhookAttempt) -> JSONValue {
        .object([
            ("attempt", .int(a.attempt)), ("started_at", .string(a.startedAt.description)),
            ("finished_at", timestamp(a.finishedAt)), ("outcome", .string(a.outcome.rawValue)),
            ("response_status", a.responseStatus.map { .int($0) } ?? .null),
            ("duration_ms", a.durationMilliseconds.map { .int($0) } ?? .null),
            ("response_body", a.responseBody.map(JSONValue.string) ?? .null),
            ("error", a.error.map(JSONValue.string) ?? .null),
        ])
    }

    static func timestamp(_ t: Timestamp?) -> JSONValue { t.map { .string($0.description) } ?? .null }
}
