import Foundation
import OTALog
import HTTP
import JSON
import OTACrypto
import OTADomain
import OTAStore
import Postgres

/// The request pipeline of one worker thread: request id -> route -> authenticate ->
/// permission -> handler -> problem mapping -> response + one log line. It owns the
/// worker's database connection, created lazily on this thread and never shared.
public final class GatewayHandler: HTTPRequestHandler {
    let config: GatewayConfiguration
    let isDraining: @Sendable () -> Bool
    let workerIndex: Int
    var connection: PostgresConnection?
    var authCache: [[UInt8]: (principal: PartnerPrincipal?, until: UInt64)] = [:]
    var requestCounter: UInt64 = 0

    public init(config: GatewayConfiguration, workerIndex: Int, isDraining: @escaping @Sendable () -> Bool) {
        self.config = config
        self.workerIndex = workerIndex
        self.isDraining = isDraining
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = DispatchTime.now().uptimeNanoseconds
        Metrics.shared.begin(worker: workerIndex)
        let requestId = Self.requestId(from: request) ?? nextRequestId()
        var routeName = "unmatched"
        var principal: PartnerPrincipal?
        var rateHeaders: [(String, String)] = []
        var response: HTTPResponse
        do throws(APIError) {
            switch Endpoint.routes.match(method: request.method, path: request.path) {
            case .notFound:
                throw APIError.notFound("No route \(request.method) \(request.path.prefix(200)); see /openapi.yaml for the API.")
            case let .methodNotAllowed(allowed):
                throw APIError(405, code: "method_not_allowed", title: "Method not allowed",
                               detail: "\(request.method) is not allowed here; use \(allowed.joined(separator: ", ")).",
                               headers: [("Allow", allowed.joined(separator: ", "))])
            case let .found(endpoint, params, pattern):
                routeName = pattern
                // No id holds a NUL (%00), and PostgreSQL text cannot carry one (it was a 500).
                if params.values.contains(where: { $0.utf8.contains(0) }) {
                    throw APIError.notFound("No such resource: an id never contains the NUL character (%00).")
                }
                response = try dispatch(endpoint, request, params: params, requestId: requestId, principal: &principal,
                                        rateHeaders: &rateHeaders)
            }
        } catch {
            response = error.response()
            if error.status >= 500, error.code == "internal_error" {
                Log.event("request.failed", [("request_id", .string(requestId)), ("route", .string(routeName))], level: "error")
            }
        }
        response.headers.set("X-Request-ID", requestId)
        for (name, value) in rateHeaders { response.headers.set(name, value) }
        let micros = (DispatchTime.now().uptimeNanoseconds - started) / 1000
        Metrics.shared.end(worker: workerIndex, route: routeName, method: request.method, status: response.status, seconds: Double(micros) / 1_000_000)
        if config.logRequests {
            var fields: [(String, JSONValue)] = [
                ("request_id", .string(requestId)), ("method", .string(request.method)), ("route", .string(routeName)),
                ("status", .int(response.status)), ("duration_ms", .number(String(format: "%.3f", Double(micros) / 1000))),
            ]
            if let p = principal {
                fields.append(("partner_id", .number(String(p.partnerId))))
                fields.append(("api_key_id", .number(String(p.apiKeyId))))
            }
            Log.event("http.request", fields)
        }
        return response
    }

