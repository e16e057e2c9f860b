public import Postgres

/// Every value stored sealed under the webhook master key, for `ota-admin webhook reseal`:
/// endpoints' signing secrets (current and the rotation overlap's previous one) and the
/// Idempotency-Key answers that carry one. Rows are listed in bounded batches (keyset
/// order) and re-sealed one at a time, each in its own transaction with the row locked
/// (FOR UPDATE), so a gateway rotating the same endpoint meanwhile waits or goes first,
/// never interleaves. The caller holds the keys; this store only moves sealed bytes.
public struct SealedSecretStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    /// An endpoint's sealed secrets as locked for re-sealing.
    public struct EndpointSecrets: Sendable, Equatable {
        public var endpointId: String
        public var current: WebhookStore.SealedSecret
        public var previous: WebhookStore.SealedSecret?

        public init(endpointId: String, current: WebhookStore.SealedSecret, previous: WebhookStore.SealedSecret?) {
            self.endpointId = endpointId
            self.current = current
            self.previous = previous
        }
    }

    /// A stored answer's key.
    public struct AnswerKey: Sendable, Equatable, CustomStringConvertible {
        public var partnerId: Int64
        public var key: String

        public init(partnerId: Int64, key: String) {
            self.partnerId = partnerId
            self.key = key
        }

        /// The key is the partner's text: shown escaped (no control characters reach the
        /// operator's terminal) and at most 64 characters.
        public var description: String {
            let shown = key.unicodeScalars.prefix(64).map { $0.properties.generalCategory == .control || $0 == "\\" ? $0.escaped(asASCII: true) : String($0) }.joined()
            return "idempotency record (partner \(partnerId), key \(shown)\(key.unicodeScalars.count > 64 ? "…" : ""))"
        }
    }

    /// Up to `limit` endpoint ids after `after`, in order.
    public func endpointIds(after: String?, limit: Int) throws(StoreError) -> [String] {
        try storeCall {
            try db.query("""
                SELECT endpoint_id FROM webhook_endpoints WHERE endpoint_id > \(after ?? "") ORDER BY endpoint_id LIMIT \(limit)
                """).map { try $0.decode("endpoint_id", as: String.self) }
        }
    }

    /// Locks the endpoint, hands its secrets to `reseal` and writes what it returns (nil:
    /// nothing to change), in one transaction; an error of `reseal` rolls it back. Returns
    /// whether the row was changed (false also when the endpoint is gone).
    public func resealEndpoint(_ endpointId: String,
                               _ reseal: (EndpointSecrets) throws(StoreError) -> EndpointSecrets?) throws(StoreError) -> Bool {
        try storeCall {
            try db.transaction {
                guard let row = try db.query("""
                    SELECT secret_sealed, secret_key_id, previous_secret_sealed, previous_secret_key_id
                      FROM webhook_endpoints WHERE endpoint_id = \(endpointId) FOR UPDATE
                    """).first else { return false }
                var previous: WebhookStore.SealedSecret?
                if let sealed = try row.decodeIfPresent("previous_secret_sealed", as: [UInt8].self) {
                    previous = WebhookStore.SealedSecret(sealed: sealed, keyId: try row.decodeIfPresent("previous_secret_key_id") ?? "")
                }
                let stored = EndpointSecrets(endpointId: endpointId,
                                             current: WebhookStore.SealedSecret(sealed: try row.decode("secret_sealed"),
                                                                                keyId: try row.decode("secret_key_id")),
                                             previous: previous)
                guard let new = try reseal(stored), new != stored else { return false }
                // The previous secret's expiry stays as it is: re-sealing changes no secret.
                try db.query("""
                    UPDATE webhook_endpoints
                       SET secret_sealed = \(new.current.sealed), secret_key_id = \(new.current.keyId),
                           previous_secret_sealed = \(new.previous?.sealed), previous_secret_key_id = \(new.previous?.keyId)
                     WHERE endpoint_id = \(endpointId)
                    """)
                return true
            }
        }
    }

    /// Up to `limit` keys of sealed stored answers after `after`, in order.
    public func sealedAnswerKeys(after: AnswerKey?, limit: Int) throws(StoreError) -> [AnswerKey] {
        try storeCall {
            try db.query("""
                SELECT partner_id, idempotency_key FROM idempotency_records
                 WHERE content_type = \(SealedAnswer.contentType)
                   AND (partner_id, idempotency_key) > (\(after?.partnerId ?? Int64.min), \(after?.key ?? ""))
                 ORDER BY partner_id, idempotency_key LIMIT \(limit)
                """).map { AnswerKey(partnerId: try $0.decode("partner_id"), key: try $0.decode("idempotency_key")) }
        }
    }

    /// As resealEndpoint, for one sealed stored answer's body.
    public func resealAnswer(_ answer: AnswerKey, _ reseal: ([UInt8]) throws(StoreError) -> [UInt8]?) throws(StoreError) -> Bool {
        try storeCall {
            try db.transaction {
                guard let row = try db.query("""
                    SELECT body FROM idempotency_records
                     WHERE partner_id = \(answer.partnerId) AND idempotency_key = \(answer.key)
                       AND content_type = \(SealedAnswer.contentType)
                       FOR UPDATE
                    """).first else { return false }
                let stored = try row.decode("body", as: [UInt8].self)
                guard let new = try reseal(stored), new != stored else { return false }
                try db.query("""
                    UPDATE idempotency_records SET body = \(new)
                     WHERE partner_id = \(answer.partnerId) AND idempotency_key = \(answer.key)
                    """)
                return true
            }
        }
    }
}
