import HTTP
import OTALog
import JSON
import OTACrypto
import OTADomain
import OTAStore

/// GET /api/ota/inventory and POST /api/ota/reserve.
enum InventoryHandlers {
    static func inventory(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let query: InventoryQuery
        do {
            query = try InventoryQuery.parse(productIds: ctx.request.queryValue("product_ids"),
                                             dateRange: ctx.request.queryValue("date_range"))
        } catch {
            throw APIError.field(error)
        }
        let catalog = CatalogStore(ctx.db)
        let now = currentTimestamp()
        let products: [ProductAvailability]
        let specialDates: [SpecialDate]
        let customerTypes: [String]
        do {
            products = try catalog.otaAvailability(productIds: query.productIds)
            specialDates = try catalog.specialDates(in: query.dateRange, from: now.date)
            customerTypes = try catalog.customerTypes()
        } catch {
            throw APIError.store(error, requestId: ctx.requestId)
        }
        if let asked = query.productIds {
            let missing = asked.filter { id in !products.contains(where: { $0.productId == id }) }
            if !missing.isEmpty {
                throw APIError(422, code: "unknown_product", title: "Unknown product",
                               detail: "product_ids \(missing.map(String.init).joined(separator: ",")) are not products with an OTA allocation.",
                               extra: [("field", "product_ids"), ("unknown_product_ids", .array(missing.map { .int($0) }))])
            }
        }
        Log.event("ota.inventory.requested", [("request_id", .string(ctx.requestId)),
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

    static func reserve(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let body = try ctx.jsonBody()
        let hold: HoldRequest
        do {
            hold = try HoldRequest.parse(body, now: currentTimestamp(), maxHoldSeconds: partner.maxHoldSeconds)
        } catch {
            throw APIError.field(error)
        }
        return try Idempotency.run(ctx) { () throws(APIError) -> HTTPResponse in
            try place(hold, for: partner, ctx)
        }
    }

    static func place(_ hold: HoldRequest, for partner: PartnerPrincipal, _ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let catalog = CatalogStore(ctx.db)
        let reservationId: String
        do {
            reservationId = try SecureRandom.identifier(prefix: "res_")
        } catch {
            throw APIError.internalError(requestId: ctx.requestId)
        }
        let outcome: HoldOutcome
        let snapshot: PricingSnapshot
        do {
            guard let product = try catalog.otaAvailability(productIds: [hold.productId]).first else {
                throw APIError(422, code: "unknown_product", title: "Unknown product",
                               detail: "product_id \(hold.productId) is not a product with an OTA allocation.",
                               extra: [("field", "product_id")])
            }
            snapshot = PricingSnapshot(pricing: product.pricing,
                                       specialDates: try catalog.specialDates(in: nil, from: currentTimestamp().date),
                                       currency: try catalog.currency())
            outcome = try ReservationStore(ctx.db).hold(reservationId: reservationId, partnerId: partner.partnerId,
                                                        request: hold, maxUnitsPerHold: partner.maxUnitsPerHold, snapshot: snapshot)
        } catch let e as APIError {
            throw e
        } catch let e as StoreError {
            if case .busy = e {
                Log.event("ota.reservation.lock_timeout", [("request_id", .string(ctx.requestId)), ("product_id", .int(hold.productId))], level: "warn")
            }
            throw APIError.store(e, requestId: ctx.requestId)
        } catch {
            throw APIError.internalError(requestId: ctx.requestId)
        }
        switch outcome {
        case let .held(_, createdAt, expiresAt):
            Log.event("ota.reservation.created", [
                ("request_id", .string(ctx.requestId)), ("partner_id", .number(String(partner.partnerId))),
                ("reservation_id", .string(reservationId)), ("product_id", .int(hold.productId)), ("quantity", .int(hold.quantity)),
            ])
            let body: JSONValue = .object([
                ("reservation_id", .string(reservationId)), ("product_id", .int(hold.productId)),
                ("quantity", .int(hold.quantity)), ("status", "active"),
                ("reserved_until", .string(expiresAt.description)), ("expires_at", .string(expiresAt.description)),
                ("created_at", .string(createdAt.description)), ("pricing_snapshot", snapshot.json),
            ])
            return jsonResponse(201, body, headers: [("Location", "/api/ota/reservations/\(reservationId)")])
        case let .insufficient(available):
            Log.event("ota.inventory.insufficient", [
                ("request_id", .string(ctx.requestId)), ("partner_id", .number(String(partner.partnerId))),
                ("product_id", .int(hold.productId)), ("requested", .int(hold.quantity)), ("available", .int(available)),
            ])
            throw APIError(409, code: "insufficient_inventory", title: "Insufficient inventory",
                           detail: "Requested \(hold.quantity) units of product \(hold.productId) but only \(available) are available.",
                           extra: [("available", .int(available)), ("requested", .int(hold.quantity)), ("product_id", .int(hold.productId))])
        case let .overAllotment(remaining):
            Log.event("ota.inventory.insufficient", [
                ("request_id", .string(ctx.requestId)), ("partner_id", .number(String(partner.partnerId))),
                ("product_id", .int(hold.productId)), ("requested", .int(hold.quantity)), ("available", .int(remaining)),
                ("reason", "allotment"),
            ])
            throw APIError(409, code: "allotment_exhausted", title: "Partner allotment exhausted",
                           detail: "Requested \(hold.quantity) units of product \(hold.productId) but your allotment of it has only \(remaining) units left.",
                           extra: [("available", .int(remaining)), ("requested", .int(hold.quantity)), ("product_id", .int(hold.productId))])
        case let .overLimit(available, maxPerHold):
            throw APIError(422, code: "quantity_above_hold_limit", title: "Quantity above the per-reservation maximum",
                           detail: "quantity \(hold.quantity) is above the maximum of \(maxPerHold) units per reservation; split it into several reservations.",
                           extra: [("field", "quantity"), ("max_quantity", .int(maxPerHold)), ("available", .int(available))])
        case .noAllocation:
            throw APIError(422, code: "unknown_product", title: "Unknown product",
                           detail: "product_id \(hold.productId) is not a product with an OTA allocation.", extra: [("field", "product_id")])
        }
    }
}
