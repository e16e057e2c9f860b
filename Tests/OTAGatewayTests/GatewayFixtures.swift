import Foundation
import Postgres
import TestSupport

/// What the API tests moved here from GatewayEndToEndTests share: requests written as a
/// partner's client writes them, the OTA pool as the database counts it, partners made
/// with SQL, and several gateways working one database at once.
extension InProcessGateway {
    static let qrKeyId = "t1"

    func get(_ path: String, key: String? = InProcessGateway.testKey, headers: [(String, String)] = []) -> Answer {
        send("GET", path, key: key, headers: headers)
    }

    func post(_ path: String, _ body: String?, key: String? = InProcessGateway.testKey, headers: [(String, String)] = []) -> Answer {
        send("POST", path, key: key, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    func otaPool(_ product: Int = 106) throws -> (reserved: Int, sold: Int, allocated: Int, activeHolds: Int) {
        guard let row = try sql("""
            SELECT reserved, sold, allocated,
                   (SELECT coalesce(sum(quantity), 0) FROM reservations r WHERE r.product_id = c.product_id AND r.status = 'active') AS holds
              FROM channel_inventory c WHERE product_id = \(product) AND channel = 'ota'
            """).first else { throw FixtureFailure(description: "product \(product) has no OTA pool") }
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

    struct FixtureFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// `iterations` calls of `body` spread over `threads` gateways on `databaseURL`, each
    /// gateway on a thread of its own (a handler owns its connection), as the binary's
    /// workers run: the database sees `threads` sessions at once. The threads start
    /// together; the results come in no particular order.
    static func concurrently<T: Sendable>(threads: Int, iterations: Int, databaseURL: String, environment: [String: String] = [:],
                                          _ body: @escaping @Sendable (InProcessGateway, Int) -> T) async throws -> [T] {
        try await offThread {
            let results = SharedList<T>()
            let failures = SharedList<String>()
            let created = DispatchGroup(), finished = DispatchGroup()
            let go = DispatchSemaphore(value: 0)
            for t in 0..<threads {
                created.enter()
                finished.enter()
                let thread = Thread {
                    defer { finished.leave() }
                    let gateway: InProcessGateway
                    do {
                        gateway = try InProcessGateway(environment: environment, databaseURL: databaseURL)
                    } catch {
                        failures.append("gateway \(t): \(error)")
                        created.leave()
                        return
                    }
                    created.leave()
                    go.wait()
                    for i in stride(from: t, to: iterations, by: threads) { results.append(body(gateway, i)) }
                }
                thread.stackSize = 4 << 20
                thread.start()
            }
            guard created.wait(timeout: .now() + 120) == .success else { throw FixtureFailure(description: "gateways not made within 120 s") }
            for _ in 0..<threads { go.signal() }
            guard finished.wait(timeout: .now() + 600) == .success else { throw FixtureFailure(description: "not done within 600 s") }
            if let failure = failures.all.first { throw FixtureFailure(description: failure) }
            return results.all
        }
    }
}
