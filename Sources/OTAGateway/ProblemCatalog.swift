import HTTP

/// Every kind of problem the API answers with, once: its stable `code`, HTTP status,
/// title and what it means. The `type` member of a problem is `/problems/<code>` (with
/// hyphens), a relative URI a partner resolves against the gateway: GET /problems/{type}
/// serves the meaning below, so the catalog is the documentation.
public struct ProblemType: Sendable, Equatable {
    public let code: String
    public let status: Int
    public let title: String
    public let meaning: String

    init(_ code: String, _ status: Int, _ title: String, _ meaning: String) {
        self.code = code
        self.status = status
        self.title = title
        self.meaning = meaning
    }

    public var slug: String { String(code.map { $0 == "_" ? "-" : $0 }) }
    public var typeURI: String { "/problems/\(slug)" }
}

extension ProblemType {
    // Requests the API cannot read.
    static let malformedJSON = ProblemType("malformed_json", 400, "Malformed JSON",
        "The body is not one valid JSON object (or repeats a member). Nothing was changed.")
    static let malformedRequest = ProblemType("malformed_request", 400, "Malformed request",
        "A member or query parameter has the wrong type or shape; `field` names it. Nothing was changed.")
    static let invalidField = ProblemType("invalid_field", 422, "Invalid field value",
        "A well-formed value is not acceptable (out of range, unknown, in the past); `field` names it. Nothing was changed.")
    static let invalidIdempotencyKey = ProblemType("invalid_idempotency_key", 400, "Invalid Idempotency-Key",
        "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces; a UUID is ideal.")
    static let duplicateHeader = ProblemType("duplicate_header", 400, "Header sent twice",
        "A header that must appear once (X-API-Key, Idempotency-Key, Authorization) was sent more than once.")
    static let notFound = ProblemType("not_found", 404, "Not found",
        "No such route, or no such resource for this partner (another partner's resources are never shown).")
    static let methodNotAllowed = ProblemType("method_not_allowed", 405, "Method not allowed",
        "The path exists but not for this method; the Allow header lists the methods it takes.")

    // Who is asking.
    static let missingAPIKey = ProblemType("missing_api_key", 401, "Authentication required",
        "Send the partner API key in the X-API-Key header.")
    static let invalidAPIKey = ProblemType("invalid_api_key", 401, "Authentication failed",
        "The X-API-Key is not a live key: mistyped, revoked or rotated out.")
    static let partnerDisabled = ProblemType("partner_disabled", 403, "Partner disabled",
        "The partner account is disabled; every key of it is refused. Contact the operator.")
    static let permissionDenied = ProblemType("permission_denied", 403, "Permission denied",
        "The partner lacks the permission the operation needs; `required_permission` names it.")
    static let rateLimited = ProblemType("rate_limited", 429, "Too many requests",
        "Past the rate limit (per partner, or per address for logins). Retry after Retry-After seconds; nothing was changed.")
    static let missingOperatorToken = ProblemType("missing_operator_token", 401, "Operator login required",
        "Log in with POST /operators/login and send the token as `Authorization: Bearer <token>`.")
    static let invalidOperatorToken = ProblemType("invalid_operator_token", 401, "Operator session not valid",
        "The bearer token is unknown, expired or revoked, or the operator is disabled; log in again.")
    static let scrapeTokenRequired = ProblemType("scrape_token_required", 401, "Metrics token required",
        "This deployment protects /metrics: send `Authorization: Bearer <OTA_METRICS_TOKEN>`.")
    static let invalidCredentials = ProblemType("invalid_credentials", 401, "Login failed",
        "Unknown partner or username, or wrong password (a disabled operator is answered the same).")
    static let loginLocked = ProblemType("login_locked", 429, "Login locked",
        "Too many failed logins for this username or address; retry after Retry-After seconds.")

    static let consoleLoginRequired = ProblemType("console_login_required", 401, "Console login required",
        "Log in at /console/login with a console account (ota-admin console-user create); the API under /api/admin takes the same session cookie.")
    static let consoleForPartners = ProblemType("console_for_staff_only", 403, "Console for the operator's staff",
        "The console and /api/admin are for console accounts: a request carrying a partner API key is refused.")
    static let crossSiteRequest = ProblemType("cross_site_request", 403, "Cross-site request refused",
        "A POST to the console must come from the console's own pages (Origin / Sec-Fetch-Site say otherwise).")

