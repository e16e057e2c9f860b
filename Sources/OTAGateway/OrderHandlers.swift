import HTTP
import JSON
import OTADomain
import OTAStore

/// The partner's own orders and their tickets.
enum OrderHandlers {
    static func list(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        var filter = OrderStore.Filter()
        if let s = ctx.request.queryValue("status") {
            guard ["confirmed", "cancelled"].contains(s) else { throw APIError.field(.invalid("status", "must be confirmed or cancelled")) }
            filter.status = s
        }
        filter.createdFrom = try instant("created_from", ctx, endOfDay: false)
        filter.createdTo = try instant("created_to", ctx, endOfDay: true)
        if let from = filter.createdFrom, let to = filter.createdTo, from >= to {
            throw APIError.field(.invalid("created_to", "must be after created_from"))
        }
        let page = try ctx.page()
        let result = try ctx.store { try OrderStore(ctx.db).list(partnerId: partner.partnerId, filter: filter, page: page) }
        let next = result.more ? result.items.last.map { PageCursor(createdAt: $0.createdAt, id: $0.orderId).token } : nil
        return jsonResponse(200, Render.page("orders", result.items.map { Render.order($0) }, next: next))
    }

    /// An RFC 3339 instant, or a date (created_from: its start; created_to: the end of it).
    static func instant(_ name: String, _ ctx: RequestContext, endOfDay: Bool) throws(APIError) -> Timestamp? {
        guard let raw = ctx.request.queryValue(name) else { return nil }
        guard let t = Timestamp(dateOrInstant: raw, endOfDay: endOfDay) else {
            throw APIError.field(.invalid(name, "must be a date YYYY-MM-DD or an RFC 3339 date-time"))
        }
        return t
    }

    static func show(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let id = ctx.params["id"] ?? ""
        guard let order = try ctx.store({ try OrderStore(ctx.db).find(orderId: id, partnerId: partner.partnerId) }) else {
            throw APIError.notFound("No order \(id.prefix(64)) for this partner.")
        }
        return jsonResponse(200, Render.order(order))
    }

    static func tickets(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let id = ctx.params["id"] ?? ""
        let page = try ctx.page()
        guard try ctx.store({ try OrderStore(ctx.db).find(orderId: id, partnerId: partner.partnerId) }) != nil else {
            throw APIError.notFound("No order \(id.prefix(64)) for this partner.")
        }
        let result = try ctx.store {
            try TicketStore(ctx.db).tickets(orderId: id, partnerId: partner.partnerId, limit: page.limit, afterCode: page.after?.id)
        }
        let next = result.more ? result.items.last.map { PageCursor(createdAt: $0.createdAt, id: $0.ticketCode).token } : nil
        return jsonResponse(200, Render.page("tickets", result.items.map(Render.ticket), next: next))
    }
}
