import HTTP
import OTACrypto
import OTAStore
import Postgres
import JSON
import OTADomain

/// The Idempotency-Key step of the pipeline, for routes declared idempotent: the first
/// answer for (partner, key) is stored in the same transaction as the change and replayed
/// byte for byte after. The stored answer is looked up before the handler runs, so a
/// replay never depends on the body still being valid now (e.g. an expiry that has come
/// closer since).
enum Idempotency {
    static let maxKeyLength = 255

    /// The request's key, nil without one; 400 when malformed or sent twice.
    static func key(of request: HTTPRequest) throws(APIError) -> String? {
        guard let key = try GatewayHandler.single("Idempotency-Key", of: request) else { return nil }
        guard (1...maxKeyLength).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw APIError(.invalidIdempotencyKey,
                           "Idempotency-Key must be 1 to \(maxKeyLength) printable ASCII characters without spaces (a UUID is ideal).")
        }
        return key
    }

    /// Runs `handler` at most once per (partner, key).
    static func run(_ ctx: RequestContext, key: String, _ handler: () throws -> HTTPResponse) throws -> HTTPResponse {
        let partner = try ctx.partner
        var material = Array("\(ctx.request.method) \(ctx.request.path)\n".utf8)
        material.append(contentsOf: ctx.request.body)
        let hash = Digest.sha256(material)
        let db = try ctx.db
        let store = IdempotencyStore(db)

        var answer: HTTPResponse?
        var failure: (any Error)?
        do {
            try db.transaction {
                switch try store.begin(partnerId: partner.partnerId, key: key, requestHash: hash) {
                case .inProgress:
                    throw APIError(.idempotencyKeyInUse,
                                   "A request with this Idempotency-Key is still being processed; retry it shortly to get its result.",
                                   headers: [("Retry-After", "1")])
                case .mismatch:
                    throw APIError(.idempotencyKeyReused,
                                   "This Idempotency-Key was already used with a different request body; use a new key for a new request.",
                                   extra: [("field", "Idempotency-Key")])
                case let .replay(record):
                    let stored = try AnswerSealing.forReplay(record, sealer: ctx.config.answerSealer, partnerId: partner.partnerId, key: key)
                    var h = HTTPHeaders()
                    h.set("Content-Type", stored.contentType)
                    if let l = stored.location { h.set("Location", l) }
                    if stored.contentType != record.contentType { h.set("Cache-Control", "no-store") }
                    h.set("Idempotent-Replayed", "true")
                    Metrics.shared.replayed(worker: ctx.workerIndex)
                    answer = HTTPResponse(status: stored.status, headers: h, body: stored.body)
                    return
                case .fresh:
                    break
                }
                // The handler runs in a nested transaction (a savepoint): a refusal (4xx)
                // undoes whatever it had begun but still commits the record, so it replays
                // too. A failure on our side (5xx) keeps nothing, so a retry does the work.
                let response: HTTPResponse
                do {
                    response = try db.transaction { () throws -> HTTPResponse in try handler() }
                } catch {
                    let (problem, _) = ProblemMapping.map(error, requestId: ctx.requestId)
                    guard problem.status < 500 else {
                        failure = error  // mapped and logged once, by the pipeline
                        throw RollbackSignal()
                    }
                    response = problem.response()
                }
                guard response.status < 500 else {
                    answer = response
                    throw RollbackSignal()
                }
                let first = StoredResponse(status: response.status, contentType: response.headers["Content-Type"] ?? "application/json",
                                           location: response.headers["Location"], body: response.body)
                try store.save(partnerId: partner.partnerId, key: key, requestHash: hash,
                               response: try AnswerSealing.forStorage(first, sealing: AnswerSealing.needsSealing(response),
                                                                      sealer: ctx.config.answerSealer, partnerId: partner.partnerId, key: key))
                answer = response
            }
        } catch is RollbackSignal {
        }
        if let failure { throw failure }
        guard let answer else { throw StoreError.other("idempotent request ended without an answer") }
        return answer
    }
}

/// Thrown inside a transaction to roll it back on purpose.
struct RollbackSignal: Error {}
