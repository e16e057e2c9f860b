import JSON
import OTADomain
import OTARepresentation

/// The JSON shapes of the API's resources. They live in OTARepresentation, which the store
/// shares to write webhook events in the same shapes; these names stay for the handlers.
enum Render {
    static func reservation(_ r: Reservation) -> JSONValue { Representation.reservation(r) }

    static func customer(_ c: Customer) -> JSONValue { Representation.customer(c) }

    static func pricingSnapshot(_ p: PricingSnapshot) -> JSONValue { Representation.pricingSnapshot(p) }

    static func resellerMetadata(_ m: ResellerMetadata) -> JSONValue { Representation.resellerMetadata(m) }

    static func order(_ o: Order, tickets: [Ticket]? = nil) -> JSONValue { Representation.order(o, tickets: tickets) }

    static func ticket(_ t: Ticket) -> JSONValue { Representation.ticket(t) }

    static func batch(_ b: Batch, ticketCodes: [String]? = nil) -> JSONValue { Representation.batch(b, ticketCodes: ticketCodes) }

    static func redemption(_ r: Redemption) -> JSONValue { Representation.redemption(r) }

    /// A page of a listing: {"<name>": [...], "next_cursor": "..." | null}, the cursor
    /// pointing after the last item when more follow.
    static func page<T>(_ name: String, _ result: (items: [T], more: Bool), cursor: (T) -> PageCursor,
                        _ render: (T) -> JSONValue) -> JSONValue {
        let next = result.more ? result.items.last.map { cursor($0).token } : nil
        return .object([(name, .array(result.items.map(render))), ("next_cursor", next.map(JSONValue.string) ?? .null)])
    }
}