    // Idempotency.
    static let idempotencyKeyInUse = ProblemType("idempotency_key_in_use", 409, "Request in progress",
        "A request with this Idempotency-Key is still running; retry shortly to get its result.")
    static let idempotencyKeyReused = ProblemType("idempotency_key_reused", 422, "Idempotency-Key reused",
        "This Idempotency-Key was used with a different request; use a new key for a new request.")

    // Inventory and holds.
    static let unknownProduct = ProblemType("unknown_product", 422, "Unknown product",
        "The product id is not a product with an OTA allocation.")
    static let insufficientInventory = ProblemType("insufficient_inventory", 409, "Insufficient inventory",
        "Fewer units are available than requested; `available` says how many are.")
    static let allotmentExhausted = ProblemType("allotment_exhausted", 409, "Partner allotment exhausted",
        "The partner's own allotment of the product has fewer units left than requested; `available` says how many.")
    static let quantityAboveHoldLimit = ProblemType("quantity_above_hold_limit", 422, "Quantity above the per-reservation maximum",
        "The quantity is available but above the partner's maximum units per reservation; split it.")
    static let inventoryBusy = ProblemType("inventory_busy", 503, "Inventory busy",
        "The inventory row stayed locked by other requests past the lock timeout; nothing was changed. Retry after Retry-After.")

    // Reservations.
    static let reservationExpired = ProblemType("reservation_expired", 409, "Reservation expired",
        "The hold's expiry has passed; it can no longer be activated or cancelled. Place a new hold.")
    static let reservationCancelled = ProblemType("reservation_cancelled", 409, "Reservation cancelled",
        "The hold was cancelled; it can no longer be activated or cancelled.")
    static let reservationActivated = ProblemType("reservation_activated", 409, "Reservation already activated",
        "The hold was already turned into an order.")

    // Batches and tickets.
    static let batchIdTaken = ProblemType("batch_id_taken", 409, "batch_id already used",
        "The batch_id was used for a different request; choose another.")
    static let illegalTicketTransition = ProblemType("illegal_ticket_transition", 409, "Ticket state does not allow this",
        "The ticket's status does not allow the change (PRE_GENERATED -> ACTIVE -> USED; CANCELLED while unredeemed).")
    static let ticketRedeemed = ProblemType("ticket_redeemed", 409, "Ticket already redeemed",
        "The ticket has at least one redemption, so it can no longer be cancelled and its unit stays sold.")
    static let ticketNotActive = ProblemType("ticket_not_active", 409, "Ticket not active",
        "Only an ACTIVE ticket gets a QR code or can be redeemed; `ticket_status` says what it is.")
    static let qrNotConfigured = ProblemType("qr_not_configured", 503, "QR codes not configured",
        "This deployment has no QR key ring (OTA_QR_ACTIVE_KEY_ID, OTA_QR_KEYS); ask the operator.")

    // Operators and venues.
    static let usernameTaken = ProblemType("username_taken", 409, "Username taken",
        "The partner already has an operator with this username.")
    static let invalidQRToken = ProblemType("invalid_qr_token", 422, "Invalid QR code",
        "The QR token is not a valid token of this service (altered, truncated or of a removed key).")
    static let qrExpired = ProblemType("qr_expired", 410, "QR code expired",
        "The QR token's expiry has passed; the customer must show a fresh one.")
    static let venueForbidden = ProblemType("venue_forbidden", 403, "Venue not allowed",
        "The venue is not one of the operator's partner, or the operator is not assigned to it.")
    static let venueClosed = ProblemType("venue_closed", 409, "Venue closed", "The venue is closed for scanning.")
    static let unknownFunction = ProblemType("unknown_function", 422, "Unknown function",
        "The ticket has no entitlement with this function_code.")
    static let noUsesLeft = ProblemType("no_uses_left", 409, "Already used", "The entitlement has no uses left.")
    static let scanIdReused = ProblemType("scan_id_reused", 409, "scan_id already used",
        "The scan_id was used for a different scan (another ticket, venue or function); a scanning app must use a new one.")

