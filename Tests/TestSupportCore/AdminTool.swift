import Foundation

/// The built `ota-admin` binary, run as an operator would run it, against a test database.
public struct AdminTool: Sendable {
    public let databaseURL: String
    /// Set in the child's environment beside OTA_DATABASE_URL (e.g. master keys).
    public let environment: [String: String]

    public init(databaseURL: String, environment: [String: String] = [:]) {
        self.databaseURL = databaseURL
        self.environment = environment
    }

    public struct Run: Sendable {
        public var status: Int32
        public var out: String
        public var err: String
    }

    public struct NotBuilt: Error, CustomStringConvertible {
        public var description: String
    }

    public static var binary: String { GatewayProcess.binDirectory() + "/ota-admin" }

    /// Runs `ota-admin args...` to completion. Output goes through files, so a large output
    /// can never fill a pipe and stall the child.
    @discardableResult
    public func run(_ args: String...) throws -> Run { try run(args) }

    @discardableResult
    public func run(_ args: [String]) throws -> Run {
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
        env.merge(environment) { $1 }
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
