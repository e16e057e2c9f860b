import Foundation
import Postgres
import TestSupport

/// A test database cloned from the seeded template, and the real gateway binary on it: for
/// what needs the process (bytes on a socket, signals, its log, its worker threads, two
/// gateways on one database). API behaviour is tested in process, in OTAGatewayTests.
final class Stack: Sendable {
    let database: TestDatabase
    let gateway: GatewayProcess

    static let testKey = "ota_test_key_12345"
    static let otherKey = "ota251103_key_67890"
    /// The QR key ring of test gateways (a test secret, nowhere else).
    static let qrKeyId = "t1"
    static let qrSecretHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

    /// Rate limits are off unless a test turns them on: most tests send far more than a
    /// partner's policy on purpose.
    init(environment: [String: String] = [:]) throws {
        database = try TestDatabase()
        let defaults = ["OTA_RATE_LIMITS": "off", "OTA_QR_ACTIVE_KEY_ID": Stack.qrKeyId, "OTA_QR_KEYS": "\(Stack.qrKeyId):\(Stack.qrSecretHex)"]
        gateway = try GatewayProcess(databaseURL: database.url, environment: defaults.merging(environment) { $1 })
    }

    var client: TestHTTPClient { gateway.client }

    func get(_ path: String, key: String? = Stack.testKey, headers: [(String, String)] = []) throws -> TestResponse {
        try client.request("GET", path, headers: (key.map { [("X-API-Key", $0)] } ?? []) + headers)
    }

    func post(_ path: String, _ body: String?, key: String? = Stack.testKey, headers: [(String, String)] = []) throws -> TestResponse {
        try client.request("POST", path, headers: (key.map { [("X-API-Key", $0)] } ?? []) + [("Content-Type", "application/json")] + headers,
                           body: body)
    }

    func sql(_ query: PostgresQuery) throws -> PostgresRows {
        let db = try database.connect()
        defer { db.close() }
        return try db.query(query)
    }

    func otaPool(_ product: Int = 106) throws -> (reserved: Int, sold: Int, allocated: Int, activeHolds: Int) {
        let row = try sql("""
            SELECT reserved, sold, allocated,
                   (SELECT coalesce(sum(quantity), 0) FROM reservations r WHERE r.product_id = c.product_id AND r.status = 'active') AS holds
              FROM channel_inventory c WHERE product_id = \(product) AND channel = 'ota'
            """).first!
        return (try row.decode("reserved"), try row.decode("sold"), try row.decode("allocated"), try row.decode("holds"))
    }

    deinit { gateway.stop() }
}
