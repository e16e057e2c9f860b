import HTTP
import JSON
import OTADomain
import OTAStore
import Foundation
import OTARepresentation

/// The console's JSON API (console session cookie): the KPIs of a window and their series.
enum AdminHandlers {
    static let routes: [Route] = [
        Route("GET", "/api/admin/kpis", "getAdminKPIs", .consoleSession, kpis),
        Route("GET", "/api/admin/kpis/series", "getAdminKPISeries", .consoleSession, series),
    ]

    static let maxDays: Int64 = 400
    static let maxBuckets = 2_000

    /// `window` (today, 7d, 30d; default 7d) or `from` and `to` (dates or RFC 3339; a date
    /// as `to` means the end of that day), and the optional product and partner.
    static func query(_ ctx: RequestContext) throws -> (from: Timestamp, to: Timestamp, filter: KPI.Filter) {
        let from = try ctx.instantQuery("from", endOfDay: false)
        let to = try ctx.instantQuery("to", endOfDay: true)
        let windowName = ctx.request.queryValue("window")
        var range: (Timestamp, Timestamp)
        if from != nil || to != nil {
            guard windowName == nil else { throw APIError.invalid("window", "give either window or from and to, not both") }
            guard let f = from else { throw APIError.invalid("from", "is required with to: a date YYYY-MM-DD or an RFC 3339 date-time") }
            range = (f, to ?? currentTimestamp())
        } else {
            guard let window = ConsoleWindow(rawValue: windowName ?? "7d") else {
                throw APIError.invalid("window", "must be one of today, 7d, 30d")
            }
            range = window.range(now: currentTimestamp())
        }
        guard range.0 < range.1 else { throw APIError.invalid("to", "must be after from") }
        guard range.1.microseconds - range.0.microseconds <= maxDays * 86_400 * 1_000_000 else {
            throw APIError.invalid("to", "the window may span at most \(maxDays) days")
        }
        var filter = KPI.Filter()
        if let raw = ctx.request.queryValue("product_id") {
            guard let id = Int(raw), id > 0, id <= Int(Int32.max) else { throw APIError.invalid("product_id", "must be a product id (a positive integer)") }
            filter.productId = id
        }
        if let raw = ctx.request.queryValue("partner_id") {
            guard let id = Int64(raw), id > 0 else { throw APIError.invalid("partner_id", "must be a partner id (a positive integer)") }
            filter.partnerId = id
        }
        if filter.productId != nil || filter.partnerId != nil {
            let known = try KPIStore(try ctx.db).exists(productId: filter.productId, partnerId: filter.partnerId)
            guard known.product else { throw APIError.invalid("product_id", "is not a product") }
            guard known.partner else { throw APIError.invalid("partner_id", "is not a partner") }
        }
        return (range.0, range.1, filter)
    }

    static func kpis(_ ctx: RequestContext) throws -> HTTPResponse {
        let q = try query(ctx)
        let db = try ctx.db
        let report = try KPIStore(db).report(from: q.from, to: q.to, filter: q.filter)
        return jsonResponse(200, KPIRendering.report(report, currency: try CatalogStore(db).currency()), headers: [("Cache-Control", "no-store")])
    }

