import HTTP
import OTALog
import JSON
import OTACrypto
import OTADomain
import OTAStore

/// The venue scanning app: operator login, the partner's venues, QR decryption and
/// redemption. Everything is scoped to the operator's partner: another partner's ticket is
/// a 404, a venue outside the partner a 403.
enum VenueHandlers {
    static let loginPolicy = RateLimitPolicy(name: "login", limit: 30, windowSeconds: 60, burst: 10)

    static func login(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let body = try ctx.jsonBody()
        let username: String
        let password: String
        do {
            username = try body.requiredString("username", maxLength: 64).lowercased()
            password = try body.requiredString("password", maxLength: 128)
        } catch {
            throw APIError.field(error)
        }
        let address = ctx.clientAddress
        let ops = OperatorStore(ctx.db)
        // A stricter limit per client address than partners get, before any password work.
        if ctx.config.rateLimitsEnabled {
            let decision = try ctx.store { try RateLimitStore(ctx.db).take(key: "login:\(address)", policy: loginPolicy) }
            guard decision.allowed else {
                let wait = decision.retryAfterSeconds(loginPolicy)
                throw APIError(429, code: "rate_limited", title: "Too many login attempts",
                               detail: "Too many logins from this address; retry after \(wait) seconds.", headers: [("Retry-After", String(wait))])
            }
        }
        let keys = ["u:\(username)", "a:\(address)"]
        let locked = try ctx.store { try ops.lockedSeconds(keys: keys) }
        if locked > 0 {
            // Attempts during a lockout count too, so hammering keeps the lock on.
            try ctx.store { try ops.recordFailure(key: keys[0], policy: .perUsername) }
            throw APIError(429, code: "login_locked", title: "Login locked",
                           detail: "Too many failed logins; try again in \(locked) seconds.", headers: [("Retry-After", String(locked))])
        }
        let record = try ctx.store { try ops.loginRecord(username: username) }
        // Verify against a dummy hash when the user does not exist, so timing does not tell.
        let ok = PasswordHash.verify(password, against: record?.passwordHash ?? PasswordHash.dummy)
        guard ok, let found = record else {
            try ctx.store {
                try ops.recordFailure(key: keys[0], policy: .perUsername)
                try ops.recordFailure(key: keys[1], policy: .perAddress)
            }
            Log.event("ota.operator.login_failed", [("request_id", .string(ctx.requestId)), ("username", .string(username)),
                                                    ("address", .string(address))], level: "warn")
            throw APIError(401, code: "invalid_credentials", title: "Login failed", detail: "Unknown username or wrong password.")
        }
        guard found.op.isActive, found.partnerActive else {
            throw APIError(403, code: "operator_disabled", title: "Operator disabled", detail: "This operator or its partner is disabled.")
        }
        try ctx.store { try ops.clearFailures(key: keys[0]) }
        let token: (token: String, hash: [UInt8])
        do {
            token = try BearerToken.issue()
        } catch {
            throw APIError.internalError(requestId: ctx.requestId)
        }
        let hours = ctx.config.operatorSessionHours
        let expires = try ctx.store { try ops.startSession(operatorId: found.op.operatorId, tokenHash: token.hash, ttlSeconds: hours * 3600) }
        Log.event("ota.operator.login", [("request_id", .string(ctx.requestId)), ("operator_id", .number(String(found.op.operatorId)))])
        return jsonResponse(200, .object([
            ("token", .string(token.token)), ("token_type", "Bearer"), ("expires_at", .string(expires.description)),
            ("operator", OperatorHandlers.render(found.op)),
        ]), headers: [("Cache-Control", "no-store")])
    }

    static func venues(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let op = try ctx.venueOperator
        let all = try ctx.store { try VenueStore(ctx.db).list(partnerId: op.partnerId) }
        return jsonResponse(200, .object([("venues", .array(all.map { v in
            .object([("venue_id", .string(v.venueId)), ("name", .string(v.name)), ("address", v.address.map(JSONValue.string) ?? .null),
                     ("status", .string(v.isOpen ? "active" : "closed")), ("operator_may_scan", .bool(op.mayScan(at: v.venueId)))])
        }))]))
    }

    /// The ticket code a QR token stands for, checked: tag, expiry, and the operator's partner.
    static func ticketCode(fromToken token: String, op: Operator, ctx: RequestContext) throws(APIError) -> String {
        guard let keyring = ctx.config.qrKeyring else { throw QRHandlers.notConfigured }
        let claims: QRTokenClaims
        do {
            claims = try QRToken.open(token, keyring: keyring, now: currentTimestamp().microseconds / 1_000_000)
        } catch {
            switch error {
            case let .expired(expired) where expired.partnerId != op.partnerId:
                // Another partner's token, even an expired one, is none of this operator's business.
                throw TicketHandlers.notFound(expired.ticketCode)
            case .expired:
                throw APIError(410, code: "qr_expired", title: "QR code expired", detail: "This QR code has expired; ask the customer to show a fresh one.")
            default:
                throw APIError(422, code: "invalid_qr_token", title: "Invalid QR code", detail: "This is not a valid QR code of this service.",
                               extra: [("field", "qr_token")])
            }
        }
        // Another partner's ticket is none of this operator's business.
        guard claims.partnerId == op.partnerId else { throw TicketHandlers.notFound(claims.ticketCode) }
        return claims.ticketCode
    }

