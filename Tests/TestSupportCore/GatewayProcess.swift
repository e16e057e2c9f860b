import Foundation

/// The real `ota-gateway` binary, started on a free port against a test database, for
/// black-box tests. Stopped with SIGTERM when the test is done.
public final class GatewayProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in init and only read after; Process itself is
    // thread-safe for terminate/waitUntilExit.
    public let port: Int
    public let logPath: String
    let process: Process

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Where `swift build` put the executables: $OTA_BIN_DIR, else beside the test bundle.
    public static func binDirectory() -> String {
        if let d = ProcessInfo.processInfo.environment["OTA_BIN_DIR"], !d.isEmpty { return d }
        var url = URL(fileURLWithPath: CommandLine.arguments[0])
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("ota-gateway").path) { return url.path }
        }
        return ".build/debug"
    }

    public init(databaseURL: String, environment extra: [String: String] = [:]) throws {
        let binary = Self.binDirectory() + "/ota-gateway"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw StartFailure(description: "\(binary) is not built: run `swift build` (make test does)")
        }
        logPath = NSTemporaryDirectory() + "ota-gateway-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var env = ProcessInfo.processInfo.environment
        env["OTA_DATABASE_URL"] = databaseURL
        env["OTA_HTTP_HOST"] = "127.0.0.1"
        env["OTA_HTTP_PORT"] = "0"
        env["OTA_WORKERS"] = env["OTA_TEST_WORKERS"] ?? "4"
        for (k, v) in extra { env[k] = v }
        process.environment = env
        process.standardOutput = log
        process.standardError = log
        try process.run()
        // The gateway logs {"event":"gateway.listening",...,"port":N} once it listens.
        let deadline = Date().addingTimeInterval(30)
        var found: Int?
        while Date() < deadline, found == nil {
            if let text = try? String(contentsOfFile: logPath, encoding: .utf8) {
                for line in text.split(separator: "\n") where line.contains("\"gateway.listening\"") {
                    if let r = line.range(of: "\"port\":") {
                        found = Int(line[r.upperBound...].prefix(while: { $0.isNumber }))
                    }
                }
            }
            if !process.isRunning { break }
            if found == nil { usleep(20_000) }
        }
        guard let port = found else {
            if process.isRunning { process.terminate() }
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw StartFailure(description: "gateway did not start listening; its output:\n\(text.suffix(2000))")
        }
        self.port = port
    }

    public var client: TestHTTPClient { TestHTTPClient(port: port) }

    public var isRunning: Bool { process.isRunning }

    /// The child's process id, for tests that watch it from outside (/proc/<pid>/status).
    public var pid: Int32 { process.processIdentifier }

    /// SIGTERM, then wait (up to `seconds`); returns the exit status.
    @discardableResult
    public func stop(within seconds: Double = 30) -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning, Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    public var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
