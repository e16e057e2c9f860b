import HTTP
import OTALog
import JSON
import OTACrypto
import OTADomain
import OTAStore

/// Pre-generated batches and single tickets.
enum TicketHandlers {
    static func bulkGenerate(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let body = try ctx.jsonBody()
        let request: BulkGenerateRequest
        do {
            request = try BulkGenerateRequest.parse(body)
        } catch {
            throw APIError.field(error)
        }
        let requestHash = Digest.sha256(ctx.request.body)
        return try Idempotency.run(ctx) { () throws(APIError) -> HTTPResponse in
            try ctx.inTransaction {
                let catalog = CatalogStore(ctx.db)
                try request.validate(customerTypes: try catalog.customerTypes())
                guard let product = try catalog.otaAvailability(productIds: [request.productId]).first else {
                    throw unknownProduct(request.productId)
                }
                let snapshot = request.snapshot(product: product.pricing,
                                                specialDates: try catalog.specialDates(in: nil, from: currentTimestamp().date),
                                                currency: try catalog.currency())
                switch try BatchStore(ctx.db).generate(partnerId: partner.partnerId, request: request, requestHash: requestHash,
                                                       snapshot: snapshot) {
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
                    throw APIError(409, code: "batch_id_taken", title: "batch_id already used",
                                   detail: "batch_id \(request.batchId ?? "") was already used for a different request; choose another batch_id.",
                                   extra: [("field", "batch_id")])
                case let .insufficient(available):
                    Log.event("ota.inventory.insufficient", [("request_id", .string(ctx.requestId)), ("product_id", .int(request.productId)),
                                                             ("requested", .int(request.quantity)), ("available", .int(available))])
                    throw APIError(409, code: "insufficient_inventory", title: "Insufficient inventory",
                                   detail: "Requested \(request.quantity) tickets of product \(request.productId) but only \(available) units are available.",
                                   extra: [("available", .int(available)), ("requested", .int(request.quantity)), ("product_id", .int(request.productId))])
                case let .overAllotment(remaining):
                    throw APIError(409, code: "allotment_exhausted", title: "Partner allotment exhausted",
                                   detail: "Requested \(request.quantity) tickets of product \(request.productId) but your allotment of it has only \(remaining) units left.",
                                   extra: [("available", .int(remaining)), ("requested", .int(request.quantity)), ("product_id", .int(request.productId))])
                case .noAllocation:
                    throw unknownProduct(request.productId)
                }
            }
        }
    }

    static func created(_ batch: Batch, _ codes: [String]) -> HTTPResponse {
        jsonResponse(201, Render.batch(batch, ticketCodes: codes), headers: [("Location", "/api/ota/batches/\(batch.batchId)")])
    }

    static func unknownProduct(_ id: Int) -> APIError {
        APIError(422, code: "unknown_product", title: "Unknown product",
                 detail: "product_id \(id) is not a product with an OTA allocation.", extra: [("field", "product_id")])
    }

    static func show(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let code = ctx.params["code"] ?? ""
        guard let t = try ctx.store({ try TicketStore(ctx.db).find(ticketCode: code, partnerId: partner.partnerId) }) else {
            throw notFound(code)
        }
        return jsonResponse(200, Render.ticket(t))
    }

