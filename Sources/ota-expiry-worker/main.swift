import Foundation
import OTALog
import OTAWorker
import Posix
import SystemdNotify
import JSON

// The process's signal policy, first, before anything could start a thread: SIGTERM and
// SIGINT must reach the worker's signalfd, never a thread that does not block them (which
// would kill the process mid-batch); a write to a closed peer fails with EPIPE instead of
// killing it.
SignalSet.termination.block()
SignalDisposition.ignore(SIGPIPE)

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("ota-expiry-worker: \(message)\n".utf8))
    exit(code)
}

let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("--help") || arguments.contains("-h") {
    print(ExpiryWorkerConfiguration.help)
    exit(0)
}
if let unknown = arguments.first {
    fail("unknown argument \(unknown); see --help", code: 2)
}

let environment = ProcessInfo.processInfo.environment
let configuration: ExpiryWorkerConfiguration
let webhooks: WebhookDeliveryConfiguration?
do {
    configuration = try ExpiryWorkerConfiguration(environment: environment)
    webhooks = try WebhookDeliveryConfiguration.from(environment: environment)
} catch {
    fail(error.description, code: 2)
}

let signals: TerminationSignals
do {
    signals = try TerminationSignals()
} catch {
    fail(error.description, code: 1)
}

let systemd = SystemdNotifier(environment: environment)
/// A failed notification is logged, never fatal: the worker's job goes on regardless, and
/// systemd acts on what it misses (a start timeout, a watchdog restart).
func tell(_ state: SystemdState) {
    do {
        try systemd.notify(state)
    } catch {
        Log.event("systemd.notify_failed", [("error", .string(error.description))], level: "warn")
    }
}

var hooks = ExpiryWorkerHooks()
hooks.ready = { tell(.ready) }
hooks.stopping = { tell(.stopping) }
hooks.alive = { tell(.watchdog) }
hooks.aliveInterval = systemd.watchdogInterval
hooks.status = { tell(.status($0)) }

// Webhook delivery runs on threads of its own beside the sweeper (issue 11); SIGTERM ends
// the sweeper's loop, then the deliveries in flight finish and are recorded.
var dispatcher: WebhookDispatcher?
if let webhooks {
    do {
        // gethostname, not ProcessInfo.hostName (which may wait on DNS): names this process in leases.
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count - 1) == 0 ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "worker"
        let worker = "\(host):\(getpid())"
        let d = try WebhookDispatcher(configuration: webhooks, postgres: configuration.postgres, worker: worker)
        if d.start() { dispatcher = d }
    } catch {
        Log.event("webhooks.unavailable", [("error", .string(String(describing: error)))], level: "error")
    }
} else {
    Log.event("webhooks.not_configured", [("detail", "OTA_WEBHOOK_SECRET_KEY is not set: webhook events are not delivered")],
              level: "warn")
}
ExpiryWorker(configuration: configuration, hooks: hooks, signals: signals).run()
dispatcher?.stop()
exit(0)
