import HTTP
import OTADomain

/// Every route of the gateway, with what it needs from the caller.
enum Endpoint: Sendable {
    case livez, readyz, metrics, openapi
    case inventory, reserve
    case reservation, reservations, cancelReservation, activateReservation
    case orders, order, orderTickets
    case bulkGenerate, ticket, activateTicket, cancelTicket, batches, batch, batchTickets
    case ticketQR
    case createOperator, operators, operatorDetail, updateOperator, disableOperator
    case billingSummary, billingRedemptions
    case operatorLogin, operatorVenues, qrDecrypt, venueScan

    /// The permission a partner needs; nil for routes without partner authentication.
    var permission: Permission? {
        switch self {
        case .livez, .readyz, .metrics, .openapi: return nil
        case .operatorLogin, .operatorVenues, .qrDecrypt, .venueScan: return nil
        case .ticketQR: return .ticketsWrite
        case .createOperator, .operators, .operatorDetail, .updateOperator, .disableOperator: return .operators
        case .billingSummary, .billingRedemptions: return .billingRead
        case .inventory: return .inventoryRead
        case .reserve: return .reservationsWrite
        case .reservation, .reservations: return .ordersRead
        case .cancelReservation, .activateReservation: return .reservationsWrite
        case .orders, .order, .orderTickets: return .ordersRead
        case .bulkGenerate, .activateTicket, .cancelTicket: return .ticketsWrite
        case .ticket, .batches, .batch, .batchTickets: return .ticketsRead
        }
    }

    /// Routes of the venue scanning app: a logged-in operator's bearer token.
    var needsOperatorSession: Bool {
        switch self {
        case .operatorVenues, .qrDecrypt, .venueScan: return true
        default: return false
        }
    }

    static let routes: Router<Endpoint> = {
        var r = Router<Endpoint>()
        r.add("GET", "/livez", .livez)
        r.add("GET", "/readyz", .readyz)
        r.add("GET", "/healthz", .readyz)
        r.add("GET", "/metrics", .metrics)
        r.add("GET", "/openapi.yaml", .openapi)
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
        r.add("POST", "/api/ota/tickets/{code}/qr", .ticketQR)
        r.add("POST", "/api/ota/operators", .createOperator)
        r.add("GET", "/api/ota/operators", .operators)
        r.add("GET", "/api/ota/operators/{id}", .operatorDetail)
        r.add("PATCH", "/api/ota/operators/{id}", .updateOperator)
        r.add("POST", "/api/ota/operators/{id}/disable", .disableOperator)
        r.add("GET", "/api/ota/billing/summary", .billingSummary)
        r.add("GET", "/api/ota/billing/redemptions", .billingRedemptions)
        r.add("POST", "/operators/login", .operatorLogin)
        r.add("GET", "/operators/venues", .operatorVenues)
        r.add("POST", "/qr/decrypt", .qrDecrypt)
        r.add("POST", "/venue/scan", .venueScan)
        return r
    }()
}
