import HTTP
import JSON
import OTADomain
import OTAStore

/// The partner's batches of pre-generated tickets.
enum BatchHandlers {
    static let routes: [Route] = [
        Route("GET", "/api/ota/batches", "listBatches", .partner(.ticketsRead), list),
        Route("GET", "/api/ota/batches/{batch_id}", "getBatch", .partner(.ticketsRead), show),
        Route("GET", "/api/ota/batches/{batch_id}/tickets", "listBatchTickets", .partner(.ticketsRead), tickets),
    ]

    static func list(_ ctx: RequestContext) throws -> HTTPResponse {
        let page = try ctx.page()
        let result = try BatchStore(try ctx.db).list(partnerId: try ctx.partner.partnerId, page: page)
        return jsonResponse(200, Render.page("batches", result, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.batchId) }, { Render.batch($0) }))
    }

    static func show(_ ctx: RequestContext) throws -> HTTPResponse {
        jsonResponse(200, Render.batch(try batch(ctx)))
    }

    static func tickets(_ ctx: RequestContext) throws -> HTTPResponse {
        let status = try ctx.enumQuery("status", TicketStatus.self)
        let page = try ctx.page()
        let b = try batch(ctx)
        let result = try BatchStore(try ctx.db).tickets(batchId: b.batchId, partnerId: b.partnerId, status: status,
                                                        limit: page.limit, afterCode: page.after?.id)
        return jsonResponse(200, Render.page("tickets", result, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.ticketCode) }, Render.ticket))
    }

    /// The partner's batch named by the path; another partner's is a 404.
    static func batch(_ ctx: RequestContext) throws -> Batch {
        let id = ctx.parameter("batch_id")
        guard let b = try BatchStore(try ctx.db).find(batchId: id, partnerId: try ctx.partner.partnerId) else {
            throw APIError.notFound("No batch \(echo(id)) for this partner.")
        }
        return b
    }
}
