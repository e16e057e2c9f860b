import Glibc
import OTALog
import HTTP
import JSON
import OTADomain
import OTAStore
import Postgres
import Foundation

/// What a handler gets: the request, its route, who made it, and the worker's database
/// connection (opened on first use, on the worker's own thread).
struct RequestContext {
    let request: HTTPRequest
    let requestId: String
    let params: [String: String]
    let route: Route
    /// The partner of a partner route (set by the pipeline before the handler runs).
    var principal: PartnerPrincipal?
    /// The operator of a venue-app route (set by the pipeline before the handler runs).
    var operatorPrincipal: Operator?
    /// The console account of a console route (set by the pipeline before the handler runs).
    var consoleUser: ConsoleUser?
    let worker: GatewayHandler

    var config: GatewayConfiguration { worker.config }
    var workerIndex: Int { worker.workerIndex }

    /// The worker's connection; 503 while the database is away.
    var db: PostgresConnection {
        get throws(APIError) { try worker.database() }
    }

    /// A path parameter of the route ("" if absent, which a route pattern rules out).
    func parameter(_ name: String) -> String { params[name] ?? "" }

    /// The operator of a venue-app route (the pipeline guarantees one).
    var venueOperator: Operator {
        get throws(APIError) {
            guard let o = operatorPrincipal else { throw APIError(.missingOperatorToken, "Log in with POST /operators/login.") }
            return o
        }
    }

    /// The partner of an authenticated route (the pipeline guarantees one).
    var partner: PartnerPrincipal {
        get throws(APIError) {
            guard let p = principal else { throw APIError.missingKey }
            return p
        }
    }

    /// The client's address: the connection's peer, or, behind a trusted proxy, the last
    /// address that proxy appended to X-Forwarded-For.
    var clientAddress: String {
        let peer = request.remoteAddress
        guard config.trustedProxies.contains(peer), let xff = request.headers["X-Forwarded-For"],
              let last = xff.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty, last.count <= 64 else {
            return peer
        }
        return last
    }

    /// The body as a JSON object, whatever the Content-Type says (curl -d sends a form type).
    func jsonBody() throws(APIError) -> JSONObjectReader {
        guard !request.body.isEmpty else { throw APIError.badJSON("The request body must be a JSON object.") }
        let value: JSONValue
        do {
            value = try JSONValue.parse(request.body)
        } catch {
            throw APIError.badJSON("The request body is not valid JSON: \(error.description).")
        }
        // PostgreSQL text and jsonb cannot hold U+0000: refuse it here, naming the member,
        // rather than fail in the database with a 500.
        if let member = Self.memberHoldingNUL(value) {
            throw APIError.invalid(member, "must not contain the NUL character (\\u0000)")
        }
        do {
            return try JSONObjectReader(value)
        } catch {
            throw APIError.field(error)
        }
    }
}

extension RequestContext {
    /// The first member (e.g. "units[2].customer_type") whose name or string value holds NUL.
    static func memberHoldingNUL(_ value: JSONValue, path: String = "") -> String? {
        switch value {
        case let .string(s):
            return s.utf8.contains(0) ? (path.isEmpty ? "body" : path) : nil
        case let .array(items):
            for (i, item) in items.enumerated() {
                if let found = memberHoldingNUL(item, path: "\(path)[\(i)]") { return found }
            }
        case let .object(members):
            for (name, member) in members {
                let here = path.isEmpty ? name : "\(path).\(name)"
                if name.utf8.contains(0) { return here }
                if let found = memberHoldingNUL(member, path: here) { return found }
            }
        case .null, .bool, .number:
            break
        }
        return nil
    }
}

/// The time now, as the domain counts it.
func currentTimestamp() -> Timestamp {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Timestamp(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec / 1000))
}

func jsonResponse(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> HTTPResponse {
    var h = HTTPHeaders()
    h.set("Content-Type", "application/json")
    for (k, v) in headers { h.add(k, v) }
    return HTTPResponse(status: status, headers: h, body: value.encoded())
}

extension RequestContext {
    /// `limit` and `cursor` from the query string.
    func page() throws(APIError) -> PageRequest {
        do {
            return try PageRequest.parse(limit: request.queryValue("limit"), cursor: request.queryValue("cursor"))
        } catch {
            throw APIError.field(error)
        }
    }
}

extension RequestContext {
    /// An optional query parameter that must be one of an enumeration's values.
    func enumQuery<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws(APIError) -> E?
    where E.RawValue == String {
        guard let raw = request.queryValue(name) else { return nil }
        guard let value = E(rawValue: raw) else {
            throw APIError.invalid(name, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// An RFC 3339 instant, or a date (`endOfDay`: the end of it, else its start).
    func instantQuery(_ name: String, endOfDay: Bool) throws(APIError) -> Timestamp? {
        guard let raw = request.queryValue(name) else { return nil }
        guard let t = Timestamp(dateOrInstant: raw, endOfDay: endOfDay) else {
            throw APIError.invalid(name, "must be a date YYYY-MM-DD or an RFC 3339 date-time")
        }
        return t
    }
}
