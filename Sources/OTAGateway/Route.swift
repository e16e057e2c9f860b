import HTTP
import OTADomain

/// How the caller of a route proves who it is. The pipeline applies it; a handler never
/// authenticates by hand.
enum Authentication: Sendable, Equatable {
    case none
    /// A partner's X-API-Key with this permission; rate limited per partner.
    case partner(Permission)
    /// A logged-in venue operator's bearer token (the scanning app).
    case operatorSession
    /// Prometheus: open, or `Authorization: Bearer <OTA_METRICS_TOKEN>` when configured.
    case scrapeToken
    /// A logged-in console account's session cookie (the operator's staff, never partners).
    case consoleSession
}

typealias Handler = @Sendable (RequestContext) throws -> HTTPResponse

/// One endpoint, declared as a value: what the OpenAPI document says about it
/// (method, path, operationId, security, Idempotency-Key) and the handler. The
/// operationId is also its `route` label in metrics and logs.
struct Route: Sendable {
    let method: HTTPMethod
    let path: String
    let operationId: String
    let auth: Authentication
    /// Honours Idempotency-Key: the first answer for (partner, key) is stored with the
    /// change and replayed after. Partner routes that change something.
    let idempotent: Bool
    let handler: Handler

    init(_ method: HTTPMethod, _ path: String, _ operationId: String, _ auth: Authentication, idempotent: Bool = false,
         _ handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.operationId = operationId
        self.auth = auth
        self.idempotent = idempotent
        self.handler = handler
    }
}

/// Every route of the gateway, by area. Adding an endpoint: a line here (in its area's
/// list), its handler, a store command, a representation in Rendering.swift, and its block
/// in openapi.yaml; the ContractTests fail while any one is missing.
enum Routes {
    static let all: [Route] = HealthHandlers.routes + InventoryHandlers.routes + ReservationHandlers.routes
        + OrderHandlers.routes + TicketHandlers.routes + BatchHandlers.routes + QRHandlers.routes
        + OperatorHandlers.routes + BillingHandlers.routes + VenueHandlers.routes + ConsoleHandlers.routes + AdminHandlers.routes + WebhookHandlers.routes

    static let table: Router<Route> = {
        var r = Router<Route>()
        for route in all { r.add(route.method, route.path, route) }
        return r
    }()
}
