import HTTP
import JSON
import OTADomain
import OTAStore
import OTARepresentation

/// Redemption-based billing of the partner (permission `billing:read`).
enum BillingHandlers {
    static let routes: [Route] = [
        Route("GET", "/api/ota/billing/summary", "getBillingSummary", .partner(.billingRead), summary),
        Route("GET", "/api/ota/billing/redemptions", "listBillingRedemptions", .partner(.billingRead), redemptions),
    ]

    /// `from` and `to`: dates (from: its start, to: the end of it) or RFC 3339 instants.
    static func period(_ ctx: RequestContext, required: Bool) throws -> (Timestamp?, Timestamp?) {
        let from = try ctx.instantQuery("from", endOfDay: false)
        let to = try ctx.instantQuery("to", endOfDay: true)
        if required {
            guard from != nil else { throw APIError.invalid("from", "is required: a date YYYY-MM-DD or an RFC 3339 date-time") }
            guard to != nil else { throw APIError.invalid("to", "is required: a date YYYY-MM-DD or an RFC 3339 date-time") }
        }
        if let f = from, let t = to {
            guard f < t else { throw APIError.invalid("to", "must be after from") }
            guard t.microseconds - f.microseconds <= 400 * 86_400 * 1_000_000 else {
                throw APIError.invalid("to", "the period may span at most 400 days")
            }
        }
        return (from, to)
    }

    static func summary(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let (f, t) = try period(ctx, required: true)
        guard let from = f, let to = t else { throw APIError.invalid("from", "is required") }
        let raw = ctx.request.queryValue("group_by") ?? "product"
        guard let groupBy = BillingStore.GroupBy(rawValue: raw) else {
            throw APIError.invalid("group_by", "must be batch, reseller or product")
        }
        let groups = try BillingStore(try ctx.db).summary(partnerId: partner.partnerId, from: from, to: to, groupBy: groupBy)
        let currency = try CatalogStore(try ctx.db).currency()
        func totals(_ gs: [BillingStore.Group]) -> JSONValue {
            .object([("tickets", .int(gs.reduce(0) { $0 + $1.tickets })), ("gross", gs.reduce(Money.zero) { $0 + $1.gross }.json),
                     ("commission", gs.reduce(Money.zero) { $0 + $1.commission }.json), ("net", gs.reduce(Money.zero) { $0 + $1.net }.json)])
        }
        let body: JSONValue = .object([
            ("from", .string(from.description)), ("to", .string(to.description)), ("group_by", .string(groupBy.rawValue)),
            ("currency", .string(currency)),
            ("groups", .array(groups.map { g in
                .object([("key", g.key.map(JSONValue.string) ?? .null), ("tickets", .int(g.tickets)), ("gross", g.gross.json),
                         ("commission", g.commission.json), ("net", g.net.json)])
            })),
            ("totals", totals(groups)),
        ])
        return jsonResponse(200, body)
    }

    static func render(_ l: BillingLine) -> JSONValue {
        .object([
            ("ticket_code", .string(l.ticketCode)), ("product_id", .int(l.productId)),
            ("batch_id", l.batchId.map(JSONValue.string) ?? .null), ("reseller_id", l.resellerId.map(JSONValue.string) ?? .null),
            ("amount", l.amount.json), ("commission_rate", .number(l.commissionRate.description)), ("commission", l.commission.json),
            ("net", l.net.json), ("currency", .string(l.currency)), ("billed_at", .string(l.billedAt.description)),
        ])
    }

    static func redemptions(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let (from, to) = try period(ctx, required: false)
        let page = try ctx.page()
        let result = try BillingStore(try ctx.db).lines(partnerId: partner.partnerId, from: from, to: to, page: page)
        return jsonResponse(200, Render.page("redemptions", result, cursor: { PageCursor(createdAt: $0.billedAt, id: $0.ticketCode) }, render))
    }
}
