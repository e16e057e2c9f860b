import Glibc
import OTALog
import HTTP
import JSON
import OTADomain
import OTAStore
import Postgres

/// What a handler gets: the request, who made it, and the worker's database connection.
struct RequestContext {
    let request: HTTPRequest
    let requestId: String
    let params: [String: String]
    let principal: PartnerPrincipal?
    let operatorPrincipal: Operator?
    let db: PostgresConnection
    let config: GatewayConfiguration
    /// The worker thread serving the request (its metrics shard).
    let worker: Int

    /// The operator of a venue-app route (the pipeline guarantees one).
    var venueOperator: Operator {
        get throws(APIError) {
            guard let o = operatorPrincipal else {
                throw APIError(401, code: "missing_operator_token", title: "Operator login required", detail: "Log in with POST /operators/login.")
            }
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
            throw APIError.field(.invalid(member, "must not contain the NUL character (\\u0000)"))
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
    /// Runs `body` in a transaction (a savepoint when one is open already, e.g. under an
    /// Idempotency-Key), mapping every failure to the answer the client gets.
    func inTransaction<T>(_ body: () throws -> T) throws(APIError) -> T {
        do {
            return try db.transaction { () throws -> T in try body() }
        } catch {
            throw mapError(error)
        }
    }

    /// Runs a store call outside a transaction, mapping its failure.
    func store<T>(_ body: () throws -> T) throws(APIError) -> T {
        do {
            return try body()
        } catch {
            throw mapError(error)
        }
    }

    func mapError(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as FieldError: return .field(e)
        case let e as StoreError:
            if case .busy = e {} else {
                Log.event("store.error", [("request_id", .string(requestId)), ("error", .string(e.description))], level: "error")
            }
            return .store(e, requestId: requestId)
        case let e as PostgresError:
            let s = StoreError(e)
            if case .busy = s {} else {
                Log.event("store.error", [("request_id", .string(requestId)), ("error", .string(e.description))], level: "error")
            }
            return .store(s, requestId: requestId)
        default:
            Log.event("request.error", [("request_id", .string(requestId)), ("error", .string(String(describing: error)))], level: "error")
            return .internalError(requestId: requestId)
        }
    }

    /// `limit` and `cursor` from the query string.
    func page() throws(APIError) -> PageRequest {
        do {
            return try PageRequest.parse(limit: request.queryValue("limit"), cursor: request.queryValue("cursor"))
        } catch {
            throw APIError.field(error)
        }
    }
}
