import Foundation
import OTACrypto
import OTADomain
import Postgres
import TestSupport
import JSON
@testable import OTAStore

/// What the webhook black-box tests share: a database of their own, the master key the
/// gateway and the worker both get, and endpoints made straight in the store (their
/// secret sealed exactly as the gateway seals it).
struct WebhookWorld {
    static let masterKey = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
    static let testKey = "ota_test_key_12345"

    let database: TestDatabase
    let db: PostgresConnection
    let box: SecretBox

    init() throws {
        database = try TestDatabase()
        db = try database.connect()
        guard let master = SecretBox.masterKey(fromText: Self.masterKey) else { throw StoreError.other("test master key") }
        box = try SecretBox(masterKey: master, purpose: SecretBox.webhookSecretPurpose)
    }

    /// The worker's environment: this key, 127.0.0.1 allow-listed, fast retries and polls.
    static func workerEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ["OTA_WEBHOOK_SECRET_KEY": masterKey, "OTA_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
                   "OTA_WEBHOOK_BACKOFF_BASE_MS": "100", "OTA_WEBHOOK_POLL_SECONDS": "1", "OTA_WORKER_POLL_SECONDS": "1"]
        env.merge(extra) { $1 }
        return env
    }

    static let gatewayEnvironment = ["OTA_WEBHOOK_SECRET_KEY": masterKey, "OTA_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
                                     "OTA_RATE_LIMITS": "off"]

    func partnerId(_ code: String = "ota-test-partner") throws -> Int64 {
        try db.query("SELECT partner_id FROM partners WHERE code = \(code)").first!.decode("partner_id", as: Int64.self)
    }

    /// A new endpoint; returns its id and its `whsec_` secret.
    func endpoint(url: String, events: [WebhookEventType] = [.ticketUsed]) throws -> (id: String, secret: String) {
        let id = try SecureRandom.identifier(prefix: "we_")
        let secret = try StandardWebhooks.newSecret()
        let sealed = WebhookStore.SealedSecret(sealed: try box.seal(secret.bytes, associatedData: Array(id.utf8)), keyId: box.keyId)
        _ = try WebhookStore(db).create(endpointId: id, partnerId: try partnerId(), url: url, description: nil, events: events, secret: sealed)
        return (id, secret.text)
    }

    /// `count` webhook.test events for one endpoint, committed together.
    func testEvents(_ endpointId: String, count: Int) throws {
        let partner = try partnerId()
        try db.transaction {
            for i in 0..<count {
                _ = try WebhookStore(db).enqueueTest(endpointId: endpointId, partnerId: partner, data: .object([("n", .int(i))]))
            }
        }
    }

    func deliveryStatuses(_ endpointId: String) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try db.query("SELECT status, count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = \(endpointId) GROUP BY status") {
            out[try row.decode("status")] = try row.decode("n")
        }
        return out
    }

    func attemptOutcomes(_ endpointId: String) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try db.query("""
            SELECT a.outcome, count(*)::int AS n FROM webhook_attempts a JOIN webhook_deliveries d USING (delivery_id)
             WHERE d.endpoint_id = \(endpointId) GROUP BY a.outcome
            """) {
            out[try row.decode("outcome")] = try row.decode("n")
        }
        return out
    }

    /// Polls every 50 ms until `condition` holds or `seconds` pass.
    func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }
}
