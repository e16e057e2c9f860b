import Foundation

/// The real `ota-expiry-worker` binary against a test database, for black-box tests: its
/// JSON log goes to a file the test reads. Stopped with SIGTERM when the test is done.
public final class WorkerProcess: @unchecked Sendable {
    // @unchecked: `process` and `logPath` are set once in init and only read after;
    // Process itself is thread-safe for terminate/waitUntilExit.
    public let logPath: String
    let process: Process

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts the worker and waits (up to 30 s) for its `worker.ready` line: connected and
    /// listening for new holds.
    public init(databaseURL: String, environment extra: [String: String] = [:], waitForReady: Bool = true) throws {
        let binary = GatewayProcess.binDirectory() + "/ota-expiry-worker"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw StartFailure(description: "\(binary) is not built: run `swift build` (make test does)")
        }
        logPath = NSTemporaryDirectory() + "ota-expiry-worker-\(UUID().uuidString).log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw StartFailure(description: "cannot create \(logPath)")
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var env = ProcessInfo.processInfo.environment
        // Not under the test runner's systemd, if any.
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "WATCHDOG_USEC")
        env["OTA_DATABASE_URL"] = databaseURL
        for (k, v) in extra { env[k] = v }
        process.environment = env
        process.standardOutput = log
        process.standardError = log
        try process.run()
        guard waitForReady else { return }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning, !output.contains("\"worker.ready\"") { usleep(10_000) }
        guard output.contains("\"worker.ready\"") else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw StartFailure(description: "worker did not become ready; its output:\n\(output.suffix(2000))")
        }
    }

    public var isRunning: Bool { process.isRunning }
    public var pid: Int32 { process.processIdentifier }

    /// SIGTERM, then wait (up to `seconds`, then SIGKILL); returns the exit status and how
    /// long the worker took to exit.
    @discardableResult
    public func stop(within seconds: Double = 10) -> (status: Int32, seconds: Double) {
        let started = Date()
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = started.addingTimeInterval(seconds)
            while process.isRunning, Date() < deadline { usleep(5_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return (process.terminationStatus, Date().timeIntervalSince(started))
    }

    public var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The log lines of one event, parsed with Foundation.
    public func events(_ name: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { line in
            guard line.contains("\"\(name)\""),
                  let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["event"] as? String == name else { return nil }
            return object
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
