import HTTP
import JSON
import OTACrypto
import OTADomain
import OTALog
import OTAStore

/// Pre-generated batches and single tickets.
enum TicketHandlers {
    static let routes: [Route] = [
        Route("POST", "/api/ota/tickets/bulk-generate", "bulkGenerateTickets", .partner(.ticketsWrite), idempotent: true, bulkGenerate),
        Route("GET", "/api/ota/tickets/{code}", "getTicket", .partner(.ticketsRead), show),
        Route("POST", "/api/ota/tickets/{code}/activate", "activateTicket", .partner(.ticketsWrite), idempotent: true, activate),
        Route("POST", "/api/ota/tickets/{code}/cancel", "cancelTicket", .partner(.ticketsWrite), idempotent: true, cancel),
    ]

    static func bulkGenerate(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let request = try BulkGenerateRequest.parse(try ctx.jsonBody())
        let batchId = try request.batchId ?? SecureRandom.identifier(prefix: "bat_")
        var codes: [String] = []
        codes.reserveCapacity(request.quantity)
        for _ in 0..<request.quantity { codes.append(try SecureRandom.ticketCode()) }
        switch try BatchStore(try ctx.db).generate(partnerId: partner.partnerId, request: request, requestHash: Digest.sha256(ctx.request.body),
                                                   batchId: batchId, ticketCodes: codes, today: currentTimestamp().date) {
        case let .created(batch, codes):
            Log.event("ota.batch.generated", [("request_id", .string(ctx.requestId)), ("batch_id", .string(batch.batchId)),
                                              ("partner_id", .number(String(partner.partnerId))),
                                              ("product_id", .int(batch.productId)), ("quantity", .int(batch.quantity))])
            return created(batch, codes)
        case let .replay(batch, codes):
            var r = created(batch, codes)
            r.headers.set("Idempotent-Replayed", "true")
            return r
        case .batchIdTaken:
            throw APIError(.batchIdTaken, "batch_id \(echo(batchId)) was already used for a different request; choose another batch_id.",
                           extra: [("field", "batch_id")])
        case let .insufficient(available):
            Log.event("ota.inventory.insufficient", [("request_id", .string(ctx.requestId)), ("product_id", .int(request.productId)),
                                                     ("requested", .int(request.quantity)), ("available", .int(available))])
            throw APIError(.insufficientInventory,
                           "Requested \(request.quantity) tickets of product \(request.productId) but only \(available) units are available.",
                           extra: [("available", .int(available)), ("requested", .int(request.quantity)), ("product_id", .int(request.productId))])
        case let .overAllotment(remaining):
            throw APIError(.allotmentExhausted,
                           "Requested \(request.quantity) tickets of product \(request.productId) but your allotment of it has only \(remaining) units left.",
                           extra: [("available", .int(remaining)), ("requested", .int(request.quantity)), ("product_id", .int(request.productId))])
        case .noAllocation:
            throw InventoryHandlers.unknownProduct(request.productId)
        case let .invalid(error):
            throw error
        }
    }

    static func created(_ batch: Batch, _ codes: [String]) -> HTTPResponse {
        jsonResponse(201, Render.batch(batch, ticketCodes: codes), headers: [("Location", "/api/ota/batches/\(batch.batchId)")])
    }

    static func show(_ ctx: RequestContext) throws -> HTTPResponse {
        let code = ctx.parameter("code")
        guard let t = try TicketStore(try ctx.db).find(ticketCode: code, partnerId: try ctx.partner.partnerId) else {
            throw notFound(code)
        }
        return jsonResponse(200, Render.ticket(t))
    }

    static func activate(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let code = ctx.parameter("code")
        let request = try TicketActivationRequest.parse(try ctx.jsonBody())
        switch try TicketStore(try ctx.db).activate(ticketCode: code, partnerId: partner.partnerId, request: request,
                                                    today: currentTimestamp().date) {
        case let .activated(t):
            Log.event("ota.ticket.activated", [("request_id", .string(ctx.requestId)), ("ticket_code", .string(code)),
                                               ("partner_id", .number(String(partner.partnerId)))])
            return jsonResponse(200, Render.ticket(t))
        case .notFound: throw notFound(code)
        case let .illegal(from): throw illegal(code, from, to: .active)
        case let .invalid(error): throw error
        }
    }

    static func cancel(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let code = ctx.parameter("code")
        switch try TicketStore(try ctx.db).cancel(ticketCode: code, partnerId: partner.partnerId) {
        case let .cancelled(t):
            Log.event("ota.ticket.cancelled", [("request_id", .string(ctx.requestId)), ("ticket_code", .string(code)),
                                               ("partner_id", .number(String(partner.partnerId)))])
            return jsonResponse(200, Render.ticket(t))
        case .notFound: throw notFound(code)
        case let .illegal(from): throw illegal(code, from, to: .cancelled)
        case .redeemed:
            throw APIError(.ticketRedeemed, "Ticket \(code) has been redeemed, so it can no longer be cancelled; its unit stays sold.",
                           extra: [("ticket_status", "ACTIVE")])
        }
    }

    static func notFound(_ code: String) -> APIError {
        APIError.notFound("No ticket \(echo(code)) for this partner.")
    }

    static func illegal(_ code: String, _ from: TicketStatus, to next: TicketStatus) -> APIError {
        APIError(.illegalTicketTransition, "Ticket \(code) is \(from.rawValue) and cannot become \(next.rawValue).",
                 extra: [("ticket_status", .string(from.rawValue))])
    }
}
