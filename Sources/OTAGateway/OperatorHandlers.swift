import HTTP
import OTALog
import JSON
import OTACrypto
import OTADomain
import OTAStore

/// A partner managing its own venue operators (permission `operators`).
enum OperatorHandlers {
    static func render(_ o: Operator) -> JSONValue {
        .object([
            ("operator_id", .number(String(o.operatorId))), ("username", .string(o.username)),
            ("display_name", .string(o.displayName)), ("venue_ids", .array(o.venueIds.map(JSONValue.string))),
            ("status", .string(o.isActive ? "active" : "disabled")), ("created_at", .string(o.createdAt.description)),
        ])
    }

    static func passwordHash(_ password: String) throws(APIError) -> String {
        if let reason = PasswordPolicy.violation(password) { throw APIError.field(.invalid("password", reason)) }
        do {
            return try PasswordHash.hash(password)
        } catch {
            throw APIError.internalError(requestId: "password-hash")
        }
    }

    static func unknownVenues(_ ids: [String]) -> APIError {
        APIError.field(.invalid("venue_ids", "\(ids.joined(separator: ", ")) are not venues of this partner"))
    }

    static func create(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let body = try ctx.jsonBody()
        let input: OperatorInput
        do {
            input = try OperatorInput.parse(body, creating: true)
        } catch {
            throw APIError.field(error)
        }
        guard let username = input.username, let password = input.password, let name = input.displayName else {
            throw APIError.field(.invalid("username", "is required"))
        }
        let hash = try passwordHash(password)
        return try Idempotency.run(ctx) { () throws(APIError) -> HTTPResponse in
            switch try ctx.store({ try OperatorStore(ctx.db).create(partnerId: partner.partnerId, username: username, passwordHash: hash,
                                                                      displayName: name, venueIds: input.venueIds ?? []) }) {
            case let .created(op):
                Log.event("ota.operator.created", [("request_id", .string(ctx.requestId)), ("operator_id", .number(String(op.operatorId))),
                                                   ("partner_id", .number(String(partner.partnerId)))])
                return jsonResponse(201, render(op), headers: [("Location", "/api/ota/operators/\(op.operatorId)")])
            case .usernameTaken:
                throw APIError(409, code: "username_taken", title: "Username taken",
                               detail: "The username \(username) is already in use; operator usernames are unique across the service.",
                               extra: [("field", "username")])
            case let .unknownVenues(ids):
                throw unknownVenues(ids)
            }
        }
    }

    static func list(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let ops = try ctx.store { try OperatorStore(ctx.db).list(partnerId: partner.partnerId) }
        return jsonResponse(200, .object([("operators", .array(ops.map(render)))]))
    }

    static func operatorId(_ ctx: RequestContext) throws(APIError) -> Int64 {
        guard let raw = ctx.params["id"], let id = Int64(raw), id > 0 else { throw APIError.notFound("No such operator for this partner.") }
        return id
    }

    static func show(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let id = try operatorId(ctx)
        guard let op = try ctx.store({ try OperatorStore(ctx.db).find(operatorId: id, partnerId: partner.partnerId) }) else {
            throw APIError.notFound("No operator \(id) for this partner.")
        }
        return jsonResponse(200, render(op))
    }

    static func update(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let body = try ctx.jsonBody()
        let input: OperatorInput
        do {
            input = try OperatorInput.parse(body, creating: false)
        } catch {
            throw APIError.field(error)
        }
        return try change(ctx, input)
    }

    static func disable(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        var input = OperatorInput()
        input.active = false
        return try change(ctx, input)
    }

    static func change(_ ctx: RequestContext, _ input: OperatorInput) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let id = try operatorId(ctx)
        let hash = try input.password.map { p throws(APIError) in try passwordHash(p) }
        switch try ctx.store({ try OperatorStore(ctx.db).update(operatorId: id, partnerId: partner.partnerId, displayName: input.displayName,
                                                               passwordHash: hash, venueIds: input.venueIds, active: input.active) }) {
        case let .updated(op): return jsonResponse(200, render(op))
        case .notFound: throw APIError.notFound("No operator \(id) for this partner.")
        case let .unknownVenues(ids): throw unknownVenues(ids)
        }
    }
}
