import Foundation
import OTACrypto
import OTAStore
import Postgres

/// `webhook reseal`: after a master-key rotation (a new OTA_WEBHOOK_SECRET_KEY, the old
/// one in OTA_WEBHOOK_SECRET_OLD_KEYS), re-seals every stored sealed value under the
/// active key, so the old key can be dropped. Row by row, each in its own transaction
/// with the row locked; a value already sealed by the active key (in the prefixed form)
/// is left alone, so a second run changes nothing. A value that opens under no configured
/// key is named and left as it is, and the command ends with exit status 1.
enum WebhookResealCommand {
    static let usage = """
        Usage: ota-admin webhook reseal --key-id KEY_ID [--batch-size N]
        Re-seals every endpoint signing secret (current and previous) and every sealed idempotent answer under
        the active OTA_WEBHOOK_SECRET_KEY, opening them with it or a key of OTA_WEBHOOK_SECRET_OLD_KEYS (both as
        the gateway and worker have them). KEY_ID is the id of the key the fleet uses, as the gateways log it
        (the first of webhook_secret_keys in gateway.listening): the command refuses when the configured active
        key has another id, so a mistyped key cannot move every value under a key no process has. Rows are read
        N at a time (default 100, 1-10000), each changed in its own transaction; values already under the active
        key are skipped. Values no configured key opens are named (the first \(refusalsShown)) and left unchanged
        (exit 1). Run it after every gateway and worker has the new key, before the old one is dropped.
        """

    /// How many refused rows are named; the rest are counted.
    static let refusalsShown = 20

    /// What one run did, per kind of value.
    struct Counts: Equatable {
        var checked = 0
        var resealed = 0
        var current = 0

        /// One row: refused (named in `refused`), re-sealed, or already under the active key.
        mutating func tally(refusal: String?, changed: Bool, into refused: inout [String]) {
            checked += 1
            if let refusal { refused.append(refusal) } else if changed { resealed += 1 } else { current += 1 }
        }
    }

    static func run(_ args: inout Arguments) throws(AdminError) {
        let batchSize = try args.int("--batch-size", in: 1...10_000) ?? 100
        guard let expectedKeyId = try args.value("--key-id") else {
            throw .usage("webhook reseal needs --key-id: the id of the active key the gateways log (webhook_secret_keys); see ota-admin webhook reseal --help")
        }
        try args.finish()
        let env = ProcessInfo.processInfo.environment
        let secrets: SecretKeyring, answers: SecretKeyring
        do {
            let active = env["OTA_WEBHOOK_SECRET_KEY"], old = env["OTA_WEBHOOK_SECRET_OLD_KEYS"]
            guard let s = try SecretKeyring.parse(active: active, oldKeys: old, purpose: SecretBox.webhookSecretPurpose),
                  let a = try SecretKeyring.parse(active: active, oldKeys: old, purpose: SecretBox.storedAnswerPurpose) else {
                throw AdminError.usage("OTA_WEBHOOK_SECRET_KEY is not set: give the active master key (and the retired ones in OTA_WEBHOOK_SECRET_OLD_KEYS)")
            }
            (secrets, answers) = (s, a)
        } catch let error as SecretKeyringError {
            throw .usage(error.description)
        } catch let error as AdminError {
            throw error
        } catch {
            throw .failure("\(error)")
        }
        guard secrets.activeKeyId == expectedKeyId else {
            throw .failure("the configured OTA_WEBHOOK_SECRET_KEY has id \(secrets.activeKeyId), not \(expectedKeyId): "
                           + "it is not the key given as the fleet's; nothing was changed")
        }
        let db = try Console.connect()
        let sealed = SealedSecretStore(db)
        var refused: [String] = []
        let endpoints = try store { () throws(StoreError) in try resealEndpoints(sealed, secrets, batchSize: batchSize, refused: &refused) }
        print("endpoint secrets: \(endpoints.checked) checked, \(endpoints.resealed) re-sealed under \(secrets.activeKeyId), "
              + "\(endpoints.current) already under it")
        let stored = try store { () throws(StoreError) in try resealAnswers(sealed, answers, batchSize: batchSize, refused: &refused) }
        print("sealed idempotent answers: \(stored.checked) checked, \(stored.resealed) re-sealed under \(answers.activeKeyId), "
              + "\(stored.current) already under it")
        guard refused.isEmpty else {
            for row in refused.prefix(refusalsShown) { Console.note("refused: \(row)") }
            if refused.count > refusalsShown { Console.note("refused: \(refused.count - refusalsShown) more") }
            throw .failure("\(refused.count) sealed value(s) open under no configured key (secrets: \(secrets.keyIds.joined(separator: ",")); "
                           + "answers: \(answers.keyIds.joined(separator: ","))) and were left unchanged; add the key that sealed them to "
                           + "OTA_WEBHOOK_SECRET_OLD_KEYS and run again")
        }
    }

