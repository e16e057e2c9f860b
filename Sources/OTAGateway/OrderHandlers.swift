import HTTP
import JSON
import OTADomain
import OTAStore

/// The partner's own orders and their tickets.
enum OrderHandlers {
    static let routes: [Route] = [
        Route("GET", "/api/ota/orders", "listOrders", .partner(.ordersRead), list),
        Route("GET", "/api/ota/orders/{id}", "getOrder", .partner(.ordersRead), show),
        Route("GET", "/api/ota/orders/{id}/tickets", "listOrderTickets", .partner(.ordersRead), tickets),
        Route("GET", "/api/ota/orders/{id}/redemptions", "listOrderRedemptions", .partner(.ordersRead), redemptions),
    ]

    static func list(_ ctx: RequestContext) throws -> HTTPResponse {
        var filter = OrderStore.Filter()
        if let s = ctx.request.queryValue("status") {
            guard ["confirmed", "cancelled"].contains(s) else { throw APIError.invalid("status", "must be confirmed or cancelled") }
            filter.status = s
        }
        filter.createdFrom = try ctx.instantQuery("created_from", endOfDay: false)
        filter.createdTo = try ctx.instantQuery("created_to", endOfDay: true)
        if let from = filter.createdFrom, let to = filter.createdTo, from >= to {
            throw APIError.invalid("created_to", "must be after created_from")
        }
        let page = try ctx.page()
        let result = try OrderStore(try ctx.db).list(partnerId: try ctx.partner.partnerId, filter: filter, page: page)
        return jsonResponse(200, Render.page("orders", result, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.orderId) }, { Render.order($0) }))
    }

    static func show(_ ctx: RequestContext) throws -> HTTPResponse {
        jsonResponse(200, Render.order(try order(ctx)))
    }

    static func tickets(_ ctx: RequestContext) throws -> HTTPResponse {
        let page = try ctx.page()
        let o = try order(ctx)
        let result = try TicketStore(try ctx.db).tickets(orderId: o.orderId, partnerId: o.partnerId, limit: page.limit,
                                                         afterCode: page.after?.id)
        return jsonResponse(200, Render.page("tickets", result, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.ticketCode) }, Render.ticket))
    }

    /// Every redemption of the order's tickets at the venues, newest first.
    static func redemptions(_ ctx: RequestContext) throws -> HTTPResponse {
        let page = try ctx.page()
        let o = try order(ctx)
        guard let result = try RedemptionStore(try ctx.db).redemptions(orderId: o.orderId, partnerId: o.partnerId, page: page) else {
            throw APIError.invalid("cursor", "is not a cursor of this listing")
        }
        return jsonResponse(200, Render.page("redemptions", result, cursor: { PageCursor(createdAt: $0.redeemedAt, id: String($0.redemptionId)) }, Render.redemption))
    }

    /// The partner's order named by the path; another partner's is a 404.
    static func order(_ ctx: RequestContext) throws -> Order {
        let id = ctx.parameter("id")
        guard let o = try OrderStore(try ctx.db).find(orderId: id, partnerId: try ctx.partner.partnerId) else {
            throw APIError.notFound("No order \(echo(id)) for this partner.")
        }
        return o
    }
}
