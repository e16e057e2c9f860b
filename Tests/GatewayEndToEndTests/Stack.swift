import Foundation
import Postgres
import TestSupport

/// A test database cloned from the seeded template, and the real gateway binary on it.
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

    /// A partner with exactly these permissions and a key for it.
    func partner(code: String, permissions: [String], status: String = "active", key: String) throws {
        _ = try sql("INSERT INTO partners (code, name, status) VALUES (\(code), \(code), \(status))")
        for p in permissions {
            _ = try sql("INSERT INTO partner_permissions (partner_id, permission) SELECT partner_id, \(p) FROM partners WHERE code = \(code)")
        }
        _ = try sql("""
            INSERT INTO api_keys (partner_id, prefix, key_hash)
            SELECT partner_id, 'test', sha256(convert_to(\(key), 'UTF8')) FROM partners WHERE code = \(code)
            """)
    }

    deinit { gateway.stop() }
}

extension Stack {
    /// Makes room in a product's OTA pool (the cap rises with it).
    func raiseOTAAllocation(product: Int, to units: Int) throws {
        _ = try sql("UPDATE products SET sellable_cap = sellable_cap + \(units) WHERE product_id = \(product)")
        _ = try sql("UPDATE channel_inventory SET allocated = \(units) WHERE product_id = \(product) AND channel = 'ota'")
    }

    /// The next date (at least a week ahead) with this ISO weekday (1 Monday ... 7 Sunday), as YYYY-MM-DD.
    func nextWeekday(_ iso: Int) -> String {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        var d = Date().addingTimeInterval(7 * 86_400)
        while (utc.component(.weekday, from: d) + 5) % 7 + 1 != iso { d.addTimeInterval(86_400) }
        let f = DateFormatter()
        f.calendar = utc
        f.timeZone = utc.timeZone
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: d)
    }
}