    static func series(_ ctx: RequestContext) throws -> HTTPResponse {
        guard let metric = try ctx.enumQuery("metric", KPI.Metric.self) else {
            throw APIError.invalid("metric", "is required: one of \(KPI.Metric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let step = try ctx.enumQuery("step", KPI.Step.self) ?? .day
        let q = try query(ctx)
        let buckets = (q.to.microseconds - q.from.microseconds) / (step.seconds * 1_000_000) + 2
        guard buckets <= maxBuckets else {
            throw APIError.invalid("step", "gives more than \(maxBuckets) buckets for this window; use step=day or a shorter window")
        }
        let report = try KPIStore(try ctx.db).series(metric, step: step, from: q.from, to: q.to, filter: q.filter)
        return jsonResponse(200, KPIRendering.series(report), headers: [("Cache-Control", "no-store")])
    }
}

/// The JSON of the console's figures (the shapes in openapi.yaml: AdminKPIs, AdminKPISeries).
enum KPIRendering {
    /// A ratio or a duration: up to six decimals, trailing zeros dropped; null when undefined.
    static func number(_ d: Double?) -> JSONValue {
        guard let d, d.isFinite else { return .null }
        var text = String(format: "%.6f", d)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return .number(text == "-0" ? "0" : text)
    }

    static func activity(_ a: KPI.Activity) -> JSONValue {
        .object([
            ("holds", .object([
                ("made", .int(a.holds.made)), ("made_units", .int(a.holds.madeUnits)), ("activated", .int(a.holds.activated)),
                ("cancelled", .int(a.holds.cancelled)), ("expired", .int(a.holds.expired)), ("ended", .int(a.holds.ended)),
                ("activation_rate", number(a.holds.activationRate)), ("expiry_rate", number(a.holds.expiryRate)),
            ])),
            ("sold", .object([
                ("from_holds", .int(a.sales.fromHolds)), ("from_batches", .int(a.sales.fromBatches)), ("total", .int(a.sales.total)),
                ("cancelled", .int(a.sales.cancelled)),
            ])),
            ("billing", .object([
                ("redemptions", .int(a.billing.redemptions)), ("billed_tickets", .int(a.billing.billedTickets)),
                ("gross", a.billing.gross.json), ("commission", a.billing.commission.json), ("net", a.billing.net.json),
            ])),
        ])
    }

    static func route(_ r: KPI.Route) -> JSONValue {
        .object([
            ("route", .string(r.route)), ("requests", .int(r.requests)), ("client_errors", .int(r.clientErrors)),
            ("server_errors", .int(r.serverErrors)), ("error_rate", number(r.errorRate)),
            ("p50_seconds", number(r.p50)), ("p99_seconds", number(r.p99)),
        ])
    }

    static func invariantStatus(_ results: [InvariantCheck.Result]) -> String {
        if results.contains(where: { $0.status == .drift }) { return "drift" }
        return results.contains(where: { $0.status == .warning }) ? "warn" : "ok"
    }

    static func report(_ r: KPI.Report, currency: String) -> JSONValue {
        let total = r.requests
        return .object([
            ("from", .string(r.from.description)), ("to", .string(r.to.description)), ("as_of", .string(r.asOf.description)),
            ("filter", .object([("product_id", r.filter.productId.map { .int($0) } ?? .null),
                                ("partner_id", r.filter.partnerId.map { .number(String($0)) } ?? .null)])),
            ("currency", .string(currency)),
            ("targets", .object([
                ("utilisation", number(KPI.Target.utilisation)), ("activation_rate", number(KPI.Target.activationRate)),
                ("expiry_rate_alert", number(KPI.Target.expiryRateAlert)), ("error_rate", number(KPI.Target.errorRate)),
                ("response_seconds", number(KPI.Target.responseSeconds)),
            ])),
            ("totals", activity(r.total)),
            ("utilisation", .object([
                ("ota", number(r.utilisation(channel: "ota"))), ("direct", number(r.utilisation(channel: "direct"))),
                ("pools", .array(r.pools.map { p in
                    .object([("product_id", .int(p.productId)), ("name", .string(p.productName)), ("channel", .string(p.channel)),
                             ("allocated", .int(p.allocated)), ("reserved", .int(p.reserved)), ("sold", .int(p.sold)),
                             ("utilisation", number(p.utilisation))])
                })),
            ])),
            ("products", .array(r.products.map { p in
                .object([("product_id", .int(p.productId)), ("name", .string(p.name)), ("activity", activity(p.activity))])
            })),
            ("partners", .array(r.partners.map { p in
                .object([("partner_id", .number(String(p.partnerId))), ("code", .string(p.code)), ("name", .string(p.name)),
                         ("activity", activity(p.activity))])
            })),
            ("partners_onboarded", .int(r.partnersOnboarded)), ("partners_active", .int(r.partnersActive)),
            ("requests", .object([
                ("requests", .int(total.requests)), ("client_errors", .int(total.clientErrors)), ("server_errors", .int(total.serverErrors)),
                ("error_rate", number(total.errorRate)), ("worst_p99_seconds", number(total.p99)),
                ("routes", .array(r.routes.map(route))),
            ])),
            ("invariants", .object([
                ("status", .string(invariantStatus(r.invariants))),
                ("checks", .array(r.invariants.map { c in
                    .object([("name", .string(c.name)), ("status", .string(c.status.rawValue.lowercased())),
                             ("summary", .string(c.summary)), ("details", .array(c.details.map(JSONValue.string)))])
                })),
            ])),
        ])
    }

    static func series(_ s: KPI.SeriesReport) -> JSONValue {
        .object([
            ("metric", .string(s.metric.rawValue)), ("step", .string(s.step.rawValue)),
            ("from", .string(s.from.description)), ("to", .string(s.to.description)),
            ("buckets", .array(s.starts.map { .string($0.description) })),
            ("series", .array(s.series.map { line in
                .object([("name", .string(line.name)), ("values", .array(line.values.map { v in
                    guard let v else { return .null }
                    return line.isMoney ? Money(cents: Int64(v)).json : number(v)
                }))])
            })),
        ])
    }
}
