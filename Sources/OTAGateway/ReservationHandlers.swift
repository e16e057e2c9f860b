import HTTP
import JSON
import OTACrypto
import OTADomain
import OTALog
import OTAStore

/// The partner's own reservations: show, list, cancel, activate.
enum ReservationHandlers {
    static let routes: [Route] = [
        Route("GET", "/api/ota/reservations", "listReservations", .partner(.ordersRead), list),
        Route("GET", "/api/ota/reservations/{id}", "getReservation", .partner(.ordersRead), show),
        Route("POST", "/api/ota/reservations/{id}/cancel", "cancelReservation", .partner(.reservationsWrite), idempotent: true, cancel),
        Route("POST", "/api/ota/reservations/{id}/activate", "activateReservation", .partner(.reservationsWrite), idempotent: true, activate),
    ]

    static func show(_ ctx: RequestContext) throws -> HTTPResponse {
        let id = ctx.parameter("id")
        guard let r = try ReservationStore(try ctx.db).find(reservationId: id, partnerId: try ctx.partner.partnerId) else {
            throw notFound(id)
        }
        return jsonResponse(200, Render.reservation(r))
    }

    static func list(_ ctx: RequestContext) throws -> HTTPResponse {
        let status = try ctx.enumQuery("status", ReservationStatus.self)
        let page = try ctx.page()
        let result = try ReservationStore(try ctx.db).list(partnerId: try ctx.partner.partnerId, status: status, page: page)
        return jsonResponse(200, Render.page("reservations", result, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.reservationId) }, Render.reservation))
    }

    static func cancel(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let id = ctx.parameter("id")
        switch try ReservationStore(try ctx.db).cancel(reservationId: id, partnerId: partner.partnerId) {
        case let .cancelled(r):
            Log.event("ota.reservation.cancelled", [("request_id", .string(ctx.requestId)), ("reservation_id", .string(id)),
                                                    ("partner_id", .number(String(partner.partnerId))), ("quantity", .int(r.quantity))])
            return jsonResponse(200, Render.reservation(r))
        case .notFound: throw notFound(id)
        case let .notActive(status): throw notActive(id, status)
        }
    }

    static func activate(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let id = ctx.parameter("id")
        let request = try ActivationRequest.parse(try ctx.jsonBody())
        let orderId = try SecureRandom.identifier(prefix: "ord_")
        let codes = try request.units.map { _ in try SecureRandom.ticketCode() }
        switch try ReservationStore(try ctx.db).activate(reservationId: id, partnerId: partner.partnerId, request: request,
                                                        orderId: orderId, ticketCodes: codes, today: currentTimestamp().date) {
        case let .activated(order, tickets):
            Log.event("ota.reservation.activated", [("request_id", .string(ctx.requestId)), ("reservation_id", .string(id)),
                                                    ("order_id", .string(order.orderId)), ("partner_id", .number(String(partner.partnerId))),
                                                    ("quantity", .int(order.quantity))])
            return jsonResponse(201, Render.order(order, tickets: tickets), headers: [("Location", "/api/ota/orders/\(order.orderId)")])
        case .notFound: throw notFound(id)
        case let .notActive(status): throw notActive(id, status)
        case let .expired(at):
            throw APIError(.reservationExpired, "Reservation \(id) expired at \(at) and can no longer be activated; place a new hold.",
                           extra: [("reservation_status", "expired")])
        case let .invalid(error): throw error
        }
    }

    static func notFound(_ id: String) -> APIError {
        APIError.notFound("No reservation \(echo(id)) for this partner.")
    }

    static func notActive(_ id: String, _ status: ReservationStatus) -> APIError {
        let type: ProblemType = switch status {
        case .expired: .reservationExpired
        case .cancelled: .reservationCancelled
        case .activated, .active: .reservationActivated
        }
        return APIError(type, "Reservation \(id) is \(status.rawValue); only an active reservation can be activated or cancelled.",
                        extra: [("reservation_status", .string(status.rawValue))])
    }
}
