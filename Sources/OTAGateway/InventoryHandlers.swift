import HTTP
import OTALog
import JSON
import OTACrypto
import OTADomain
import OTAStore
import OTARepresentation

/// GET /api/ota/inventory and POST /api/ota/reserve.
enum InventoryHandlers {
    static let routes: [Route] = [
        Route("GET", "/api/ota/inventory", "getInventory", .partner(.inventoryRead), inventory),
        Route("POST", "/api/ota/reserve", "createReservation", .partner(.reservationsWrite), idempotent: true, reserve),
    ]

    static func inventory(_ ctx: RequestContext) throws -> HTTPResponse {
        let query = try InventoryQuery.parse(productIds: ctx.request.queryValue("product_ids"),
                                             dateRange: ctx.request.queryValue("date_range"))
        let catalog = CatalogStore(try ctx.db)
        let now = currentTimestamp()
        let products = try catalog.otaAvailability(productIds: query.productIds)
        let specialDates = try catalog.specialDates(in: query.dateRange, from: now.date)
        let customerTypes = try catalog.customerTypes()
        if let asked = query.productIds {
            let missing = asked.filter { id in !products.contains(where: { $0.productId == id }) }
            if !missing.isEmpty {
                throw APIError(.unknownProduct,
                               "product_ids \(echo(missing.map(String.init).joined(separator: ","), limit: 200)) are not products with an OTA allocation.",
                               extra: [("field", "product_ids"), ("unknown_product_ids", .array(missing.map { .int($0) }))])
            }
        }
        ctx.worker.logInventoryRead([("request_id", .string(ctx.requestId)),
                                     ("partner_id", .number(String(try ctx.partner.partnerId))),
                                     ("products", .int(products.count))])
        let body: JSONValue = .object([
            ("available_quantities", .object(products.map { ("\($0.productId)", .int($0.available)) })),
            ("pricing_context", .object([
                ("base_prices", .object(products.map {
                    ("\($0.productId)", .object([("weekday", $0.pricing.weekdayPrice.json), ("weekend", $0.pricing.weekendPrice.json)]))
                })),
                ("customer_types", .array(customerTypes.map { .string($0) })),
                ("special_dates", .object(specialDates.map { ("\($0.date)", .object([("multiplier", .number($0.multiplier.description))])) })),
                ("customer_discounts", .object(products.map {
                    ("\($0.productId)", .object($0.pricing.discounts.map { ($0.customerType, $0.amount.json) }))
                })),
            ])),
            ("as_of", .string(Timestamp(microseconds: now.microseconds / 1_000_000 * 1_000_000).description)),
        ])
        return jsonResponse(200, body, headers: [("Cache-Control", "no-store")])
    }

    static func reserve(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let now = currentTimestamp()
        let body = try ctx.jsonBody()
        let hold = try HoldRequest.parse(body, now: now, maxHoldSeconds: partner.maxHoldSeconds)
        // A clamped quantity is named as asked (shortened), never as the clamp.
        let asked = hold.quantity < JSONObjectReader.integerBound ? String(hold.quantity) : echo(body.literal("quantity") ?? "", limit: 24)
        let reservationId = try SecureRandom.identifier(prefix: "res_")
        let outcome = try ReservationStore(try ctx.db).place(reservationId: reservationId, partnerId: partner.partnerId, request: hold,
                                                            maxUnitsPerHold: partner.maxUnitsPerHold, today: now.date)
        func insufficient(_ available: Int, reason: String?) {
            var fields: [(String, JSONValue)] = [
                ("request_id", .string(ctx.requestId)), ("partner_id", .number(String(partner.partnerId))),
                ("product_id", .int(hold.productId)), ("requested", .int(hold.quantity)), ("available", .int(available)),
            ]
            if let reason { fields.append(("reason", .string(reason))) }
            Log.event("ota.inventory.insufficient", fields)
        }
        switch outcome {
        case let .held(r):
            Log.event("ota.reservation.created", [
                ("request_id", .string(ctx.requestId)), ("partner_id", .number(String(partner.partnerId))),
                ("reservation_id", .string(r.reservationId)), ("product_id", .int(r.productId)), ("quantity", .int(r.quantity)),
            ])
            return jsonResponse(201, Render.reservation(r), headers: [("Location", "/api/ota/reservations/\(r.reservationId)")])
        case let .insufficient(available):
            insufficient(available, reason: nil)
            throw APIError(.insufficientInventory,
                           "Requested \(asked) units of product \(hold.productId) but only \(available) are available.",
                           extra: [("available", .int(available)), ("requested", .int(hold.quantity)), ("product_id", .int(hold.productId))])
        case let .overAllotment(remaining):
            insufficient(remaining, reason: "allotment")
            throw APIError(.allotmentExhausted,
                           "Requested \(asked) units of product \(hold.productId) but your allotment of it has only \(remaining) units left.",
                           extra: [("available", .int(remaining)), ("requested", .int(hold.quantity)), ("product_id", .int(hold.productId))])
        case let .overLimit(available, maxPerHold):
            throw APIError(.quantityAboveHoldLimit,
                           "quantity \(hold.quantity) is above the maximum of \(maxPerHold) units per reservation; split it into several reservations.",
                           extra: [("field", "quantity"), ("max_quantity", .int(maxPerHold)), ("available", .int(available))])
        case .noAllocation:
            throw unknownProduct(hold.productId)
        }
    }

    static func unknownProduct(_ id: Int) -> APIError {
        APIError(.unknownProduct, "product_id \(id) is not a product with an OTA allocation.", extra: [("field", "product_id")])
    }
}
