import Foundation
import OTALog
import OTAGateway
import Posix
import Synchronization
import SystemdNotify
import HTTP
import JSON

// The process's signal policy, first, before anything could start a thread: SIGTERM and
// SIGINT stay blocked in every thread and are read by one watcher thread, which asks the
// server to drain (below); a write to a closed peer fails with EPIPE instead of killing
// the process (the server's own sends pass MSG_NOSIGNAL anyway).
SignalSet.termination.block()
SignalDisposition.ignore(SIGPIPE)

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
    let server = try Gateway.makeServer(config)
    // A signal that arrived before this stays pending and is read at once: the server
    // then drains as soon as it runs.
    let signals = try SignalWatcher(.termination) { _ in server.shutdown() }
    let watchdog = WatchdogPinger(systemd: systemd)
    server.onReady = { [systemd] in
        notify(systemd, .ready)
        watchdog.start()
    }
    // The ids (never the keys) of the webhook key ring, active first: what a master-key
    // rotation checks before `ota-admin webhook reseal --key-id`.
    Log.event("gateway.listening", [("host", .string(config.http.host)), ("port", .int(server.port)),
                                    ("workers", .int(config.http.workerCount)),
                                    ("webhook_secret_keys", .array(config.webhookSecretKeyIds.map { .string($0) }))])
    try server.run()
    Gateway.finish()
    signals.stop()
    watchdog.stop()
    notify(systemd, .stopping)
    Log.event("gateway.stopped")
} catch {
    FileHandle.standardError.write(Data("ota-gateway: \(error)\n".utf8))
    exit(1)
}
