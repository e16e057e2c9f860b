import Foundation
import HTTP
import OTACrypto
import OTADomain
import OTAStore
import Postgres
import JSON

/// API key lookups of one worker, cached for `authCacheSeconds` (0: not cached) and only
/// while they belong to the current AuthGeneration: any change of keys, partners or
/// permissions announced by the database empties the cache of every worker.
struct AuthCache {
    var entries: [[UInt8]: (principal: PartnerPrincipal?, until: UInt64)] = [:]
    var generation: UInt64?

    mutating func lookup(_ hash: [UInt8], now: UInt64, generation current: UInt64?) -> PartnerPrincipal?? {
        if current != generation {
            entries.removeAll(keepingCapacity: true)
            generation = current
        }
        guard current != nil, let e = entries[hash], e.until > now else { return nil }
        return .some(e.principal)
    }

    mutating func store(_ hash: [UInt8], _ principal: PartnerPrincipal?, now: UInt64, seconds: Int) {
        guard seconds > 0, generation != nil else { return }
        if entries.count > 10_000 { entries.removeAll(keepingCapacity: true) }
        entries[hash] = (principal, now + UInt64(seconds) * 1_000_000_000)
    }
}

/// The authentication and rate-limit steps of the pipeline.
extension GatewayHandler {
    /// The one value of a header that must appear at most once; two are refused (400),
    /// never "the first wins".
    static func single(_ name: String, of request: HTTPRequest) throws(APIError) -> String? {
        let values = request.headers.values(name)
        guard values.count <= 1 else {
            throw APIError(.duplicateHeader, "Send \(name) once; this request carries it \(values.count) times.",
                           extra: [("header", .string(name))])
        }
        return values.first
    }

    /// The partner behind X-API-Key. Database failures propagate (503), never a 401.
    func authenticatePartner(_ request: HTTPRequest, db: PostgresConnection) throws -> PartnerPrincipal {
        guard let key = try Self.single("X-API-Key", of: request), !key.isEmpty else { throw APIError.missingKey }
        guard APIKey.isPlausible(key) else { throw APIError.unknownKey }
        let hash = APIKey.hash(key)
        let now = DispatchTime.now().uptimeNanoseconds
        if let cached = authCache.lookup(hash, now: now, generation: authGeneration?.current) {
            guard let p = cached else { throw APIError.unknownKey }
            return p
        }
        let found = try PartnerStore(db).authenticate(keyHash: hash)
        authCache.store(hash, found, now: now, seconds: config.authCacheSeconds)
        guard let p = found else { throw APIError.unknownKey }
        return p
    }

    /// The operator behind `Authorization: Bearer <token>`: a live session of an active
    /// operator of an active partner. Database failures propagate (503), never a 401.
    func authenticateOperator(_ request: HTTPRequest, db: PostgresConnection) throws -> Operator {
        guard let auth = try Self.single("Authorization", of: request), auth.lowercased().hasPrefix("bearer "),
              case let token = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            throw APIError(.missingOperatorToken,
                           "Log in with POST /operators/login and send the token as 'Authorization: Bearer <token>'.",
                           headers: [("WWW-Authenticate", "Bearer")])
        }
        let invalid = APIError(.invalidOperatorToken,
                               "The token is unknown, expired or revoked, or the operator is disabled; log in again.",
                               headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")])
        guard token.utf8.count <= 200 else { throw invalid }
        guard let op = try OperatorStore(db).session(tokenHash: BearerToken.hash(token)) else { throw invalid }
        return op
    }

    /// /metrics: with OTA_METRICS_TOKEN set, only a scraper that sends it as a bearer token
    /// (compared in constant time); without it, open (bind the gateway to a private address
    /// or keep /metrics internal in the proxy, as config/nginx does).
    func authenticateScraper(_ request: HTTPRequest) throws {
        guard let expected = config.metricsToken else { return }
        let sent = try Self.single("Authorization", of: request).flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let sent, Digest.constantTimeEquals(Digest.sha256(Array(sent.utf8)), Digest.sha256(Array(expected.utf8))) else {
            throw APIError(.scrapeTokenRequired, "/metrics needs 'Authorization: Bearer <OTA_METRICS_TOKEN>' on this deployment.",
                           headers: [("WWW-Authenticate", "Bearer")])
        }
    }

    /// Takes one request from the partner's allowance (shared by every gateway through
    /// PostgreSQL); past it, 429 with Retry-After. A refused request touches nothing else.
    func rateLimit(_ p: PartnerPrincipal, db: PostgresConnection, headers: inout [(String, String)]) throws {
        let policy = RateLimitPolicy.partner(perMinute: p.rateLimitPerMinute, burstSeconds: config.rateBurstSeconds)
        let decision = try RateLimitStore(db).take(key: "p:\(p.partnerId)", policy: policy)
        headers = [("RateLimit-Policy", policy.policyHeader), ("RateLimit", decision.header(policy))]
        guard decision.allowed else {
            let wait = decision.retryAfterSeconds(policy)
            Metrics.shared.rateLimited(worker: workerIndex)
            throw APIError(.rateLimited,
                           "This partner may make \(policy.limit) requests per \(policy.windowSeconds) seconds; retry after \(wait) seconds.",
                           extra: [("retry_after_seconds", .int(wait))], headers: [("Retry-After", String(wait))])
        }
    }
}
