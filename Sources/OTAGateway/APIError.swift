public import HTTP
public import JSON
public import OTADomain
public import OTAStore

/// An error answer, rendered once at the edge as RFC 9457 problem details: the catalog's
/// type, code and title (ProblemCatalog.swift), a detail for this occurrence, and any
/// useful fields (e.g. `available`).
public struct APIError: Error, Sendable {
    public var type: ProblemType
    public var detail: String
    public var extra: [(String, JSONValue)]
    public var headers: [(String, String)]

    init(_ type: ProblemType, _ detail: String, extra: [(String, JSONValue)] = [], headers: [(String, String)] = []) {
        self.type = type
        self.detail = detail
        self.extra = extra
        self.headers = headers
    }

    public var status: Int { type.status }
    public var code: String { type.code }

    public var json: JSONValue {
        .object([
            ("type", .string(type.typeURI)), ("title", .string(type.title)), ("status", .int(type.status)),
            ("detail", .string(detail)), ("code", .string(type.code)),
        ] + extra)
    }

    public func response() -> HTTPResponse {
        var h = HTTPHeaders()
        h.set("Content-Type", "application/problem+json")
        for (k, v) in headers { h.add(k, v) }
        return HTTPResponse(status: type.status, headers: h, body: json.encoded())
    }

    // MARK: the common ones

    static func field(_ e: FieldError) -> APIError {
        switch e.kind {
        case .malformed: return APIError(.malformedRequest, "\(e.field) \(e.message)", extra: [("field", .string(e.field))])
        case .invalid: return APIError(.invalidField, "\(e.field) \(e.message)", extra: [("field", .string(e.field))])
        }
    }

    static func invalid(_ field: String, _ message: String) -> APIError { .field(.invalid(field, message)) }

    static func badJSON(_ detail: String) -> APIError { APIError(.malformedJSON, detail) }

    static let missingKey = APIError(
        .missingAPIKey,
        "Send your partner API key in the X-API-Key header, e.g. curl -H 'X-API-Key: <your key>' .../api/ota/inventory. Ask the operator for a key if you have none.",
        headers: [("WWW-Authenticate", "ApiKey header=\"X-API-Key\"")])

    static let unknownKey = APIError(
        .invalidAPIKey,
        "The X-API-Key is not a valid, live key. Check for typos or whitespace; a revoked or rotated-out key no longer works.",
        headers: [("WWW-Authenticate", "ApiKey header=\"X-API-Key\"")])

    static let partnerDisabled = APIError(.partnerDisabled, "This partner account is disabled; contact the operator.")

    static func missingPermission(_ p: Permission) -> APIError {
        APIError(.permissionDenied, "This key's partner lacks the permission '\(p.rawValue)' for this operation.",
                 extra: [("required_permission", .string(p.rawValue))])
    }

    static func notFound(_ what: String) -> APIError { APIError(.notFound, what) }

    static let busy = APIError(
        .inventoryBusy, "The inventory row is locked by other requests right now; nothing was changed. Retry shortly.",
        headers: [("Retry-After", "1")])

    static let databaseUnavailable = APIError(
        .serviceUnavailable, "The service cannot reach its database right now; nothing was changed. Retry shortly.",
        headers: [("Retry-After", "2")])

    static func internalError(requestId: String) -> APIError {
        APIError(.internalError, "Something went wrong on our side. Quote request id \(requestId) to the operator.")
    }
}

/// Request-derived text inside a detail: at most `limit` characters, so a hostile client
/// cannot make an answer (or a log line) as large as its request.
func echo(_ text: some StringProtocol, limit: Int = 64) -> String { HTTPRequest.excerpt(text, limit: limit) }