    static func decrypt(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let op = try ctx.venueOperator
        let body = try ctx.jsonBody()
        let token: String
        do {
            token = try body.requiredString("qr_token", maxLength: 1024)
        } catch {
            throw APIError.field(error)
        }
        let code = try ticketCode(fromToken: token, op: op, ctx: ctx)
        guard let ticket = try ctx.store({ try TicketStore(ctx.db).find(ticketCode: code, partnerId: op.partnerId) }) else {
            throw TicketHandlers.notFound(code)
        }
        return jsonResponse(200, .object([("ticket", Render.ticket(ticket))]))
    }

    static func scan(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let op = try ctx.venueOperator
        let body = try ctx.jsonBody()
        let request: ScanRequest
        do {
            request = try ScanRequest.parse(body)
        } catch {
            throw APIError.field(error)
        }
        guard let venue = try ctx.store({ try VenueStore(ctx.db).find(venueId: request.venueId) }), venue.partnerId == op.partnerId else {
            throw APIError(403, code: "venue_forbidden", title: "Venue not allowed",
                           detail: "Venue \(request.venueId) is not a venue of this operator's partner.")
        }
        guard op.mayScan(at: venue.venueId) else {
            throw APIError(403, code: "venue_forbidden", title: "Venue not allowed", detail: "This operator is not assigned to venue \(venue.venueId).")
        }
        guard venue.isOpen else {
            throw APIError(409, code: "venue_closed", title: "Venue closed", detail: "Venue \(venue.venueId) is closed.")
        }
        let code: String
        switch request.subject {
        case let .qrToken(t): code = try ticketCode(fromToken: t, op: op, ctx: ctx)
        case let .ticketCode(c): code = c
        }
        let outcome = try ctx.inTransaction {
            try RedemptionStore(ctx.db).redeem(ticketCode: code, partnerId: op.partnerId, functionCode: request.functionCode,
                                               venueId: venue.venueId, operatorId: op.operatorId, scanId: request.scanId)
        }
        func answer(_ r: Redemption, _ t: Ticket, billed: Bool) -> JSONValue {
            .object([
                ("redemption", .object([
                    ("redemption_id", .number(String(r.redemptionId))), ("ticket_code", .string(r.ticketCode)),
                    ("function_code", .string(r.functionCode)), ("venue_id", .string(r.venueId)),
                    ("scan_id", r.scanId.map(JSONValue.string) ?? .null), ("uses_left", .int(r.usesLeft)),
                    ("redeemed_at", .string(r.redeemedAt.description)),
                ])),
                ("ticket", Render.ticket(t)), ("billed", .bool(billed)),
            ])
        }
        switch outcome {
        case let .redeemed(r, t, billed):
            Log.event("ota.ticket.redeemed", [("request_id", .string(ctx.requestId)), ("ticket_code", .string(code)),
                                              ("function_code", .string(r.functionCode)), ("venue_id", .string(r.venueId)),
                                              ("operator_id", .number(String(op.operatorId))), ("billed", .bool(billed)),
                                              ("ticket_status", .string(t.status.rawValue))])
            return jsonResponse(200, answer(r, t, billed: billed))
        case let .replay(r, t):
            var resp = jsonResponse(200, answer(r, t, billed: false))
            resp.headers.set("Idempotent-Replayed", "true")
            return resp
        case .ticketNotFound:
            throw TicketHandlers.notFound(code)
        case let .ticketNotActive(status):
            throw APIError(409, code: "ticket_not_active", title: "Ticket not redeemable",
                           detail: "Ticket \(code) is \(status.rawValue); only ACTIVE tickets can be redeemed.",
                           extra: [("ticket_status", .string(status.rawValue))])
        case let .unknownFunction(available):
            throw APIError(422, code: "unknown_function", title: "Unknown function",
                           detail: "Ticket \(code) has no entitlement '\(request.functionCode)'; it has \(available.joined(separator: ", ")).",
                           extra: [("field", "function_code")])
        case .noUsesLeft:
            throw APIError(409, code: "no_uses_left", title: "Already used",
                           detail: "Ticket \(code) has no uses of '\(request.functionCode)' left.", extra: [("function_code", .string(request.functionCode))])
        }
    }
}
