import Foundation
import Postgres

extension PostgresConnection {
    /// One integer cell, for short assertions.
    func int(_ query: PostgresQuery) throws -> Int {
        guard let row = try self.query(query).first, let name = row.columnNames.first else {
            throw PostgresError(code: .other, message: "no row for \(query)")
        }
        return try row.decode(name, as: Int.self)
    }

    func bool(_ query: PostgresQuery) throws -> Bool {
        guard let row = try self.query(query).first, let name = row.columnNames.first else {
            throw PostgresError(code: .other, message: "no row for \(query)")
        }
        return try row.decode(name, as: Bool.self)
    }

    /// A hold through ota_hold, as the gateway takes it; returns (outcome, available).
    func hold(partner code: String, product: Int, quantity: Int, maxUnits: Int = 5000) throws -> (String, Int) {
        let id = "res_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(24)
        guard let row = try query("""
            SELECT outcome, available FROM ota_hold(\(String(id)), (SELECT partner_id FROM partners WHERE code = \(code)),
                                                    \(product), \(quantity), \(maxUnits), now() + interval '1 hour', '{}'::jsonb)
            """).first else { throw PostgresError(code: .other, message: "ota_hold returned nothing") }
        return (try row.decode("outcome"), try row.decode("available"))
    }
}