    // Webhooks.
    static let webhookURLNotAllowed = ProblemType("webhook_url_not_allowed", 422, "Webhook URL not allowed",
        "Webhook URLs must be https and reach a public address: not loopback, private, link-local, carrier-grade NAT, metadata or other internal addresses (unless the operator allow-lists the host). `field` names the member.")
    static let webhooksNotConfigured = ProblemType("webhooks_not_configured", 503, "Webhooks not configured",
        "This deployment has no OTA_WEBHOOK_SECRET_KEY to seal signing secrets with; ask the operator.")
    static let webhookEndpointDisabled = ProblemType("webhook_endpoint_disabled", 409, "Webhook endpoint disabled",
        "The endpoint is disabled (`disabled_reason` says why); re-enable it with PATCH {\"status\": \"enabled\"} first.")
    static let webhookDeliveryInFlight = ProblemType("webhook_delivery_in_flight", 409, "Delivery in progress",
        "A worker is sending this delivery right now; look at its attempts, or retry once it has finished.")

    // Our side.
    static let internalError = ProblemType("internal_error", 500, "Internal error",
        "Something went wrong on our side; quote the request id (X-Request-ID) to the operator.")
    static let serviceUnavailable = ProblemType("service_unavailable", 503, "Service unavailable",
        "The service cannot reach its database right now; nothing was changed. Retry after Retry-After.")

    /// Answers of the HTTP layer itself, before any route (`http_<status>`).
    static let protocolErrors: [ProblemType] = [
        ProblemType("http_400", 400, "Bad Request", "The request is not valid HTTP/1.1 (framing, headers, Host)."),
        ProblemType("http_408", 408, "Request Timeout", "The request was not read completely in time."),
        ProblemType("http_413", 413, "Content Too Large", "The body is larger than the gateway accepts (1 MiB)."),
        ProblemType("http_414", 414, "URI Too Long", "The request target is longer than the gateway accepts."),
        ProblemType("http_431", 431, "Request Header Fields Too Large", "The request head is larger than the gateway accepts (16 KiB)."),
        ProblemType("http_501", 501, "Not Implemented", "The transfer coding or method is not supported."),
        ProblemType("http_503", 503, "Service Unavailable", "The gateway is saturated or shutting down; retry after Retry-After."),
        ProblemType("http_505", 505, "HTTP Version Not Supported", "Only HTTP/1.0 and HTTP/1.1 are spoken."),
    ]

    static func protocolError(_ status: Int) -> ProblemType {
        protocolErrors.first { $0.status == status }
            ?? ProblemType("http_\(status)", status, HTTPStatus.reasonPhrase(status), "An error of the HTTP layer.")
    }

    /// The whole catalog, for GET /problems/{type} and the contract tests.
    static let all: [ProblemType] = [
        malformedJSON, malformedRequest, invalidField, invalidIdempotencyKey, duplicateHeader, notFound, methodNotAllowed,
        missingAPIKey, invalidAPIKey, partnerDisabled, permissionDenied, rateLimited, missingOperatorToken,
        invalidOperatorToken, scrapeTokenRequired, invalidCredentials, loginLocked, consoleLoginRequired, consoleForPartners,
        crossSiteRequest, idempotencyKeyInUse, idempotencyKeyReused, unknownProduct,
        insufficientInventory, allotmentExhausted, quantityAboveHoldLimit, inventoryBusy, reservationExpired,
        reservationCancelled, reservationActivated, batchIdTaken, illegalTicketTransition, ticketRedeemed, ticketNotActive,
        qrNotConfigured, usernameTaken, invalidQRToken, qrExpired, venueForbidden, venueClosed, unknownFunction, noUsesLeft,
        scanIdReused, webhookURLNotAllowed, webhooksNotConfigured, webhookEndpointDisabled, webhookDeliveryInFlight,
        internalError, serviceUnavailable,
    ] + protocolErrors

    static func find(slug: String) -> ProblemType? { all.first { $0.slug == slug } }
}
