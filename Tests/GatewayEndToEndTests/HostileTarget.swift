import Foundation
import Glibc
import Synchronization
import TestSupport

/// The real gateway on a database of its own, started for one attack and watched from
/// outside, as an operator would: its resident memory (/proc/<pid>/status), its sockets
/// as the kernel sees them (/proc/net/tcp), and a fresh client's answers meanwhile.
final class HostileTarget: Sendable {
    let database: TestDatabase
    let gateway: GatewayProcess

    init(environment: [String: String] = [:]) throws {
        database = try TestDatabase()
        gateway = try GatewayProcess(databaseURL: database.url, environment: environment)
    }

    deinit { gateway.stop() }

    var port: Int { gateway.port }

    /// VmRSS in KiB; nil once the process is gone.
    func residentKiB() -> Int? { Self.residentKiB(pid: gateway.pid) }

    static func residentKiB(pid: Int32) -> Int? {
        guard let status = readProcFile("/proc/\(pid)/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// Probes and samples memory on a thread of its own while `attack` runs on another,
    /// then stops the probes (also when the attack throws).
    ///
    /// Neither thread may hold the target: a thread lets go of its closure a little after
    /// it resumed the test, and if the test process exits in that moment the target's
    /// deinit never runs and the gateway outlives the tests. So `attack` should capture
    /// the port, not the target, and the watch gets the port and pid alone.
    func underWatch<T: Sendable>(
        interval: Duration = .milliseconds(250),
        _ attack: @escaping @Sendable () throws -> T
    ) async throws -> (T, Watch.Report) {
        let watch = Watch(port: port, pid: gateway.pid, interval: interval)
        // Started here, not as a child task: with the cooperative pool's two threads taken
        // by blocking tests elsewhere in the suite, a child task began seconds late.
        watch.start()
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await offThread(attack))
        } catch {
            outcome = .failure(error)
        }
        watch.stop()
        let watched = try await offThread { watch.waitForReport() }
        return (try outcome.get(), watched)
    }
}

/// A fresh client's GET /livez and a VmRSS sample every `interval` until stopped; at most
/// `limit` rounds, so a forgotten stop cannot make it run for ever.
final class Watch: Sendable {
    struct Report: Sendable {
        var probes: [Probe]
        var peakKiB: Int

        var worstMilliseconds: Double { probes.map(\.milliseconds).max() ?? 0 }
        var medianMilliseconds: Double {
            let sorted = probes.map(\.milliseconds).sorted()
            return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        }
        var statuses: [Int?] { probes.map(\.status) }
        var summary: String {
            let failures = probes.compactMap(\.failure)
            return "\(probes.count) probes of /livez, median \(Int(medianMilliseconds)) ms, worst \(Int(worstMilliseconds)) ms"
                + (failures.isEmpty ? "" : ", failures: \(Set(failures).sorted())")
        }
    }

    private let port: Int
    private let pid: Int32
    private let interval: Duration
    private let limit: Int
    private let stopped = Atomic<Bool>(false)
    private let report = Mutex(Report(probes: [], peakKiB: 0))
    private let finished = DispatchSemaphore(value: 0)

    init(port: Int, pid: Int32, interval: Duration, limit: Int = 400) {
        self.port = port
        self.pid = pid
        self.interval = interval
        self.limit = limit
    }

    func stop() { stopped.store(true, ordering: .releasing) }

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.start()
    }

    /// The report, once the thread ended (at most a probe's timeout after `stop`).
    func waitForReport() -> Report {
        _ = finished.wait(timeout: .now() + 15)
        return report.withLock { $0 }
    }

    private func run() {
        report.withLock { $0.peakKiB = HostileTarget.residentKiB(pid: pid) ?? 0 }
        for _ in 0..<limit where !stopped.load(ordering: .acquiring) {
            let probe = Probe.get(port: port)
            let rss = HostileTarget.residentKiB(pid: pid) ?? 0
            report.withLock {
                $0.probes.append(probe)
                $0.peakKiB = max($0.peakKiB, rss)
            }
            Thread.sleep(forTimeInterval: interval.inMilliseconds / 1000)
        }
    }
}

/// One IPv4 TCP socket as /proc/net/tcp lists it.
struct KernelSocket {
    static let established = 0x01

    var localPort: Int
    var remotePort: Int
    var state: Int
    /// Bytes written and not yet acknowledged by the peer (for a listener: the backlog).
    var sendQueue: Int
    /// Bytes received and not yet read by the application.
    var receiveQueue: Int

    /// Every socket in this network namespace (the gateway's and the test's alike).
    static func all() -> [KernelSocket] {
        guard let table = readProcFile("/proc/net/tcp") else { return [] }
        return table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            func port(_ address: Substring) -> Int? { address.split(separator: ":").last.flatMap { Int($0, radix: 16) } }
            let queues = fields[4].split(separator: ":")
            guard let local = port(fields[1]), let remote = port(fields[2]), let state = Int(fields[3], radix: 16),
                  queues.count == 2, let tx = Int(queues[0], radix: 16), let rx = Int(queues[1], radix: 16)
            else { return nil }
            return KernelSocket(localPort: local, remotePort: remote, state: state, sendQueue: tx, receiveQueue: rx)
        }
    }

    /// The socket with these ports, preferring an established one over leftovers
    /// (TIME_WAIT) of an earlier connection that happened to use the same ports.
    static func find(local: Int, remote: Int, in table: [KernelSocket] = all()) -> KernelSocket? {
        let matching = table.filter { $0.localPort == local && $0.remotePort == remote }
        return matching.first(where: { $0.state == established }) ?? matching.first
    }
}

/// The whole of a /proc file. Foundation's readers stop after the first page of a file
/// whose size stat(2) reports as 0, which /proc/net/tcp is on a busy machine.
func readProcFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    // Bounded: /proc/net/tcp is 150 bytes a socket; 64 MiB would be 400,000 sockets.
    while bytes.count < 64 << 20 {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0, errno == EINTR { continue }
        guard n > 0 else { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
