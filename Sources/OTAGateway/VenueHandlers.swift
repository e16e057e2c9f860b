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
    static let routes: [Route] = [
        Route("POST", "/operators/login", "operatorLogin", .none, login),
        Route("GET", "/operators/venues", "listOperatorVenues", .operatorSession, venues),
        Route("POST", "/qr/decrypt", "decryptQR", .operatorSession, decrypt),
        Route("POST", "/venue/scan", "scanTicket", .operatorSession, scan),
    ]

    static let loginPolicy = RateLimitPolicy(name: "login", limit: 30, windowSeconds: 60, burst: 10)

    static func login(_ ctx: RequestContext) throws -> HTTPResponse {
        let body = try ctx.jsonBody()
        let partnerCode = try body.requiredString("partner", maxLength: 64).lowercased()
        let username = try body.requiredString("username", maxLength: 64).lowercased()
        let password = try body.requiredString("password", maxLength: 128)
        let address = ctx.clientAddress
        let token = try BearerToken.issue()
        let outcome = try OperatorStore(try ctx.db).logIn(
            partnerCode: partnerCode, username: username, address: address, addressPolicy: ctx.config.rateLimitsEnabled ? loginPolicy : nil,
            tokenHash: token.hash, ttlSeconds: ctx.config.operatorSessionHours * 3600,
            // A dummy hash when the user does not exist, so timing does not tell.
            verify: { PasswordHash.verify(password, against: $0 ?? PasswordHash.dummy) })
        switch outcome {
        case let .loggedIn(op, expires):
            Log.event("ota.operator.login", [("request_id", .string(ctx.requestId)), ("operator_id", .number(String(op.operatorId)))])
            return jsonResponse(200, .object([
                ("token", .string(token.token)), ("token_type", "Bearer"), ("expires_at", .string(expires.description)),
                ("operator", OperatorHandlers.render(op)),
            ]), headers: [("Cache-Control", "no-store")])
        case let .rateLimited(wait):
            throw APIError(.rateLimited, "Too many logins from this address; retry after \(wait) seconds.",
                           headers: [("Retry-After", String(wait))])
        case let .locked(seconds):
            throw APIError(.loginLocked, "Too many failed logins; try again in \(seconds) seconds.", headers: [("Retry-After", String(seconds))])
        case .refused:
            Log.event("ota.operator.login_failed", [("request_id", .string(ctx.requestId)), ("partner", .string(echo(partnerCode))), ("username", .string(echo(username))),
                                                    ("address", .string(address))], level: "warn")
            throw APIError(.invalidCredentials, "Unknown username or wrong password.")
        }
    }

    static func venues(_ ctx: RequestContext) throws -> HTTPResponse {
        let op = try ctx.venueOperator
        let all = try VenueStore(try ctx.db).list(partnerId: op.partnerId)
        return jsonResponse(200, .object([("venues", .array(all.map { v in
            .object([("venue_id", .string(v.venueId)), ("name", .string(v.name)), ("address", v.address.map(JSONValue.string) ?? .null),
                     ("status", .string(v.isOpen ? "active" : "closed")), ("operator_may_scan", .bool(op.mayScan(at: v.venueId)))])
        }))]))
    }

    /// The ticket code a QR token stands for, checked: tag, expiry, and the operator's partner.
    static func ticketCode(fromToken token: String, op: Operator, ctx: RequestContext) throws -> String {
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
                throw APIError(.qrExpired, "This QR code has expired; ask the customer to show a fresh one.")
            default:
                throw APIError(.invalidQRToken, "This is not a valid QR code of this service.",
                               extra: [("field", "qr_token")])
            }
        }
        // Another partner's ticket is none of this operator's business.
        guard claims.partnerId == op.partnerId else { throw TicketHandlers.notFound(claims.ticketCode) }
        return claims.ticketCode
    }

    static func decrypt(_ ctx: RequestContext) throws -> HTTPResponse {
        let op = try ctx.venueOperator
        let token = try ctx.jsonBody().requiredString("qr_token", maxLength: 1024)
        let code = try ticketCode(fromToken: token, op: op, ctx: ctx)
        guard let ticket = try TicketStore(try ctx.db).find(ticketCode: code, partnerId: op.partnerId) else {
            throw TicketHandlers.notFound(code)
        }
        return jsonResponse(200, .object([("ticket", Render.ticket(ticket))]))
    }

    static func scan(_ ctx: RequestContext) throws -> HTTPResponse {
        let op = try ctx.venueOperator
        let request = try ScanRequest.parse(try ctx.jsonBody())
        let db = try ctx.db
        guard let venue = try VenueStore(db).find(venueId: request.venueId), venue.partnerId == op.partnerId else {
            throw APIError(.venueForbidden, "Venue \(echo(request.venueId)) is not a venue of this operator's partner.")
        }
        guard op.mayScan(at: venue.venueId) else {
            throw APIError(.venueForbidden, "This operator is not assigned to venue \(venue.venueId).")
        }
        guard venue.isOpen else { throw APIError(.venueClosed, "Venue \(venue.venueId) is closed.") }
        let code: String
        switch request.subject {
        case let .qrToken(t): code = try ticketCode(fromToken: t, op: op, ctx: ctx)
        case let .ticketCode(c): code = c
        }
        let outcome = try RedemptionStore(db).redeem(ticketCode: code, partnerId: op.partnerId, functionCode: request.functionCode,
                                                     venueId: venue.venueId, operatorId: op.operatorId, scanId: request.scanId)
        func answer(_ r: Redemption, _ t: Ticket, billed: Bool) -> JSONValue {
            .object([
                ("redemption", Render.redemption(r)),
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
        case .scanIdReused:
            throw APIError(.scanIdReused, "scan_id \(echo(request.scanId ?? "")) was already used for another scan; use a new scan_id for every scan.",
                           extra: [("field", "scan_id")])
        case let .replay(r, t):
            var resp = jsonResponse(200, answer(r, t, billed: false))
            resp.headers.set("Idempotent-Replayed", "true")
            return resp
        case .ticketNotFound:
            throw TicketHandlers.notFound(code)
        case let .ticketNotActive(status):
            throw APIError(.ticketNotActive, "Ticket \(code) is \(status.rawValue); only ACTIVE tickets can be redeemed.",
                           extra: [("ticket_status", .string(status.rawValue))])
        case let .unknownFunction(available):
            throw APIError(.unknownFunction, "Ticket \(code) has no entitlement '\(echo(request.functionCode))'; it has \(available.joined(separator: ", ")).",
                           extra: [("field", "function_code")])
        case .noUsesLeft:
            throw APIError(.noUsesLeft, "Ticket \(code) has no uses of '\(request.functionCode)' left.", extra: [("function_code", .string(request.functionCode))])
        }
    }
}
