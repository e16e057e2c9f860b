import HTTP
import OTALog
import JSON
import OTACrypto
import QRImage
import OTADomain
import OTAStore

/// `POST /api/ota/tickets/{code}/qr`: an expiring encrypted token for an ACTIVE ticket,
/// with its QR image.
enum QRHandlers {
    static let routes: [Route] = [
        Route("POST", "/api/ota/tickets/{code}/qr", "issueTicketQR", .partner(.ticketsWrite), issue),
    ]

    static let notConfigured = APIError(.qrNotConfigured,
                                        "This deployment has no QR key ring (OTA_QR_ACTIVE_KEY_ID, OTA_QR_KEYS); ask the operator.")

    static func issue(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let code = ctx.parameter("code")
        // An unknown format is refused rather than silently answered as JSON (format=png).
        let format = ctx.request.queryValue("format") ?? "json"
        guard format == "json" || format == "svg" else { throw APIError.invalid("format", "must be json or svg") }
        var minutes = 30
        if !ctx.request.body.isEmpty {
            if let m = try ctx.jsonBody().optionalInteger("expiry_minutes") {
                guard (1...1440).contains(m) else { throw APIError.invalid("expiry_minutes", "must be a whole number from 1 to 1440") }
                minutes = m
            }
        }
        guard let keyring = ctx.config.qrKeyring else { throw notConfigured }
        guard let ticket = try TicketStore(try ctx.db).find(ticketCode: code, partnerId: partner.partnerId) else {
            throw TicketHandlers.notFound(code)
        }
        guard ticket.status == .active else {
            throw APIError(.ticketNotActive, "Ticket \(code) is \(ticket.status.rawValue); QR codes are issued for ACTIVE tickets only.",
                           extra: [("ticket_status", .string(ticket.status.rawValue))])
        }
        let now = currentTimestamp().microseconds / 1_000_000
        let claims = QRTokenClaims(ticketCode: code, partnerId: partner.partnerId, issuedAt: now, expiresAt: now + Int64(minutes) * 60,
                                   tokenId: try SecureRandom.bytes(16))
        let token = try QRToken.seal(claims, keyring: keyring)
        let svg = try QRCodeSVG.render(token)
        let expires = Timestamp(seconds: now + Int64(minutes) * 60).description
        Log.event("ota.ticket.qr_issued", [("request_id", .string(ctx.requestId)), ("ticket_code", .string(code)),
                                           ("partner_id", .number(String(partner.partnerId))), ("expiry_minutes", .int(minutes))])
        if format == "svg" {
            var h = HTTPHeaders()
            h.set("Content-Type", "image/svg+xml")
            h.set("X-QR-Token", token)
            h.set("X-QR-Expires-At", expires)
            h.set("Cache-Control", "no-store")
            return HTTPResponse(status: 200, headers: h, body: Array(svg.utf8))
        }
        return jsonResponse(200, .object([
            ("qr_token", .string(token)), ("ticket_code", .string(code)),
            ("issued_at", .string(Timestamp(seconds: now).description)), ("expires_at", .string(expires)),
            ("svg", .string(svg)),
        ]), headers: [("Cache-Control", "no-store")])
    }
}
