import HTTP
import OTACrypto
import OTAStore
import Postgres

/// Idempotency-Key on POSTs that create something: the first response for (partner, key)
/// is stored in the same transaction as the change and replayed byte for byte after.
enum Idempotency {
    static let maxKeyLength = 255

    /// Runs `body` at most once per key. Without a key, `body` just runs.
    static func run(_ ctx: RequestContext, _ body: () throws(APIError) -> HTTPResponse) throws(APIError) -> HTTPResponse {
        guard let key = ctx.request.headers["Idempotency-Key"] else { return try body() }
        guard (1...maxKeyLength).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw APIError(400, code: "invalid_idempotency_key", title: "Invalid Idempotency-Key",
                           detail: "Idempotency-Key must be 1 to \(maxKeyLength) printable ASCII characters without spaces (a UUID is ideal).")
        }
        let partner = try ctx.partner
        var material = Array("\(ctx.request.method) \(ctx.request.path)\n".utf8)
        material.append(contentsOf: ctx.request.body)
        let hash = Digest.sha256(material)
        let store = IdempotencyStore(ctx.db)

        var outcome: Result<HTTPResponse, APIError> = .failure(.internalError(requestId: ctx.requestId))
        do {
            try ctx.db.transaction {
                switch try store.begin(partnerId: partner.partnerId, key: key, requestHash: hash) {
                case .inProgress:
                    outcome = .failure(APIError(409, code: "idempotency_key_in_use", title: "Request in progress",
                                                detail: "A request with this Idempotency-Key is still being processed; retry it shortly to get its result.",
                                                headers: [("Retry-After", "1")]))
                    return
                case .mismatch:
                    outcome = .failure(APIError(422, code: "idempotency_key_reused", title: "Idempotency-Key reused",
                                                detail: "This Idempotency-Key was already used with a different request body; use a new key for a new request.",
                                                extra: [("field", "Idempotency-Key")]))
                    return
                case let .replay(stored):
                    var h = HTTPHeaders()
                    h.set("Content-Type", stored.contentType)
                    if let l = stored.location { h.set("Location", l) }
                    h.set("Idempotent-Replayed", "true")
                    Metrics.shared.replayed(worker: ctx.worker)
                    outcome = .success(HTTPResponse(status: stored.status, headers: h, body: stored.body))
                    return
                case .fresh:
                    break
                }
                // The business change runs in a nested transaction (a savepoint): a business
                // refusal (4xx) undoes whatever it had begun but still commits the record, so
                // it replays too.
                let response: HTTPResponse
                do {
                    response = try ctx.db.transaction { () throws -> HTTPResponse in try body() }
                } catch let refusal as APIError where refusal.status < 500 {
                    response = refusal.response()
                }
                if response.status >= 500 {
                    // Transient: keep nothing, so a retry with the same key does the work.
                    outcome = .success(response)
                    throw RollbackSignal()
                }
                try store.save(partnerId: partner.partnerId, key: key, requestHash: hash,
                               response: StoredResponse(status: response.status,
                                                        contentType: response.headers["Content-Type"] ?? "application/json",
                                                        location: response.headers["Location"], body: response.body))
                outcome = .success(response)
            }
        } catch is RollbackSignal {
        } catch let e as APIError {
            throw e
        } catch let e as StoreError {
            throw APIError.store(e, requestId: ctx.requestId)
        } catch let e as PostgresError {
            throw APIError.store(StoreError(e), requestId: ctx.requestId)
        } catch {
            throw APIError.internalError(requestId: ctx.requestId)
        }
        return try outcome.get()
    }
}

struct RollbackSignal: Error {}
