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

    /// From memory (HotPaths): the catalog as the database has it and a reading of the
    /// pools at most OTA_INVENTORY_MAX_STALENESS_MS old; `as_of` is that reading's
    /// database time. Nothing cached (no listener, snapshot off): two statements.
    static func inventory(_ ctx: RequestContext) throws -> HTTPResponse {
        let query = try InventoryQuery.parse(productIds: ctx.request.queryValue("product_ids"),
                                             dateRange: ctx.request.queryValue("date_range"))
        let db = try ctx.db
        let hot = ctx.worker.hotPaths
        let (catalog, generation) = try hot.catalog.current(db, copy: &ctx.worker.catalogCopy)
        let reading: InventorySnapshots.Snapshot?
        let pools: OTAPools
        if let snapshots = hot.inventory {
            let r = try snapshots.pools(db, copy: &ctx.worker.poolsCopy)
            (reading, pools) = (r, r.pools)
        } else {
            (reading, pools) = (nil, try CatalogStore(db).otaPools())
        }
        let today = currentTimestamp().date
        // The same reading, catalog and question as this worker's last answer: its bytes.
        let key = reading.flatMap { r in generation.map { InventoryAnswer.Key(takenAt: r.takenAt, generation: $0, query: query, today: today) } }
        if let key, let last = ctx.worker.inventoryAnswer, last.key == key {
            logInventoryRead(ctx, products: last.products)
            return last.response
        }
        let products: [ProductAvailability] = pools.available.keys.sorted().compactMap { id in
            guard query.productIds.map({ $0.contains(id) }) ?? true, let pricing = catalog.products[id],
                  let available = pools.available[id] else { return nil }
            return ProductAvailability(productId: id, available: available, pricing: pricing)
        }
        if let asked = query.productIds {
            let missing = asked.filter { id in !products.contains(where: { $0.productId == id }) }
            if !missing.isEmpty {
                throw APIError(.unknownProduct,
                               "product_ids \(echo(missing.map(String.init).joined(separator: ","), limit: 200)) are not products with an OTA allocation.",
                               extra: [("field", "product_ids"), ("unknown_product_ids", .array(missing.map { .int($0) }))])
            }
        }
        logInventoryRead(ctx, products: products.count)
        let specialDates = catalog.specialDates(in: query.dateRange, from: today)
        let body: JSONValue = .object([
            ("available_quantities", .object(products.map { ("\($0.productId)", .int($0.available)) })),
            ("pricing_context", .object([
                ("base_prices", .object(products.map {
                    ("\($0.productId)", .object([("weekday", $0.pricing.weekdayPrice.json), ("weekend", $0.pricing.weekendPrice.json)]))
                })),
                ("customer_types", .array(catalog.customerTypes.map { .string($0) })),
                ("special_dates", .object(specialDates.map { ("\($0.date)", .object([("multiplier", .number($0.multiplier.description))])) })),
                ("customer_discounts", .object(products.map {
                    ("\($0.productId)", .object($0.pricing.discounts.map { ($0.customerType, $0.amount.json) }))
                })),
            ])),
            // The reading's database time, truncated down: never later than its data.
            ("as_of", .string(pools.at.roundedDown(toMicroseconds: 1_000_000).description)),
        ])
        let response = jsonResponse(200, body, headers: [("Cache-Control", "no-store")])
        if let key { ctx.worker.inventoryAnswer = InventoryAnswer(key: key, products: products.count, response: response) }
        return response
    }

    static func logInventoryRead(_ ctx: RequestContext, products: Int) {
        ctx.worker.logInventoryRead([("request_id", .string(ctx.requestId)),
                                     ("partner_id", .number(String(ctx.principal?.partnerId ?? 0))),
                                     ("products", .int(products))])
    }

    static func reserve(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let now = currentTimestamp()
        let body = try ctx.jsonBody()
        let hold = try HoldRequest.parse(body, now: now, maxHoldSeconds: partner.maxHoldSeconds)
        // A clamped quantity is named as asked (shortened), never as the clamp.
        let asked = hold.quantity < JSONObjectReader.integerBound ? String(hold.quantity) : echo(body.literal("quantity") ?? "", limit: 24)
        let reservationId = try SecureRandom.identifier(prefix: "res_")
        // Prices and the partner's subscription from memory (HotPaths): the hold is then one
        // statement, or the hold and its event in one transaction.
        let db = try ctx.db
        let catalog = try ctx.worker.hotPaths.catalog.current(db, copy: &ctx.worker.catalogCopy).catalog
        guard let snapshot = catalog.pricingSnapshot(productId: hold.productId, today: now.date) else { throw unknownProduct(hold.productId) }
        let outcome = try ReservationStore(db).place(reservationId: reservationId, partnerId: partner.partnerId, request: hold,
                                                     maxUnitsPerHold: partner.maxUnitsPerHold, snapshot: snapshot,
                                                     subscribed: catalog.subscribes(partnerId: partner.partnerId, to: .reservationCreated))
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

/// One worker's last inventory answer and what it was made from: the same pools reading,
/// catalog generation, question and day give the same bytes, so a busy worker renders once
/// per reading (every poll), not once per request.
struct InventoryAnswer {
    struct Key: Equatable {
        var takenAt: UInt64
        var generation: UInt64
        var query: InventoryQuery
        var today: LocalDate
    }
    var key: Key
    var products: Int
    var response: HTTPResponse
}
