import HTTP
import JSON
import OTADomain
import OTAStore

/// An error answer, rendered once at the edge as RFC 9457 problem details with a stable
/// `code` partners can switch on, plus any useful fields (e.g. `available`).
public struct APIError: Error, Sendable {
    public var status: Int
    public var code: String
    public var title: String
    public var detail: String
    public var extra: [(String, JSONValue)]
    public var headers: [(String, String)]

    public init(_ status: Int, code: String, title: String, detail: String,
                extra: [(String, JSONValue)] = [], headers: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.extra = extra
        self.headers = headers
    }

    public var json: JSONValue {
        .object([
            ("type", .string("https://ota.example/problems/\(code.replacingUnderscores())")),
            ("title", .string(title)),
            ("status", .int(status)),
            ("detail", .string(detail)),
            ("code", .string(code)),
        ] + extra)
    }

    public func response() -> HTTPResponse {
        var h = HTTPHeaders()
        h.set("Content-Type", "application/problem+json")
        for (k, v) in headers { h.add(k, v) }
        return HTTPResponse(status: status, headers: h, body: json.encoded())
    }

    // MARK: the common ones

    public static func field(_ e: FieldError) -> APIError {
        switch e.kind {
        case .malformed:
            return APIError(400, code: "malformed_request", title: "Malformed request", detail: "\(e.field) \(e.message)",
                            extra: [("field", .string(e.field))])
        case .invalid:
            return APIError(422, code: "invalid_field", title: "Invalid field value", detail: "\(e.field) \(e.message)",
                            extra: [("field", .string(e.field))])
        }
    }

    public static func badJSON(_ detail: String) -> APIError {
        APIError(400, code: "malformed_json", title: "Malformed JSON", detail: detail)
    }

    public static let missingKey = APIError(
        401, code: "missing_api_key", title: "Authentication required",
        detail: "Send your partner API key in the X-API-Key header, e.g. curl -H 'X-API-Key: <your key>' .../api/ota/inventory. Ask the operator for a key if you have none.",
        headers: [("WWW-Authenticate", "ApiKey header=\"X-API-Key\"")])

    public static let unknownKey = APIError(
        401, code: "invalid_api_key", title: "Authentication failed",
        detail: "The X-API-Key is not a valid, live key. Check for typos or whitespace; a revoked or rotated-out key no longer works.",
        headers: [("WWW-Authenticate", "ApiKey header=\"X-API-Key\"")])

    public static let partnerDisabled = APIError(
        403, code: "partner_disabled", title: "Partner disabled", detail: "This partner account is disabled; contact the operator.")

    public static func missingPermission(_ p: Permission) -> APIError {
        APIError(403, code: "permission_denied", title: "Permission denied",
                 detail: "This key's partner lacks the permission '\(p.rawValue)' for this operation.",
                 extra: [("required_permission", .string(p.rawValue))])
    }

    public static func notFound(_ what: String) -> APIError {
        APIError(404, code: "not_found", title: "Not found", detail: what)
    }

    public static let busy = APIError(
        503, code: "inventory_busy", title: "Inventory busy",
        detail: "The inventory row is locked by other requests right now; nothing was changed. Retry shortly.",
        headers: [("Retry-After", "1")])

    public static let databaseUnavailable = APIError(
        503, code: "service_unavailable", title: "Service unavailable",
        detail: "The service cannot reach its database right now; nothing was changed. Retry shortly.",
        headers: [("Retry-After", "2")])

    public static func internalError(requestId: String) -> APIError {
        APIError(500, code: "internal_error", title: "Internal error",
                 detail: "Something went wrong on our side. Quote request id \(requestId) to the operator.")
    }

    /// A store failure as the client sees it; details stay in the log.
    public static func store(_ e: StoreError, requestId: String) -> APIError {
        switch e {
        case .busy: return .busy
        case .unavailable: return .databaseUnavailable
        default: return .internalError(requestId: requestId)
        }
    }
}

extension String {
    func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
