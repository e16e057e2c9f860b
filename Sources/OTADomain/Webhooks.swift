/// What a webhook event is about. Every change the API makes (and the expiry the worker
/// makes) that a partner would otherwise have to poll for.
public enum WebhookEventType: String, Sendable, CaseIterable, Hashable {
    case reservationCreated = "reservation.created"
    case reservationExpired = "reservation.expired"
    case reservationCancelled = "reservation.cancelled"
    case reservationActivated = "reservation.activated"
    case ticketActivated = "ticket.activated"
    case ticketRedeemed = "ticket.redeemed"
    case ticketUsed = "ticket.used"
    case ticketCancelled = "ticket.cancelled"
    case batchGenerated = "batch.generated"
    /// Sent on request (POST /webhooks/{id}/test) to one endpoint, whatever it subscribes to.
    case webhookTest = "webhook.test"

    /// The types an endpoint may subscribe to.
    public static let subscribable: [WebhookEventType] = allCases.filter { $0 != .webhookTest }
}

/// A partner's webhook endpoint, as the API shows it (never its secret).
public struct WebhookEndpoint: Sendable, Equatable {
    public var endpointId: String
    public var partnerId: Int64
    public var url: String
    public var description: String?
    public var events: [WebhookEventType]
    public var isEnabled: Bool
    /// Why it is disabled (410 Gone, 3 days of failures, the partner, the operator).
    public var disabledReason: String?
    public var disabledAt: Timestamp?
    /// Failing since then, without a success in between; nil while healthy.
    public var failingSince: Timestamp?
    /// Until then the secret before the last rotation signs as well.
    public var previousSecretExpiresAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(endpointId: String, partnerId: Int64, url: String, description: String?, events: [WebhookEventType],
                isEnabled: Bool, disabledReason: String?, disabledAt: Timestamp?, failingSince: Timestamp?,
                previousSecretExpiresAt: Timestamp?, createdAt: Timestamp, updatedAt: Timestamp) {
        self.endpointId = endpointId
        self.partnerId = partnerId
        self.url = url
        self.description = description
        self.events = events
        self.isEnabled = isEnabled
        self.disabledReason = disabledReason
        self.disabledAt = disabledAt
        self.failingSince = failingSince
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The members of a create (url and events required) or an update (any subset).
public struct WebhookEndpointInput: Sendable, Equatable {
    public var url: String?
    public var events: [WebhookEventType]?
    /// `.some(nil)` clears it.
    public var description: String??
    /// `enabled` / `disabled` (PATCH only).
    public var enabled: Bool?

    public static let maxDescriptionLength = 500

    public init(url: String? = nil, events: [WebhookEventType]? = nil, description: String?? = nil, enabled: Bool? = nil) {
        self.url = url
        self.events = events
        self.description = description
        self.enabled = enabled
    }

    /// The event names as sent: each one a subscribable type, at least one, no repeats.
    public static func events(_ names: [String]) throws(FieldError) -> [WebhookEventType] {
        guard !names.isEmpty else { throw .invalid("events", "must name at least one event type") }
        var out: [WebhookEventType] = []
        for (i, name) in names.enumerated() {
            guard let type = WebhookEventType(rawValue: name), type != .webhookTest else {
                throw .invalid("events[\(i)]", "must be one of \(WebhookEventType.subscribable.map(\.rawValue).joined(separator: ", "))")
            }
            guard !out.contains(type) else { throw .invalid("events[\(i)]", "names \(name) twice") }
            out.append(type)
        }
        return out
    }

    public static func description(_ text: String) throws(FieldError) -> String {
        guard text.unicodeScalars.count <= maxDescriptionLength else {
            throw .invalid("description", "must be at most \(maxDescriptionLength) characters")
        }
        return text
    }
}

/// Delivery states: pending (waiting for its next attempt), delivering (a worker is
/// sending it), delivered (a 2xx), failed (no 2xx within the retry window).
public enum WebhookDeliveryStatus: String, Sendable, CaseIterable {
    case pending, delivering, delivered, failed
}

/// One attempt to send a delivery, as the partner sees it.
public struct WebhookAttempt: Sendable, Equatable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// The request is under way.
        case inProgress = "in_progress"
        case succeeded, failed
        /// The worker sending it stopped (or lost its database) before recording a result;
        /// the delivery was attempted again.
        case lost
    }

    public var attempt: Int
    public var startedAt: Timestamp
    public var finishedAt: Timestamp?
    public var outcome: Outcome
    public var responseStatus: Int?
    public var durationMilliseconds: Int?
    /// The start of the response body (at most 1 KiB).
    public var responseBody: String?
    public var error: String?

    public init(attempt: Int, startedAt: Timestamp, finishedAt: Timestamp?, outcome: Outcome, responseStatus: Int?,
                durationMilliseconds: Int?, responseBody: String?, error: String?) {
        self.attempt = attempt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.responseStatus = responseStatus
        self.durationMilliseconds = durationMilliseconds
        self.responseBody = responseBody
        self.error = error
    }
}

/// One event on its way to one endpoint.
public struct WebhookDelivery: Sendable, Equatable {
    public var deliveryId: String
    public var endpointId: String
    public var eventId: String
    public var eventType: String
    public var status: WebhookDeliveryStatus
    public var nextAttemptAt: Timestamp?
    public var lastResponseStatus: Int?
    public var lastError: String?
    public var finishedAt: Timestamp?
    public var createdAt: Timestamp
    public var attempts: [WebhookAttempt]

    public init(deliveryId: String, endpointId: String, eventId: String, eventType: String, status: WebhookDeliveryStatus,
                nextAttemptAt: Timestamp?, lastResponseStatus: Int?, lastError: String?, finishedAt: Timestamp?,
                createdAt: Timestamp, attempts: [WebhookAttempt]) {
        self.deliveryId = deliveryId
        self.endpointId = endpointId
        self.eventId = eventId
        self.eventType = eventType
        self.status = status
        self.nextAttemptAt = nextAttemptAt
        self.lastResponseStatus = lastResponseStatus
        self.lastError = lastError
        self.finishedAt = finishedAt
        self.createdAt = createdAt
        self.attempts = attempts
    }
}
