public import Foundation
public import HTTP
public import JSON
public import OTACrypto
public import OTADomain
public import OTALog
public import OTAStore
public import Postgres

/// The request pipeline of one worker thread, the same for every route:
/// request id -> route match -> authentication -> permission -> rate limit ->
/// idempotency -> handler -> problem mapping -> response, metrics and one log line.
/// The route's declaration (Route.swift) decides which steps apply. The handler owns the
/// worker's database connection, created lazily on this thread and never shared.
public final class GatewayHandler: HTTPRequestHandler {
    let config: GatewayConfiguration
    let isDraining: @Sendable () -> Bool
    let workerIndex: Int
    var connection: PostgresConnection?
    var authCache = AuthCache()
    /// nil: no listener (in-process tests), so key lookups are not cached.
    let authGeneration: AuthGeneration?
    var requestCounter: UInt64 = 0
    /// One in `config.inventoryEventSample` inventory reads is logged (the read path).
    var inventoryReads: UInt64 = 0

    /// The catalog and the pools' readings in memory, shared by the workers.
    let hotPaths: HotPaths
    /// Set by a handler that changed the catalog (a webhook endpoint): once the request's
    /// transaction committed, this gateway's catalog generation moves on at once.
    var changedCatalog = false
    /// The last inventory answer and what it was rendered from (InventoryHandlers).
    var inventoryAnswer: InventoryAnswer?
    /// This worker's copies of the shared catalog and pools reading: a request that finds
    /// them current touches no lock (a Mutex taken by every worker on every request cost a
    /// quarter of the gateway's time under load: futex contention).
    var catalogCopy: CatalogCache.Copy?
    var poolsCopy: InventorySnapshots.Copy?

    init(config: GatewayConfiguration, workerIndex: Int, authGeneration: AuthGeneration?, hotPaths: HotPaths = HotPaths(),
         isDraining: @escaping @Sendable () -> Bool) {
        self.config = config
        self.authGeneration = authGeneration
        self.hotPaths = hotPaths
        self.workerIndex = workerIndex
        self.isDraining = isDraining
    }

    /// What the pipeline learned about a request, for its response headers, metrics and log line.
    struct Exchange {
        var operation = "unmatched"
        var pattern = "unmatched"
        var principal: PartnerPrincipal?
        var rateHeaders: [(String, String)] = []
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = DispatchTime.now().uptimeNanoseconds
        Metrics.shared.begin(worker: workerIndex)
        let requestId = Self.requestId(from: request) ?? nextRequestId()
        var exchange = Exchange()
        var response: HTTPResponse
        do {
            response = try run(request, requestId: requestId, exchange: &exchange)
        } catch {
            response = ProblemMapping.problem(for: error, requestId: requestId, operation: exchange.operation).response()
        }
        // After the commit (an Idempotency-Key's transaction ends in run): a worker that
        // reloads now sees the change.
        if changedCatalog {
            changedCatalog = false
            hotPaths.catalog.changedHere()
        }
        response.headers.set("X-Request-ID", requestId)
        for (name, value) in exchange.rateHeaders { response.headers.set(name, value) }
        let micros = (DispatchTime.now().uptimeNanoseconds - started) / 1000
        Metrics.shared.end(worker: workerIndex, route: exchange.operation, method: request.method.metricsLabel,
                           status: response.status, seconds: Double(micros) / 1_000_000)
        if config.logRequests {
            var fields: [(String, JSONValue)] = [
                ("request_id", .string(requestId)), ("method", .string(request.method.metricsLabel)),
                ("route", .string(exchange.pattern)), ("operation", .string(exchange.operation)),
                ("status", .int(response.status)), ("duration_ms", .number(String(format: "%.3f", Double(micros) / 1000))),
            ]
            if let p = exchange.principal {
                fields.append(("partner_id", .number(String(p.partnerId))))
                fields.append(("api_key_id", .number(String(p.apiKeyId))))
            }
            Log.event("http.request", fields)
        }
        return response
    }

    /// The steps between the match and the handler; any error goes to ProblemMapping.
    func run(_ request: HTTPRequest, requestId: String, exchange: inout Exchange) throws -> HTTPResponse {
        let route: Route
        let params: [String: String]
        switch Routes.table.match(method: request.method, path: request.path) {
        case .notFound:
            throw APIError.notFound("No route \(echo(request.method.rawValue, limit: 16)) \(echo(request.path, limit: 200)); see /openapi.yaml for the API.")
        case let .methodNotAllowed(allowed):
            throw APIError(.methodNotAllowed, "\(echo(request.method.rawValue, limit: 16)) is not allowed here; use \(allowed.joined(separator: ", ")).",
                           headers: [("Allow", allowed.joined(separator: ", "))])
        case let .found(found, foundParams, pattern):
            (route, params) = (found, foundParams)
            exchange.operation = found.operationId
            exchange.pattern = pattern
        }
        // No id holds a NUL (%00), and PostgreSQL text cannot carry one (it was a 500).
        if params.values.contains(where: { $0.utf8.contains(0) }) {
            throw APIError.notFound("No such resource: an id never contains the NUL character (%00).")
        }
        var ctx = RequestContext(request: request, requestId: requestId, params: params, route: route, worker: self)
        // /console and /api/admin: no partner key, no cross-site POST (ConsoleAuthentication.swift).
        if route.isConsole { try Self.guardConsole(request) }
        switch route.auth {
        case .none:
            break
        case let .partner(permission):
            let db = try database()
            let p = try authenticatePartner(request, db: db)
            exchange.principal = p
            ctx.principal = p
            guard p.isActive else { throw APIError.partnerDisabled }
            guard p.permissions.contains(permission) else { throw APIError.missingPermission(permission) }
            if config.rateLimitsEnabled { try rateLimit(p, db: db, headers: &exchange.rateHeaders) }
        case .operatorSession:
            ctx.operatorPrincipal = try authenticateOperator(request, db: try database())
        case .scrapeToken:
            try authenticateScraper(request)
        case .consoleSession:
            switch try authenticateConsole(request, route: route) {
            case let .user(user): ctx.consoleUser = user
            case let .answer(response): return response
            }
        }
        if route.idempotent, let key = try Idempotency.key(of: request) {
            return try Idempotency.run(ctx, key: key) { try route.handler(ctx) }
        }
        return try route.handler(ctx)
    }

    /// ota.inventory.requested for one in `inventoryEventSample` reads; none when the
    /// request log is off (OTA_REQUEST_LOG=0 means no line per request).
    func logInventoryRead(_ fields: [(String, JSONValue)]) {
        let sample = config.inventoryEventSample
        guard config.logRequests, sample > 0 else { return }
        inventoryReads &+= 1
        guard inventoryReads % UInt64(sample) == 0 else { return }
        Log.event("ota.inventory.requested", sample == 1 ? fields : fields + [("sampled_1_in", .int(sample))])
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