    func dispatch(_ endpoint: Endpoint, _ request: HTTPRequest, params: [String: String], requestId: String,
                  principal: inout PartnerPrincipal?, rateHeaders: inout [(String, String)]) throws(APIError) -> HTTPResponse {
        switch endpoint {
        case .livez:
            return jsonResponse(200, ["status": "ok"])
        case .readyz:
            return readiness()
        case .metrics:
            return metrics()
        case .openapi:
            return OpenAPIDocument.response()
        default:
            break
        }
        let db = try database()
        if let needed = endpoint.permission {
            let p = try authenticate(request, db: db, requestId: requestId)
            principal = p
            guard p.isActive else { throw APIError.partnerDisabled }
            guard p.permissions.contains(needed) else { throw APIError.missingPermission(needed) }
            if config.rateLimitsEnabled { try rateLimit(p, db: db, requestId: requestId, headers: &rateHeaders) }
        }
        var operatorPrincipal: Operator?
        if endpoint.needsOperatorSession {
            operatorPrincipal = try authenticateOperator(request, db: db, requestId: requestId)
        }
        let ctx = RequestContext(request: request, requestId: requestId, params: params, principal: principal,
                                 operatorPrincipal: operatorPrincipal, db: db, config: config, worker: workerIndex)
        switch endpoint {
        case .inventory: return try InventoryHandlers.inventory(ctx)
        case .reserve: return try InventoryHandlers.reserve(ctx)
        case .reservation: return try ReservationHandlers.show(ctx)
        case .reservations: return try ReservationHandlers.list(ctx)
        case .cancelReservation: return try ReservationHandlers.cancel(ctx)
        case .activateReservation: return try ReservationHandlers.activate(ctx)
        case .orders: return try OrderHandlers.list(ctx)
        case .order: return try OrderHandlers.show(ctx)
        case .orderTickets: return try OrderHandlers.tickets(ctx)
        case .bulkGenerate: return try TicketHandlers.bulkGenerate(ctx)
        case .ticket: return try TicketHandlers.show(ctx)
        case .activateTicket: return try TicketHandlers.activate(ctx)
        case .cancelTicket: return try TicketHandlers.cancel(ctx)
        case .batches: return try BatchHandlers.list(ctx)
        case .batch: return try BatchHandlers.show(ctx)
        case .batchTickets: return try BatchHandlers.tickets(ctx)
        case .ticketQR: return try QRHandlers.issue(ctx)
        case .createOperator: return try OperatorHandlers.create(ctx)
        case .operators: return try OperatorHandlers.list(ctx)
        case .operatorDetail: return try OperatorHandlers.show(ctx)
        case .updateOperator: return try OperatorHandlers.update(ctx)
        case .disableOperator: return try OperatorHandlers.disable(ctx)
        case .billingSummary: return try BillingHandlers.summary(ctx)
        case .billingRedemptions: return try BillingHandlers.redemptions(ctx)
        case .operatorLogin: return try VenueHandlers.login(ctx)
        case .operatorVenues: return try VenueHandlers.venues(ctx)
        case .qrDecrypt: return try VenueHandlers.decrypt(ctx)
        case .venueScan: return try VenueHandlers.scan(ctx)
        case .livez, .readyz, .metrics, .openapi: return readiness()
        }
    }

    /// The operator behind `Authorization: Bearer <token>`: a live session of an active
    /// operator of an active partner.
    func authenticateOperator(_ request: HTTPRequest, db: PostgresConnection, requestId: String) throws(APIError) -> Operator {
        guard let auth = request.headers["Authorization"], auth.lowercased().hasPrefix("bearer "),
              case let token = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            throw APIError(401, code: "missing_operator_token", title: "Operator login required",
                           detail: "Log in with POST /operators/login and send the token as 'Authorization: Bearer <token>'.",
                           headers: [("WWW-Authenticate", "Bearer")])
        }
        guard token.utf8.count <= 200, let op = try? OperatorStore(db).session(tokenHash: BearerToken.hash(token)) else {
            throw APIError(401, code: "invalid_operator_token", title: "Operator session not valid",
                           detail: "The token is unknown, expired or revoked, or the operator is disabled; log in again.",
                           headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")])
        }
        return op
    }

