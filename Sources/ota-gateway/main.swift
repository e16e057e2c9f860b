import Foundation
import OTALog
import OTAGateway
import Synchronization
import SystemdNotify

let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("--help") || arguments.contains("-h") {
    print(GatewayConfiguration.help)
    exit(0)
}
if let unknown = arguments.first {
    FileHandle.standardError.write(Data("ota-gateway: unknown argument \(unknown); see --help\n".utf8))
    exit(2)
}

let config: GatewayConfiguration
do {
    config = try GatewayConfiguration(environment: ProcessInfo.processInfo.environment)
} catch {
    FileHandle.standardError.write(Data("ota-gateway: \(error)\n".utf8))
    exit(2)
}

/// systemd's watchdog (WatchdogSec=), pinged from a thread of its own from READY=1 until
/// `run()` returns. It shows that the process is alive and not wedged in start-up or
/// shutdown; it does not probe the event loop itself.
final class WatchdogPinger: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let systemd: SystemdNotifier

    init(systemd: SystemdNotifier) { self.systemd = systemd }

    func start() {
        guard let interval = systemd.watchdogInterval else { return }
        let thread = Thread { [self] in
            var next = ContinuousClock.now
            while !stopped.load(ordering: .acquiring) {
                if ContinuousClock.now >= next {
                    notify(systemd, .watchdog)
                    next = ContinuousClock.now + interval
                }
                // Short naps so that stop() takes effect at once.
                usleep(50_000)
            }
        }
        thread.name = "systemd-watchdog"
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .releasing) }
}

/// A failed notification is logged, never fatal: systemd acts on what it misses.
func notify(_ systemd: SystemdNotifier, _ state: SystemdState) {
    do {
        try systemd.notify(state)
    } catch {
        Log.event("systemd.notify_failed", [("error", .string(error.description))], level: "warn")
    }
}

let systemd = SystemdNotifier(environment: ProcessInfo.processInfo.environment)
do {
    // Creating the server blocks SIGTERM/SIGINT, before the watchdog thread exists.
    let server = try Gateway.makeServer(config)
    let watchdog = WatchdogPinger(systemd: systemd)
    server.onReady = { [systemd] in
        notify(systemd, .ready)
        watchdog.start()
    }
    Log.event("gateway.listening", [("host", .string(config.http.host)), ("port", .int(server.port)),
                                    ("workers", .int(config.http.workerCount))])
    try server.run()
    watchdog.stop()
    notify(systemd, .stopping)
    Log.event("gateway.stopped")
} catch {
    FileHandle.standardError.write(Data("ota-gateway: \(error)\n".utf8))
    exit(1)
}
