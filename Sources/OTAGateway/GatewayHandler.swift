import Foundation
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
        let requestId = Self.requestId(from: request) ?? nextRequestId()
        var routeName = "unmatched"
        var principal: PartnerPrincipal?
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
                response = try dispatch(endpoint, request, params: params, requestId: requestId, principal: &principal)
            }
        } catch {
            response = error.response()
            if error.status >= 500, error.code == "internal_error" {
                Log.event("request.failed", [("request_id", .string(requestId)), ("route", .string(routeName))], level: "error")
            }
        }
        response.headers.set("X-Request-ID", requestId)
        if config.logRequests {
            let micros = (DispatchTime.now().uptimeNanoseconds - started) / 1000
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
                  principal: inout PartnerPrincipal?) throws(APIError) -> HTTPResponse {
        switch endpoint {
        case .livez:
            return jsonResponse(200, ["status": "ok"])
        case .readyz:
            return readiness()
        default:
            break
        }
        let db = try database()
        if let needed = endpoint.permission {
            let p = try authenticate(request, db: db, requestId: requestId)
            principal = p
            guard p.isActive else { throw APIError.partnerDisabled }
            guard p.permissions.contains(needed) else { throw APIError.missingPermission(needed) }
        }
        let ctx = RequestContext(request: request, requestId: requestId, params: params, principal: principal, db: db)
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
        case .livez, .readyz: return readiness()
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