    static func resealEndpoints(_ sealed: SealedSecretStore, _ ring: SecretKeyring, batchSize: Int,
                                refused: inout [String]) throws(StoreError) -> Counts {
        var counts = Counts()
        var after: String?
        while true {
            let ids = try sealed.endpointIds(after: after, limit: batchSize)
            for id in ids {
                var problem: String?
                let changed = try sealed.resealEndpoint(id) { (row) throws(StoreError) -> SealedSecretStore.EndpointSecrets? in
                    let ad = Array(row.endpointId.utf8)
                    var new = row
                    guard let current = try reseal(row.current, ring, ad) else {
                        problem = "webhook endpoint \(id): its secret (sealed under \(row.current.keyId))"
                        return nil
                    }
                    new.current = current
                    if let previous = row.previous {
                        guard let p = try reseal(previous, ring, ad) else {
                            problem = "webhook endpoint \(id): its previous secret (sealed under \(previous.keyId))"
                            return nil
                        }
                        new.previous = p
                    }
                    return new
                }
                counts.tally(refusal: problem, changed: changed, into: &refused)
            }
            guard ids.count == batchSize, let last = ids.last else { return counts }
            after = last
        }
    }

    /// The value under the active key (itself when it already is); nil when no key opens it.
    static func reseal(_ secret: WebhookStore.SealedSecret, _ ring: SecretKeyring,
                       _ ad: [UInt8]) throws(StoreError) -> WebhookStore.SealedSecret? {
        guard var opened = ring.opening(secret.sealed, associatedData: ad) else { return nil }
        defer { opened.plaintext = [] }
        if opened.isCurrent { return WebhookStore.SealedSecret(sealed: secret.sealed, keyId: ring.activeKeyId) }
        do {
            return WebhookStore.SealedSecret(sealed: try ring.seal(opened.plaintext, associatedData: ad), keyId: ring.activeKeyId)
        } catch {
            throw .other("sealing failed in OpenSSL: \(error)")
        }
    }

    static func resealAnswers(_ sealed: SealedSecretStore, _ ring: SecretKeyring, batchSize: Int,
                              refused: inout [String]) throws(StoreError) -> Counts {
        var counts = Counts()
        var after: SealedSecretStore.AnswerKey?
        while true {
            let keys = try sealed.sealedAnswerKeys(after: after, limit: batchSize)
            for key in keys {
                var unopened = false
                let changed = try sealed.resealAnswer(key) { (body) throws(StoreError) -> [UInt8]? in
                    let ad = SealedAnswer.associatedData(partnerId: key.partnerId, key: key.key)
                    guard var opened = ring.opening(body, associatedData: ad) else {
                        unopened = true
                        return nil
                    }
                    defer { opened.plaintext = [] }
                    if opened.isCurrent { return nil }
                    do {
                        return try ring.seal(opened.plaintext, associatedData: ad)
                    } catch {
                        throw .other("sealing failed in OpenSSL: \(error)")
                    }
                }
                counts.tally(refusal: unopened ? key.description : nil, changed: changed, into: &refused)
            }
            guard keys.count == batchSize, let last = keys.last else { return counts }
            after = last
        }
    }
}
