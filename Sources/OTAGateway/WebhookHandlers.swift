import HTTP
import JSON
import OTACrypto
import OTADomain
import OTALog
import OTARepresentation
import OTAStore
import Posix

/// A partner's webhook endpoints and their deliveries (permission `webhooks`). Events
/// are written by the store commands themselves; the worker delivers them.
enum WebhookHandlers {
    static let routes: [Route] = [
        Route("POST", "/api/ota/webhooks", "createWebhook", .partner(.webhooks), idempotent: true, create),
        Route("GET", "/api/ota/webhooks", "listWebhooks", .partner(.webhooks), list),
        Route("GET", "/api/ota/webhooks/{id}", "getWebhook", .partner(.webhooks), show),
        Route("PATCH", "/api/ota/webhooks/{id}", "updateWebhook", .partner(.webhooks), idempotent: true, update),
        Route("DELETE", "/api/ota/webhooks/{id}", "deleteWebhook", .partner(.webhooks), idempotent: true, delete),
        Route("POST", "/api/ota/webhooks/{id}/rotate-secret", "rotateWebhookSecret", .partner(.webhooks), idempotent: true, rotate),
        Route("POST", "/api/ota/webhooks/{id}/test", "testWebhook", .partner(.webhooks), idempotent: true, test),
        Route("GET", "/api/ota/webhooks/{id}/deliveries", "listWebhookDeliveries", .partner(.webhooks), deliveries),
        Route("POST", "/api/ota/webhooks/{id}/deliveries/{delivery_id}/retry", "retryWebhookDelivery", .partner(.webhooks),
              idempotent: true, retry),
    ]

    static let defaultOverlapHours = 24
    static let maxOverlapHours = 168

    static func create(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let box = try secretBox(ctx)
        let body = try ctx.jsonBody()
        let url = try checkedURL(try body.requiredString("url", maxLength: WebhookURL.maxLength), ctx)
        guard let names = try body.optionalArray("events") else { throw APIError.invalid("events", "is required") }
        let events = try WebhookEndpointInput.events(try strings(names, "events"))
        let description = try body.optionalString("description", maxLength: WebhookEndpointInput.maxDescriptionLength)
        let endpointId = try SecureRandom.identifier(prefix: "we_")
        let (text, sealed) = try newSecret(box, endpointId: endpointId)
        ctx.worker.changedCatalog = true  // the subscriptions the holds read (HotPaths)
        let endpoint = try WebhookStore(try ctx.db).create(endpointId: endpointId, partnerId: partner.partnerId, url: url,
                                                           description: description?.isEmpty == true ? nil : description,
                                                           events: events, secret: sealed)
        Log.event("ota.webhook.created", [("request_id", .string(ctx.requestId)), ("endpoint_id", .string(endpointId)),
                                          ("partner_id", .number(String(partner.partnerId)))])
        return jsonResponse(201, Representation.webhookEndpoint(endpoint, secret: text),
                            headers: [("Location", "/api/ota/webhooks/\(endpointId)"), ("Cache-Control", "no-store")])
    }

    static func list(_ ctx: RequestContext) throws -> HTTPResponse {
        let page = try ctx.page()
        let result = try WebhookStore(try ctx.db).list(partnerId: try ctx.partner.partnerId, page: page)
        let next = result.more ? result.items.last.map { PageCursor(createdAt: $0.createdAt, id: $0.endpointId).token } : nil
        return jsonResponse(200, Representation.page("webhooks", result.items.map { Representation.webhookEndpoint($0) }, next: next))
    }

    static func show(_ ctx: RequestContext) throws -> HTTPResponse {
        jsonResponse(200, Representation.webhookEndpoint(try endpoint(ctx)))
    }

    static func update(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let id = ctx.parameter("id")
        let body = try ctx.jsonBody()
        var input = WebhookEndpointInput()
        if let url = try body.optionalString("url", maxLength: WebhookURL.maxLength) { input.url = try checkedURL(url, ctx) }
        if let names = try body.optionalArray("events") { input.events = try WebhookEndpointInput.events(try strings(names, "events")) }
        if let text = try body.optionalString("description", maxLength: WebhookEndpointInput.maxDescriptionLength) {
            input.description = .some(text.isEmpty ? nil : text)
        }
        switch try body.optionalString("status", maxLength: 16) {
        case nil: break
        case "enabled"?: input.enabled = true
        case "disabled"?: input.enabled = false
        case _?: throw APIError.invalid("status", "must be enabled or disabled")
        }
        ctx.worker.changedCatalog = true
        guard let endpoint = try WebhookStore(try ctx.db).update(endpointId: id, partnerId: partner.partnerId, input: input,
                                                                disabledReason: "disabled by the partner") else {
            throw notFound(id)
        }
        return jsonResponse(200, Representation.webhookEndpoint(endpoint))
    }

    static func delete(_ ctx: RequestContext) throws -> HTTPResponse {
        let id = ctx.parameter("id")
        ctx.worker.changedCatalog = true
        guard try WebhookStore(try ctx.db).delete(endpointId: id, partnerId: try ctx.partner.partnerId) else { throw notFound(id) }
        return HTTPResponse(status: 204)
    }

