import Foundation
import HTTP
import JSON
import OTAStore
import Postgres
import Synchronization

/// Health, metrics, the API document and the problem catalog: no authentication.
enum HealthHandlers {
    static let routes: [Route] = [
        Route("GET", "/livez", "livez", .none) { _ in jsonResponse(200, ["status": "ok"]) },
        Route("GET", "/readyz", "readyz", .none, readiness),
        Route("GET", "/healthz", "healthz", .none, readiness),
        Route("GET", "/metrics", "metrics", .scrapeToken, metrics),
        Route("GET", "/openapi.yaml", "getOpenAPIDocument", .none) { _ in OpenAPIDocument.response() },
        Route("GET", "/problems/{type}", "getProblemType", .none, problemType),
    ]

    /// Ready: not draining, database reachable, schema at least at the expected version.
    static func readiness(_ ctx: RequestContext) -> HTTPResponse {
        func notReady(_ reason: String) -> HTTPResponse {
            jsonResponse(503, ["status": "not_ready", "reason": .string(reason)], headers: [("Retry-After", "1")])
        }
        if ctx.worker.isDraining() { return notReady("shutting down") }
        do {
            let db = try ctx.db
            let version = try Migrator.currentVersion(db)
            guard version >= Schema.expectedVersion else {
                return notReady("database schema is at version \(version), expected \(Schema.expectedVersion): run ota-admin migrate")
            }
            return jsonResponse(200, ["status": "ready", "schema_version": .int(version)])
        } catch {
            return notReady("database unreachable")
        }
    }

    /// Prometheus text: this process's counters, then business gauges from the database.
    static func metrics(_ ctx: RequestContext) -> HTTPResponse {
        var text = Metrics.shared.render(workers: ctx.config.http.workerCount)
        if let db = try? ctx.db, let snap = try? MetricsStore(db).snapshot() {
            text += """
                # HELP ota_reservations_active Active holds on the OTA pools.
                # TYPE ota_reservations_active gauge
                ota_reservations_active \(snap.activeHolds)
                # HELP ota_reservations_active_units Units held by active holds.
                # TYPE ota_reservations_active_units gauge
                ota_reservations_active_units \(snap.activeHoldUnits)
                # HELP ota_holds_total Holds ever created, by current status (created = the sum).
                # TYPE ota_holds_total counter

                """
            for (status, n) in snap.holdsByStatus { text += "ota_holds_total{status=\"\(status)\"} \(n)\n" }
            text += """
                # HELP ota_pool_utilisation_ratio Share of the OTA allocation reserved or sold, per product.
                # TYPE ota_pool_utilisation_ratio gauge

                """
            for p in snap.otaPools {
                let ratio = p.allocated > 0 ? Double(p.reserved + p.sold) / Double(p.allocated) : 0
                text += "ota_pool_utilisation_ratio{product_id=\"\(p.productId)\"} \(Metrics.number(ratio))\n"
            }
            text += """
                # HELP ota_pool_units OTA pool units by state, per product.
                # TYPE ota_pool_units gauge

                """
            for p in snap.otaPools {
                text += "ota_pool_units{product_id=\"\(p.productId)\",state=\"allocated\"} \(p.allocated)\n"
                text += "ota_pool_units{product_id=\"\(p.productId)\",state=\"reserved\"} \(p.reserved)\n"
                text += "ota_pool_units{product_id=\"\(p.productId)\",state=\"sold\"} \(p.sold)\n"
            }
            text += """
                # HELP ota_expiry_worker_lag_seconds How long the oldest due hold has waited past its expiry for the worker.
                # TYPE ota_expiry_worker_lag_seconds gauge
                ota_expiry_worker_lag_seconds \(Metrics.number(snap.expiryLagSeconds))
                # HELP ota_database_up Whether this gateway reached the database for this scrape.
                # TYPE ota_database_up gauge
                ota_database_up 1

                """
            text += InvariantGauges.shared.render(db)
            text += WebhookMetrics.text(db)
        } else {
            text += "# HELP ota_database_up Whether this gateway reached the database for this scrape.\n# TYPE ota_database_up gauge\nota_database_up 0\n"
        }
        var h = HTTPHeaders()
        h.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        return HTTPResponse(status: 200, headers: h, body: Array(text.utf8))
    }

    /// What a problem `type` means, for a partner who follows the URI of a problem.
    static func problemType(_ ctx: RequestContext) throws -> HTTPResponse {
        let slug = ctx.parameter("type")
        guard let p = ProblemType.find(slug: slug) else {
            throw APIError.notFound("No problem type \(echo(slug)); every problem's `type` is listed in /openapi.yaml.")
        }
        return jsonResponse(200, .object([
            ("type", .string(p.typeURI)), ("code", .string(p.code)), ("status", .int(p.status)),
            ("title", .string(p.title)), ("description", .string(p.meaning)),
        ]), headers: [("Cache-Control", "public, max-age=86400")])
    }
}

/// `ota_invariant_drift{check}`: what `ota-admin verify` checks, 1 for a drift. The checks
/// scan the pools, holds and tickets, so a gateway runs them at most once a minute and
/// answers scrapes in between from that result (labels: the six check names, bounded).
final class InvariantGauges: Sendable {
    static let shared = InvariantGauges()
    static let maxAge: Duration = .seconds(60)
    private let last = Mutex<(at: ContinuousClock.Instant, results: [InvariantCheck.Result])?>(nil)

    func results(_ db: PostgresConnection) -> [InvariantCheck.Result]? {
        let now = ContinuousClock.now
        if let cached = last.withLock({ $0 }), now - cached.at < Self.maxAge { return cached.results }
        guard let fresh = try? InvariantCheck(db).run() else { return nil }
        last.withLock { $0 = (now, fresh) }
        return fresh
    }

    func render(_ db: PostgresConnection) -> String {
        guard let results = results(db) else { return "" }
        var text = """
            # HELP ota_invariant_drift Whether an inventory invariant (ota-admin verify) drifted: 1 drift, 0 ok or warning.
            # TYPE ota_invariant_drift gauge

            """
        for r in results { text += "ota_invariant_drift{check=\"\(r.name)\"} \(r.status == .drift ? 1 : 0)\n" }
        return text
    }
}