    static func activate(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let code = ctx.params["code"] ?? ""
        let body = try ctx.jsonBody()
        let request: TicketActivationRequest
        do {
            request = try TicketActivationRequest.parse(body)
        } catch {
            throw APIError.field(error)
        }
        return try Idempotency.run(ctx) { () throws(APIError) -> HTTPResponse in
            try ctx.inTransaction {
                let tickets = TicketStore(ctx.db)
                guard let t = try tickets.find(ticketCode: code, partnerId: partner.partnerId, forUpdate: true) else { throw notFound(code) }
                guard t.status == .preGenerated else { throw illegal(t, to: .active) }
                let today = currentTimestamp().date
                try request.validate(customerTypes: try CatalogStore(ctx.db).customerTypes(), today: today)
                guard let pricing = try tickets.batchPricing(ticketCode: code) else { throw StoreError.corrupt("pre-generated ticket without batch") }
                let price = pricing.unitPrice(on: request.travelDate ?? today, customerType: request.customerType)
                try tickets.activate(ticketCode: code, customer: request.customer, customerType: request.customerType,
                                     travelDate: request.travelDate, price: price)
                guard let updated = try tickets.find(ticketCode: code, partnerId: partner.partnerId) else { throw notFound(code) }
                Log.event("ota.ticket.activated", [("request_id", .string(ctx.requestId)), ("ticket_code", .string(code)),
                                                   ("partner_id", .number(String(partner.partnerId)))])
                return jsonResponse(200, Render.ticket(updated))
            }
        }
    }

    static func cancel(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let code = ctx.params["code"] ?? ""
        return try Idempotency.run(ctx) { () throws(APIError) -> HTTPResponse in
            try ctx.inTransaction {
                let tickets = TicketStore(ctx.db)
                guard let t = try tickets.find(ticketCode: code, partnerId: partner.partnerId, forUpdate: true) else { throw notFound(code) }
                guard t.status.canBecome(.cancelled) else { throw illegal(t, to: .cancelled) }
                try tickets.cancel(ticketCode: code)
                guard let updated = try tickets.find(ticketCode: code, partnerId: partner.partnerId) else { throw notFound(code) }
                Log.event("ota.ticket.cancelled", [("request_id", .string(ctx.requestId)), ("ticket_code", .string(code)),
                                                   ("partner_id", .number(String(partner.partnerId)))])
                return jsonResponse(200, Render.ticket(updated))
            }
        }
    }

    static func notFound(_ code: String) -> APIError {
        APIError.notFound("No ticket \(code.prefix(64)) for this partner.")
    }

    static func illegal(_ t: Ticket, to next: TicketStatus) -> APIError {
        APIError(409, code: "illegal_ticket_transition", title: "Ticket state does not allow this",
                 detail: "Ticket \(t.ticketCode) is \(t.status.rawValue) and cannot become \(next.rawValue).",
                 extra: [("ticket_status", .string(t.status.rawValue))])
    }
}

/// The partner's batches.
enum BatchHandlers {
    static func list(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let page = try ctx.page()
        let result = try ctx.store { try BatchStore(ctx.db).list(partnerId: partner.partnerId, page: page) }
        let next = result.more ? result.items.last.map { PageCursor(createdAt: $0.createdAt, id: $0.batchId).token } : nil
        return jsonResponse(200, Render.page("batches", result.items.map { Render.batch($0) }, next: next))
    }

    static func show(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let id = ctx.params["batch_id"] ?? ""
        guard let b = try ctx.store({ try BatchStore(ctx.db).find(batchId: id, partnerId: partner.partnerId) }) else {
            throw APIError.notFound("No batch \(id.prefix(64)) for this partner.")
        }
        return jsonResponse(200, Render.batch(b))
    }

    static func tickets(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let id = ctx.params["batch_id"] ?? ""
        var status: TicketStatus?
        if let s = ctx.request.queryValue("status") {
            guard let v = TicketStatus(rawValue: s) else {
                throw APIError.field(.invalid("status", "must be one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            status = v
        }
        let page = try ctx.page()
        let store = BatchStore(ctx.db)
        guard try ctx.store({ try store.find(batchId: id, partnerId: partner.partnerId) }) != nil else {
            throw APIError.notFound("No batch \(id.prefix(64)) for this partner.")
        }
        let result = try ctx.store {
            try store.tickets(batchId: id, partnerId: partner.partnerId, status: status, limit: page.limit, afterCode: page.after?.id)
        }
        let next = result.more ? result.items.last.map { PageCursor(createdAt: $0.createdAt, id: $0.ticketCode).token } : nil
        return jsonResponse(200, Render.page("tickets", result.items.map(Render.ticket), next: next))
    }
}