    /// Takes one request from the partner's allowance (shared by every gateway through
    /// PostgreSQL); past it, 429 with Retry-After. A refused request touches nothing else.
    func rateLimit(_ p: PartnerPrincipal, db: PostgresConnection, requestId: String,
                   headers: inout [(String, String)]) throws(APIError) {
        let policy = RateLimitPolicy.partner(perMinute: p.rateLimitPerMinute, burstSeconds: config.rateBurstSeconds)
        let decision: RateLimitDecision
        do {
            decision = try RateLimitStore(db).take(key: "p:\(p.partnerId)", policy: policy)
        } catch {
            throw APIError.store(error, requestId: requestId)
        }
        headers = [("RateLimit-Policy", policy.policyHeader), ("RateLimit", decision.header(policy))]
        guard decision.allowed else {
            let wait = decision.retryAfterSeconds(policy)
            Metrics.shared.rateLimited(worker: workerIndex)
            throw APIError(429, code: "rate_limited", title: "Too many requests",
                           detail: "This partner may make \(policy.limit) requests per \(policy.windowSeconds) seconds; retry after \(wait) seconds.",
                           extra: [("retry_after_seconds", .int(wait))], headers: [("Retry-After", String(wait))])
        }
    }

    /// The worker's connection, (re)made on demand; 503 while the database is away.
    func database() throws(APIError) -> PostgresConnection {
        if let c = connection { return c }
        do {
            let c = try PostgresConnection(config.postgres)
            connection = c
            return c
        } catch {
            Log.event("database.unavailable", [("worker", .int(workerIndex)), ("error", .string(String(describing: error)))], level: "error")
            throw APIError.databaseUnavailable
        }
    }

    func authenticate(_ request: HTTPRequest, db: PostgresConnection, requestId: String) throws(APIError) -> PartnerPrincipal {
        guard let key = request.headers["X-API-Key"], !key.isEmpty else { throw APIError.missingKey }
        guard APIKey.isPlausible(key) else { throw APIError.unknownKey }
        let hash = APIKey.hash(key)
        let now = DispatchTime.now().uptimeNanoseconds
        if let cached = authCache[hash], cached.until > now {
            guard let p = cached.principal else { throw APIError.unknownKey }
            return p
        }
        let found: PartnerPrincipal?
        do {
            found = try PartnerStore(db).authenticate(keyHash: hash)
        } catch {
            throw APIError.store(error, requestId: requestId)
        }
        if config.authCacheSeconds > 0 {
            if authCache.count > 10_000 { authCache.removeAll(keepingCapacity: true) }
            authCache[hash] = (found, now + UInt64(config.authCacheSeconds) * 1_000_000_000)
        }
        guard let p = found else { throw APIError.unknownKey }
        return p
    }

    /// Prometheus text: this process's counters, then business gauges from the database.
    func metrics() -> HTTPResponse {
        var text = Metrics.shared.render(workers: config.http.workerCount)
        if let db = try? database(), let snap = try? MetricsStore(db).snapshot() {
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
        } else {
            text += "# HELP ota_database_up Whether this gateway reached the database for this scrape.\n# TYPE ota_database_up gauge\nota_database_up 0\n"
        }
        var h = HTTPHeaders()
        h.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        return HTTPResponse(status: 200, headers: h, body: Array(text.utf8))
    }

    /// Ready: not draining, database reachable, schema at least at the expected version.
    func readiness() -> HTTPResponse {
        func notReady(_ reason: String) -> HTTPResponse {
            jsonResponse(503, ["status": "not_ready", "reason": .string(reason)], headers: [("Retry-After", "1")])
        }
        if isDraining() { return notReady("shutting down") }
        do {
            let db = try database()
            let version = try Migrator.currentVersion(db)
            guard version >= Schema.expectedVersion else {
                return notReady("database schema is at version \(version), expected \(Schema.expectedVersion): run ota-admin migrate")
            }
            return jsonResponse(200, ["status": "ready", "schema_version": .int(version)])
        } catch {
            return notReady("database unreachable")
        }
    }

    static func requestId(from request: HTTPRequest) -> String? {
        guard let v = request.headers["X-Request-ID"], (1...128).contains(v.utf8.count),
              v.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else { return nil }
        return v
    }

    func nextRequestId() -> String {
        if let id = try? SecureRandom.identifier(prefix: "req_", randomCount: 20) { return id }
        requestCounter += 1
        return "req_w\(workerIndex)_\(requestCounter)"
    }
}
