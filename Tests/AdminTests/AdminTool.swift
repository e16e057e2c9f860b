import Foundation
import Postgres
import TestSupport

/// The built `ota-admin` binary, run as an operator would run it, against a test database.
struct AdminTool {
    let databaseURL: String

    struct Run {
        var status: Int32
        var out: String
        var err: String
    }

    struct NotBuilt: Error, CustomStringConvertible {
        var description: String
    }

    static var binary: String { GatewayProcess.binDirectory() + "/ota-admin" }

    /// Runs `ota-admin args...` to completion. Output goes through files, so a large output
    /// can never fill a pipe and stall the child.
    @discardableResult
    func run(_ args: String...) throws -> Run { try run(args) }

    @discardableResult
    func run(_ args: [String]) throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw NotBuilt(description: "\(Self.binary) is not built: run `swift build` (make test does)")
        }
        let base = NSTemporaryDirectory() + "ota-admin-\(UUID().uuidString)"
        let outPath = base + ".out", errPath = base + ".err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["OTA_DATABASE_URL"] = databaseURL
        process.environment = env
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        return Run(status: process.terminationStatus,
                   out: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                   err: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

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
