import HTTP
import OTALog
import JSON
import OTACrypto
import OTADomain
import OTAStore

/// A partner managing its own venue operators (permission `operators`).
enum OperatorHandlers {
    static let routes: [Route] = [
        Route("POST", "/api/ota/operators", "createOperator", .partner(.operators), idempotent: true, create),
        Route("GET", "/api/ota/operators", "listOperators", .partner(.operators), list),
        Route("GET", "/api/ota/operators/{id}", "getOperator", .partner(.operators), show),
        Route("PATCH", "/api/ota/operators/{id}", "updateOperator", .partner(.operators), idempotent: true, update),
        Route("POST", "/api/ota/operators/{id}/disable", "disableOperator", .partner(.operators), idempotent: true, disable),
    ]

    static func render(_ o: Operator) -> JSONValue {
        .object([
            ("operator_id", .number(String(o.operatorId))), ("username", .string(o.username)),
            ("display_name", .string(o.displayName)), ("venue_ids", .array(o.venueIds.map(JSONValue.string))),
            ("status", .string(o.isActive ? "active" : "disabled")), ("created_at", .string(o.createdAt.description)),
        ])
    }

    /// The slow salted hash of a new password that passes the policy. A failure of the
    /// hash itself reaches the problem mapping (500, logged with the real request id).
    static func passwordHash(_ password: String) throws -> String {
        if let reason = PasswordPolicy.violation(password) { throw APIError.invalid("password", reason) }
        return try PasswordHash.hash(password)
    }

    static func unknownVenues(_ ids: [String]) -> APIError {
        APIError.invalid("venue_ids", "\(echo(ids.joined(separator: ", "), limit: 200)) are not venues of this partner")
    }

    static func create(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let input = try OperatorInput.parse(try ctx.jsonBody(), creating: true)
        guard let username = input.username, let password = input.password, let name = input.displayName else {
            throw APIError.invalid("username", "is required")
        }
        let hash = try passwordHash(password)
        switch try OperatorStore(try ctx.db).create(partnerId: partner.partnerId, username: username, passwordHash: hash,
                                                    displayName: name, venueIds: input.venueIds ?? []) {
        case let .created(op):
            Log.event("ota.operator.created", [("request_id", .string(ctx.requestId)), ("operator_id", .number(String(op.operatorId))),
                                               ("partner_id", .number(String(partner.partnerId)))])
            return jsonResponse(201, render(op), headers: [("Location", "/api/ota/operators/\(op.operatorId)")])
        case .usernameTaken:
            throw APIError(.usernameTaken, "This partner already has an operator named \(username); usernames are unique per partner.",
                           extra: [("field", "username")])
        case let .unknownVenues(ids):
            throw unknownVenues(ids)
        }
    }

    static func list(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let ops = try OperatorStore(try ctx.db).list(partnerId: partner.partnerId)
        return jsonResponse(200, .object([("operators", .array(ops.map(render)))]))
    }

    static func operatorId(_ ctx: RequestContext) throws -> Int64 {
        guard let id = Int64(ctx.parameter("id")), id > 0 else { throw APIError.notFound("No such operator for this partner.") }
        return id
    }

    static func show(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let id = try operatorId(ctx)
        guard let op = try OperatorStore(try ctx.db).find(operatorId: id, partnerId: partner.partnerId) else {
            throw APIError.notFound("No operator \(id) for this partner.")
        }
        return jsonResponse(200, render(op))
    }

    static func update(_ ctx: RequestContext) throws -> HTTPResponse {
        let input = try OperatorInput.parse(try ctx.jsonBody(), creating: false)
        return try change(ctx, input)
    }

    static func disable(_ ctx: RequestContext) throws -> HTTPResponse {
        var input = OperatorInput()
        input.active = false
        return try change(ctx, input)
    }

    static func change(_ ctx: RequestContext, _ input: OperatorInput) throws -> HTTPResponse {
        let partner = try ctx.partner
        let id = try operatorId(ctx)
        let hash = try input.password.map(passwordHash)
        switch try OperatorStore(try ctx.db).update(operatorId: id, partnerId: partner.partnerId, displayName: input.displayName,
                                                    passwordHash: hash, venueIds: input.venueIds, active: input.active) {
        case let .updated(op): return jsonResponse(200, render(op))
        case .notFound: throw APIError.notFound("No operator \(id) for this partner.")
        case let .unknownVenues(ids): throw unknownVenues(ids)
        }
    }
}
