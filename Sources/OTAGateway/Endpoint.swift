import HTTP
import OTADomain

/// Every route of the gateway, with what it needs from the caller.
enum Endpoint: Sendable {
    case livez, readyz
    case inventory, reserve
    case reservation, reservations, cancelReservation, activateReservation
    case orders, order, orderTickets
    case bulkGenerate, ticket, activateTicket, cancelTicket, batches, batch, batchTickets

    /// The permission a partner needs; nil for routes without partner authentication.
    var permission: Permission? {
        switch self {
        case .livez, .readyz: return nil
        case .inventory: return .inventoryRead
        case .reserve: return .reservationsWrite
        case .reservation, .reservations: return .ordersRead
        case .cancelReservation, .activateReservation: return .reservationsWrite
        case .orders, .order, .orderTickets: return .ordersRead
        case .bulkGenerate, .activateTicket, .cancelTicket: return .ticketsWrite
        case .ticket, .batches, .batch, .batchTickets: return .ticketsRead
        }
    }

    static let routes: Router<Endpoint> = {
        var r = Router<Endpoint>()
        r.add("GET", "/livez", .livez)
        r.add("GET", "/readyz", .readyz)
        r.add("GET", "/healthz", .readyz)
        r.add("GET", "/api/ota/inventory", .inventory)
        r.add("POST", "/api/ota/reserve", .reserve)
        r.add("GET", "/api/ota/reservations", .reservations)
        r.add("GET", "/api/ota/reservations/{id}", .reservation)
        r.add("POST", "/api/ota/reservations/{id}/cancel", .cancelReservation)
        r.add("POST", "/api/ota/reservations/{id}/activate", .activateReservation)
        r.add("GET", "/api/ota/orders", .orders)
        r.add("GET", "/api/ota/orders/{id}", .order)
        r.add("GET", "/api/ota/orders/{id}/tickets", .orderTickets)
        r.add("POST", "/api/ota/tickets/bulk-generate", .bulkGenerate)
        r.add("GET", "/api/ota/tickets/{code}", .ticket)
        r.add("POST", "/api/ota/tickets/{code}/activate", .activateTicket)
        r.add("POST", "/api/ota/tickets/{code}/cancel", .cancelTicket)
        r.add("GET", "/api/ota/batches", .batches)
        r.add("GET", "/api/ota/batches/{batch_id}", .batch)
        r.add("GET", "/api/ota/batches/{batch_id}/tickets", .batchTickets)
        return r
    }()
}