    /// A new secret, shown once; the old one keeps signing beside it for the overlap
    /// (`overlap_hours`, default 24, 0 to stop it at once).
    static func rotate(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let box = try secretBox(ctx)
        let id = ctx.parameter("id")
        var overlap = defaultOverlapHours
        if !ctx.request.body.isEmpty, let hours = try ctx.jsonBody().optionalInteger("overlap_hours") {
            guard (0...maxOverlapHours).contains(hours) else { throw APIError.invalid("overlap_hours", "must be 0 to \(maxOverlapHours)") }
            overlap = hours
        }
        let (text, sealed) = try newSecret(box, endpointId: id)
        guard let endpoint = try WebhookStore(try ctx.db).rotate(endpointId: id, partnerId: partner.partnerId, secret: sealed,
                                                                overlapSeconds: overlap * 3600) else { throw notFound(id) }
        Log.event("ota.webhook.secret_rotated", [("request_id", .string(ctx.requestId)), ("endpoint_id", .string(id)),
                                                 ("partner_id", .number(String(partner.partnerId))), ("overlap_hours", .int(overlap))])
        return jsonResponse(200, Representation.webhookEndpoint(endpoint, secret: text), headers: [("Cache-Control", "no-store")])
    }

    /// Queues a webhook.test event for this endpoint alone, due now.
    static func test(_ ctx: RequestContext) throws -> HTTPResponse {
        let partner = try ctx.partner
        let e = try endpoint(ctx)
        guard e.isEnabled else { throw disabled(e) }
        let db = try ctx.db
        let data: JSONValue = .object([("endpoint_id", .string(e.endpointId)), ("message", "A test event, sent on request.")])
        guard let deliveryId = try WebhookStore(db).enqueueTest(endpointId: e.endpointId, partnerId: partner.partnerId, data: data),
              let delivery = try WebhookDeliveryStore(db).delivery(deliveryId: deliveryId, endpointId: e.endpointId,
                                                                   partnerId: partner.partnerId) else { throw notFound(e.endpointId) }
        return jsonResponse(202, Representation.webhookDelivery(delivery))
    }

    static func deliveries(_ ctx: RequestContext) throws -> HTTPResponse {
        let e = try endpoint(ctx)
        let status = try ctx.enumQuery("status", WebhookDeliveryStatus.self)
        let page = try ctx.page()
        let result = try WebhookDeliveryStore(try ctx.db).deliveries(endpointId: e.endpointId, partnerId: e.partnerId, status: status,
                                                                     page: page)
        let next = result.more ? result.items.last.map { PageCursor(createdAt: $0.createdAt, id: $0.deliveryId).token } : nil
        return jsonResponse(200, Representation.page("deliveries", result.items.map(Representation.webhookDelivery), next: next))
    }

    static func retry(_ ctx: RequestContext) throws -> HTTPResponse {
        let e = try endpoint(ctx)
        let deliveryId = ctx.parameter("delivery_id")
        switch try WebhookDeliveryStore(try ctx.db).retry(deliveryId: deliveryId, endpointId: e.endpointId, partnerId: e.partnerId) {
        case let .scheduled(d):
            return jsonResponse(202, Representation.webhookDelivery(d))
        case .notFound:
            throw APIError.notFound("No delivery \(echo(deliveryId)) of webhook \(e.endpointId).")
        case .inFlight:
            throw APIError(.webhookDeliveryInFlight, "Delivery \(deliveryId) is being sent right now; retry once its attempt has finished.")
        }
    }

    // MARK: - Helpers

    static func endpoint(_ ctx: RequestContext) throws -> WebhookEndpoint {
        let id = ctx.parameter("id")
        guard let e = try WebhookStore(try ctx.db).find(endpointId: id, partnerId: try ctx.partner.partnerId) else { throw notFound(id) }
        return e
    }

    static func notFound(_ id: String) -> APIError { APIError.notFound("No webhook \(echo(id)) for this partner.") }

    static func disabled(_ e: WebhookEndpoint) -> APIError {
        APIError(.webhookEndpointDisabled, "Webhook \(e.endpointId) is disabled: \(e.disabledReason ?? "no reason recorded").",
                 extra: [("disabled_reason", e.disabledReason.map(JSONValue.string) ?? .null)])
    }

    static func secretBox(_ ctx: RequestContext) throws(APIError) -> SecretKeyring {
        guard let box = ctx.config.webhookSecrets else {
            throw APIError(.webhooksNotConfigured, "Webhooks are not configured on this deployment (OTA_WEBHOOK_SECRET_KEY); ask the operator.",
                           headers: [("Retry-After", "3600")])
        }
        return box
    }

    static func newSecret(_ box: SecretKeyring, endpointId: String) throws -> (String, WebhookStore.SealedSecret) {
        var secret = try StandardWebhooks.newSecret()
        defer { secret.bytes = [] }
        return (secret.text, WebhookStore.SealedSecret(sealed: try box.seal(secret.bytes, associatedData: Array(endpointId.utf8)),
                                                       keyId: box.activeKeyId))
    }

    static func strings(_ items: [JSONValue], _ field: String) throws(APIError) -> [String] {
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case let .string(s) = item else { throw APIError.field(.malformed("\(field)[\(i)]", "must be a string, got \(item.typeName)")) }
            out.append(s)
        }
        return out
    }

    /// The URL's shape and https, then every address its host resolves to now. A name that
    /// does not resolve yet is accepted: every attempt resolves and checks again.
    static func checkedURL(_ text: String, _ ctx: RequestContext) throws(APIError) -> String {
        let policy = ctx.config.webhookTargets
        let url: WebhookURL
        switch policy.check(text) {
        case let .success(u): url = u
        case let .failure(.malformed(why)): throw APIError.invalid("url", why)
        case let .failure(error): throw refused(error)
        }
        guard !policy.isAllowListed(url), let addresses = try? AddressResolver.resolve(url.host) else { return text }
        if let error = policy.check(url, addresses: addresses.map { ($0.bytes, $0.text) }) { throw refused(error) }
        return text
    }

    static func refused(_ error: WebhookURLError) -> APIError {
        APIError(.webhookURLNotAllowed, "url \(error.description).", extra: [("field", "url")])
    }
}
