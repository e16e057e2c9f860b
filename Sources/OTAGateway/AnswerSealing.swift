import HTTP
import OTACrypto
import OTAStore

/// An answer that carries a secret shown once (a webhook endpoint's signing secret) is
/// marked `Cache-Control: no-store`. When the Idempotency-Key step keeps such an answer for
/// replay, it keeps it sealed (AES-256-GCM under a key derived from OTA_WEBHOOK_SECRET_KEY,
/// bound to the partner and key), so the secret is never in the database in plain text.
enum AnswerSealing {
    /// The content type of a sealed record; the real one is inside the seal.
    static let sealedContentType = SealedAnswer.contentType

    static func needsSealing(_ response: HTTPResponse) -> Bool {
        response.headers["Cache-Control"]?.contains("no-store") == true
    }

    static func associatedData(partnerId: Int64, key: String) -> [UInt8] { SealedAnswer.associatedData(partnerId: partnerId, key: key) }

    /// What to store for `response`.
    static func forStorage(_ response: StoredResponse, sealing: Bool, sealer: SecretKeyring?, partnerId: Int64,
                           key: String) throws -> StoredResponse {
        guard sealing else { return response }
        guard let sealer else { throw StoreError.other("an answer with a secret, but no OTA_WEBHOOK_SECRET_KEY to seal it") }
        var sealed = response
        sealed.contentType = sealedContentType
        sealed.body = try sealer.seal(Array("\(response.contentType)\n".utf8) + response.body,
                                      associatedData: associatedData(partnerId: partnerId, key: key))
        return sealed
    }

    /// The stored answer as it was first sent.
    static func forReplay(_ stored: StoredResponse, sealer: SecretKeyring?, partnerId: Int64, key: String) throws -> StoredResponse {
        guard stored.contentType == sealedContentType else { return stored }
        guard let plain = sealer?.open(stored.body, associatedData: associatedData(partnerId: partnerId, key: key)),
              let newline = plain.firstIndex(of: UInt8(ascii: "\n")) else {
            throw StoreError.other("a sealed idempotent answer could not be opened (sealed under a key no longer in OTA_WEBHOOK_SECRET_KEY or OTA_WEBHOOK_SECRET_OLD_KEYS?)")
        }
        var answer = stored
        answer.contentType = String(decoding: plain[..<newline], as: UTF8.self)
        answer.body = Array(plain[(newline + 1)...])
        return answer
    }
}
