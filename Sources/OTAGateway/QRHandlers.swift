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
    static let notConfigured = APIError(503, code: "qr_not_configured", title: "QR codes not configured",
                                        detail: "This deployment has no QR key ring (OTA_QR_ACTIVE_KEY_ID, OTA_QR_KEYS); ask the operator.")

    static func issue(_ ctx: RequestContext) throws(APIError) -> HTTPResponse {
        let partner = try ctx.partner
        let code = ctx.params["code"] ?? ""
        // An unknown format is refused rather than silently answered as JSON (format=png).
        let format = ctx.request.queryValue("format") ?? "json"
        guard format == "json" || format == "svg" else { throw APIError.field(.invalid("format", "must be json or svg")) }
        var minutes = 30
        if !ctx.request.body.isEmpty {
            let body = try ctx.jsonBody()
            do throws(FieldError) {
                if let m = try body.optionalInteger("expiry_minutes") {
                    guard (1...1440).contains(m) else { throw FieldError.invalid("expiry_minutes", "must be a whole number from 1 to 1440") }
                    minutes = m
                }
            } catch {
                throw APIError.field(error)
            }
        }
        guard let keyring = ctx.config.qrKeyring else { throw notConfigured }
        guard let ticket = try ctx.store({ try TicketStore(ctx.db).find(ticketCode: code, partnerId: partner.partnerId) }) else {
            throw TicketHandlers.notFound(code)
        }
        guard ticket.status == .active else {
            throw APIError(409, code: "ticket_not_active", title: "Ticket not active",
                           detail: "Ticket \(code) is \(ticket.status.rawValue); QR codes are issued for ACTIVE tickets only.",
                           extra: [("ticket_status", .string(ticket.status.rawValue))])
        }
        let now = currentTimestamp().microseconds / 1_000_000
        let token: String
        let svg: String
        do {
            let claims = QRTokenClaims(ticketCode: code, partnerId: partner.partnerId, issuedAt: now, expiresAt: now + Int64(minutes) * 60,
                                       tokenId: try SecureRandom.bytes(16))
            token = try QRToken.seal(claims, keyring: keyring)
            svg = try QRCodeSVG.render(token)
        } catch {
            throw ctx.mapError(error)
        }
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
