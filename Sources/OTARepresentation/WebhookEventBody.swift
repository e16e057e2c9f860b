public import JSON
public import OTADomain

/// The body of a webhook request: `{"id", "type", "created_at", "data"}`, where data is
/// the resource as the API renders it. Composed the same way at every attempt from what
/// the outbox stored, so the bytes (and the event id) are the same on every retry.
public enum WebhookEventBody {
    public static func compose(eventId: String, type: String, createdAt: Timestamp, data: JSONValue) -> [UInt8] {
        JSONValue.object([
            ("id", .string(eventId)), ("type", .string(type)), ("created_at", .string(createdAt.description)), ("data", data),
        ]).encoded()
    }

    /// What each event type carries in `data`, in terms of the API's representations.
    public static func reservationData(_ r: Reservation) -> JSONValue { Representation.reservation(r) }

    /// reservation.activated: the order with its tickets, as the activation answered.
    public static func activationData(_ o: Order, tickets: [Ticket]) -> JSONValue { Representation.order(o, tickets: tickets) }

    public static func ticketData(_ t: Ticket) -> JSONValue { Representation.ticket(t) }

    /// ticket.redeemed: the redemption and the ticket after it, as the scan answered.
    public static func redemptionData(_ r: Redemption, ticket: Ticket) -> JSONValue {
        .object([("redemption", Representation.redemption(r)), ("ticket", Representation.ticket(ticket))])
    }

    /// batch.generated: the batch as GET /batches/{id} shows it (with ticket counts; the
    /// codes are a page away at /batches/{id}/tickets, so a 5000-ticket batch stays small).
    public static func batchData(_ b: Batch) -> JSONValue { Representation.batch(b) }
}
