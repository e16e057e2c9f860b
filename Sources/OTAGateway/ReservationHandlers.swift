import HTTP
import OTALog
import JSON
import OTADomain
import OTAStore

/// The partner's own reservations: show, list, cancel, activate.
enum ReservationHandlers {
    static func show(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let id = ctx.params["id"] ?? ""
        let found = try ctx.store { try ReservationStore(ctx.db).find(reservationId: id, partnerId: partner.partnerId) }
        guard let r = found else { throw notFound(id) }
        return jsonResponse(200, Render.reservation(r))
    }

    static func list(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        var status: ReservationStatus?
        if let s = ctx.request.queryValue("status") {
            guard let v = ReservationStatus(rawValue: s) else {
                throw APIError.field(.invalid("status", "must be one of \(ReservationStatus.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            status = v
        }
        let page = try ctx.page()
        let result = try ctx.store { try ReservationStore(ctx.db).list(partnerId: partner.partnerId, status: status, page: page) }
        let next = result.more ? result.items.last.map { PageCursor(createdAt: $0.createdAt, id: $0.reservationId).token } : nil
        return jsonResponse(200, Render.page("reservations", result.items.map(Render.reservation), next: next))
    }

    static func cancel(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let id = ctx.params["id"] ?? ""
        return try Idempotency.run(ctx) { () throws(APIError) -> HTTPResponse in
            try ctx.inTransaction {
                let store = ReservationStore(ctx.db)
                guard let (r, _) = try store.lockForChange(reservationId: id, partnerId: partner.partnerId) else { throw notFound(id) }
                guard r.status == .active else { throw notActive(r) }
                try store.end(reservationId: id, as: .cancelled)
                Log.event("ota.reservation.cancelled", [("request_id", .string(ctx.requestId)), ("reservation_id", .string(id)),
                                                        ("partner_id", .number(String(partner.partnerId))), ("quantity", .int(r.quantity))])
                var cancelled = r
                cancelled.status = .cancelled
                return jsonResponse(200, Render.reservation(cancelled))
            }
        }
    }

    static func activate(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let id = ctx.params["id"] ?? ""
        let body = try ctx.jsonBody()
        let request: ActivationRequest
        do {
            request = try ActivationRequest.parse(body)
        } catch {
            throw APIError.field(error)
        }
        return try Idempotency.run(ctx) { () throws(APIError) -> HTTPResponse in
            try ctx.inTransaction {
                guard let (r, pastExpiry) = try ReservationStore(ctx.db).lockForChange(reservationId: id, partnerId: partner.partnerId) else {
                    throw notFound(id)
                }
                guard r.status == .active else { throw notActive(r) }
                // The expiry is decided under the row lock by the database clock: a hold past its
                // expiry is never activated, even before the worker has released it.
                guard !pastExpiry else {
                    throw APIError(409, code: "reservation_expired", title: "Reservation expired",
                                   detail: "Reservation \(id) expired at \(r.expiresAt) and can no longer be activated; place a new hold.",
                                   extra: [("reservation_status", "expired")])
                }
                let today = currentTimestamp().date
                try request.validate(quantity: r.quantity, customerTypes: try CatalogStore(ctx.db).customerTypes(), today: today)
                let prices = request.unitPrices(r.pricing, today: today)
                let order = try OrderStore(ctx.db).activate(r, request: request, prices: prices)
                let tickets = try TicketStore(ctx.db).tickets(orderId: order.orderId, partnerId: partner.partnerId,
                                                              limit: max(order.quantity, 1), afterCode: nil).items
                Log.event("ota.reservation.activated", [("request_id", .string(ctx.requestId)), ("reservation_id", .string(id)),
                                                        ("order_id", .string(order.orderId)), ("partner_id", .number(String(partner.partnerId))),
                                                        ("quantity", .int(order.quantity))])
                return jsonResponse(201, Render.order(order, tickets: tickets), headers: [("Location", "/api/ota/orders/\(order.orderId)")])
            }
        }
    }

    static func notFound(_ id: String) -> APIError {
        APIError.notFound("No reservation \(id.prefix(64)) for this partner.")
    }

    static func notActive(_ r: Reservation) -> APIError {
        APIError(409, code: "reservation_\(r.status.rawValue)", title: "Reservation not active",
                 detail: "Reservation \(r.reservationId) is \(r.status.rawValue); only an active reservation can be activated or cancelled.",
                 extra: [("reservation_status", .string(r.status.rawValue))])
    }
}
