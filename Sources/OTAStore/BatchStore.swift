import JSON
public import OTADomain
import OTARepresentation
public import Postgres

/// Pre-generated ticket batches.
public struct BatchStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    public enum GenerateOutcome: Sendable {
        case created(Batch, ticketCodes: [String])
        /// The same batch_id with the same request: the batch as first generated.
        case replay(Batch, ticketCodes: [String])
        /// The batch_id is taken by a different request.
        case batchIdTaken
        case insufficient(available: Int)
        /// The partner's allotment of the product has only `remaining` units left.
        case overAllotment(remaining: Int)
        case noAllocation
        case invalid(FieldError)
    }

    /// POST /tickets/bulk-generate, in one transaction: the units are taken through
    /// ota_pool_take, the slow path of a hold (all the OTA pool's slots locked in slot order,
    /// the exact pool-wide availability, the allotment row locked after them, the units
    /// gathered into one open slot), so batches and holds never oversell together and every
    /// ticket of the batch is on that slot; the pricing (special pricing, else the product's prices now) is
    /// frozen into the batch; tickets go in with one INSERT ... SELECT FROM unnest.
    /// `batchId` (the request's, else one the caller made) and one ticket code per unit
    /// come from the caller.
    public func generate(partnerId: Int64, request: BulkGenerateRequest, requestHash: [UInt8], batchId: String,
                         ticketCodes: [String], today: LocalDate) throws(StoreError) -> GenerateOutcome {
        guard ticketCodes.count == request.quantity else { throw .other("a batch needs one ticket code per unit") }
        let catalog = CatalogStore(db)
        let customerTypes = try catalog.customerTypes()
        do throws(FieldError) {
            try request.validate(customerTypes: customerTypes)
        } catch {
            return .invalid(error)
        }
        guard let product = try catalog.otaAvailability(productIds: [request.productId]).first else { return .noAllocation }
        let snapshot = request.snapshot(product: product.pricing, specialDates: try catalog.specialDates(in: nil, from: today),
                                        currency: try catalog.currency())
        return try storeCall { try db.transaction { () throws -> GenerateOutcome in
            try insert(partnerId: partnerId, request: request, requestHash: requestHash, batchId: batchId,
                       codes: ticketCodes.sorted(), snapshot: snapshot)
        } }
    }

    func insert(partnerId: Int64, request: BulkGenerateRequest, requestHash: [UInt8], batchId: String, codes: [String],
                snapshot: PricingSnapshot) throws -> GenerateOutcome {
        let snapshotText = StoredPricingSnapshot.encode(snapshot)
        let resellerText = request.reseller.map(StoredResellerMetadata.encode)
        let price = snapshot.basePrice
        do {
            // Same batch_id at the same time: the second waits here, then sees the first.
            try db.query("SELECT pg_advisory_xact_lock(hashtextextended(\(batchId), \(partnerId)))")
            if let existing = try db.query("""
                SELECT request_hash FROM ticket_batches WHERE partner_id = \(partnerId) AND batch_id = \(batchId)
                """).first {
                guard try existing.decode("request_hash", as: [UInt8].self) == requestHash else { return .batchIdTaken }
                guard let batch = try find(batchId: batchId, partnerId: partnerId) else { throw StoreError.corrupt("batch vanished") }
                return .replay(batch, ticketCodes: try ticketCodes(batchId: batchId, partnerId: partnerId))
            }
            guard let take = try db.query("""
                SELECT outcome, available, slot FROM ota_pool_take(\(request.productId), \(partnerId), \(request.quantity), NULL)
                """).first else { throw StoreError.corrupt("ota_pool_take returned no row") }
            let slot: Int
            switch try take.decode("outcome", as: String.self) {
            case "ready": slot = try take.decode("slot", as: Int.self)
            case "insufficient": return .insufficient(available: try take.decode("available", as: Int.self))
            case "over_allotment": return .overAllotment(remaining: try take.decode("available", as: Int.self))
            case "no_allocation": return .noAllocation
            case let other: throw StoreError.corrupt("ota_pool_take outcome \(other)")
            }
            guard let row = try db.query("""
                INSERT INTO ticket_batches (partner_id, batch_id, product_id, quantity, distribution_mode, reference_expires_at,
                                            pricing_snapshot, special_pricing, reseller_id, reseller_name, commission_rate,
                                            reseller_metadata, request_hash)
                VALUES (\(partnerId), \(batchId), \(request.productId), \(request.quantity), \(request.mode.rawValue),
                        now() + make_interval(secs => \(Int(request.mode.referenceValiditySeconds))),
                        \(snapshotText)::jsonb, \(request.specialPricing != nil), \(request.reseller?.resellerId),
                        \(request.reseller?.resellerName), \(request.reseller?.commissionRate?.description)::numeric,
                        \(resellerText)::jsonb, \(requestHash))
                RETURNING batch_key
                """).first else { throw StoreError.corrupt("batch insert returned nothing") }
            let key = try row.decode("batch_key", as: Int64.self)
            try db.query("""
                INSERT INTO tickets (ticket_code, partner_id, product_id, slot, batch_key, status, price)
                SELECT code, \(partnerId), \(request.productId), \(slot), \(key), 'PRE_GENERATED', \(price)::numeric
                  FROM unnest(\(codes)::text[]) AS code
                """)
            try TicketStore(db).grantEntitlements(ticketCodes: codes, productId: request.productId)
            guard let batch = try find(batchId: batchId, partnerId: partnerId) else { throw StoreError.corrupt("batch vanished") }
            try WebhookOutbox(db).record([OutboxEvent(partnerId: partnerId, type: .batchGenerated, data: WebhookEventBody.batchData(batch))])
            return .created(batch, ticketCodes: codes)
        }
    }

    static let selectBatch: String = """
        SELECT b.batch_key, b.batch_id, b.partner_id, b.product_id, b.quantity, b.distribution_mode, b.reference_expires_at,
               b.pricing_snapshot::text AS pricing_snapshot, b.special_pricing, b.reseller_metadata::text AS reseller_metadata,
               b.created_at,
               coalesce((SELECT string_agg(s.status || '=' || s.n, ',') FROM
                          (SELECT status, count(*) AS n FROM tickets t WHERE t.batch_key = b.batch_key GROUP BY status) s), '') AS counts
          FROM ticket_batches b
        """

    public func find(batchId: String, partnerId: Int64) throws(StoreError) -> Batch? {
        try storeCall {
            try db.query("\(unescaped: Self.selectBatch) WHERE b.partner_id = \(partnerId) AND b.batch_id = \(batchId)")
                .first.map(Self.batch)
        }
    }

    public func list(partnerId: Int64, page: PageRequest) throws(StoreError) -> (items: [Batch], more: Bool) {
        let afterTime = page.after?.createdAt
        let afterId = page.after?.id
        return try storeCall {
            let rows = try db.query("""
                \(unescaped: Self.selectBatch)
                WHERE b.partner_id = \(partnerId)
                  AND (\(afterTime)::timestamptz IS NULL OR (b.created_at, b.batch_id) < (\(afterTime)::timestamptz, \(afterId)::text))
                ORDER BY b.created_at DESC, b.batch_id DESC
                LIMIT \(page.limit + 1)
                """)
            return try rows.page(page.limit, Self.batch)
        }
    }

    func ticketCodes(batchId: String, partnerId: Int64) throws -> [String] {
        try db.query("""
            SELECT t.ticket_code FROM tickets t JOIN ticket_batches b ON b.batch_key = t.batch_key
             WHERE b.partner_id = \(partnerId) AND b.batch_id = \(batchId) ORDER BY t.ticket_code
            """).map { try $0.decode("ticket_code", as: String.self) }
    }

    /// The batch's tickets by code, one page after `afterCode`, optionally of one status.
    public func tickets(batchId: String, partnerId: Int64, status: TicketStatus?, limit: Int,
                        afterCode: String?) throws(StoreError) -> (items: [Ticket], more: Bool) {
        try storeCall {
            let rows = try db.query("""
                \(unescaped: TicketStore.selectTicket)
                JOIN ticket_batches b ON b.batch_key = t.batch_key
                WHERE b.partner_id = \(partnerId) AND b.batch_id = \(batchId)
                  AND (\(status?.rawValue)::text IS NULL OR t.status = \(status?.rawValue)::text)
                  AND (\(afterCode)::text IS NULL OR t.ticket_code > \(afterCode)::text)
                ORDER BY t.ticket_code
                LIMIT \(limit + 1)
                """)
            return try rows.page(limit, TicketStore.ticket)
        }
    }

    static func batch(_ row: PostgresRow) throws -> Batch {
        guard let mode = DistributionMode(rawValue: try row.decode("distribution_mode", as: String.self)),
              let snapshot = StoredPricingSnapshot.decode(try row.decode("pricing_snapshot", as: String.self)) else {
            throw StoreError.corrupt("batch row")
        }
        var reseller: ResellerMetadata?
        if let text = try row.decodeIfPresent("reseller_metadata", as: String.self) {
            guard let r = StoredResellerMetadata.decode(text) else {
                throw StoreError.corrupt("batch reseller metadata")
            }
            reseller = r
        }
        var counts: [TicketStatus: Int] = [:]
        for pair in try row.decode("counts", as: String.self).split(separator: ",") {
            let kv = pair.split(separator: "=")
            if kv.count == 2, let s = TicketStatus(rawValue: String(kv[0])), let n = Int(kv[1]) { counts[s] = n }
        }
        return Batch(batchId: try row.decode("batch_id"), partnerId: try row.decode("partner_id"), productId: try row.decode("product_id"),
                     quantity: try row.decode("quantity"), mode: mode, referenceExpiresAt: try row.decode("reference_expires_at"),
                     pricing: snapshot, specialPricing: try row.decode("special_pricing"), reseller: reseller,
                     createdAt: try row.decode("created_at"), statusCounts: counts)
    }
}
