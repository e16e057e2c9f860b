import Foundation
import OTALog
import Postgres
import Synchronization
import JSON

/// What every worker's key cache must know to stay exact: a generation that moves on
/// whenever the database announces a change of keys, partners or permissions
/// (`ota_auth_changed`, sql/migrations/0013), and whether the announcements are being
/// heard at all. While they are not (the listener is reconnecting), nothing is cached, so
/// a revoked key or a disabled partner stops working on every gateway at once, never
/// after a cache period.
final class AuthGeneration: Sendable {
    private let generation = Atomic<UInt64>(0)
    private let listening = Atomic<Bool>(false)

    /// The generation a cache entry must carry to be used; nil: do not cache at all.
    var current: UInt64? {
        listening.load(ordering: .acquiring) ? generation.load(ordering: .acquiring) : nil
    }

    func changed() { generation.add(1, ordering: .releasing) }

    func setListening(_ on: Bool) {
        generation.add(1, ordering: .releasing)
        listening.store(on, ordering: .releasing)
    }
}

/// One thread per gateway with a connection of its own that LISTENs on ota_auth_changed
/// and moves the generation on each notification. Reconnects with a short backoff.
final class AuthInvalidationListener: Sendable {
    static let channel = "ota_auth_changed"
    let generation: AuthGeneration
    private let stopped = Atomic<Bool>(false)
    private let configuration: PostgresConfiguration

    init(configuration: PostgresConfiguration, generation: AuthGeneration) {
        var c = configuration
        c.applicationName = "ota-gateway-auth-listener"
        self.configuration = c
        self.generation = generation
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "auth-invalidation"
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .releasing) }

    private func run() {
        var backoff: Duration = .milliseconds(100)
        while !stopped.load(ordering: .acquiring) {
            do {
                let db = try PostgresConnection(configuration)
                defer { db.close() }
                try db.listen(Self.channel)
                generation.setListening(true)
                backoff = .milliseconds(100)
                while !stopped.load(ordering: .acquiring) {
                    if !(try db.waitForNotifications(timeout: .milliseconds(500))).isEmpty { generation.changed() }
                }
            } catch {
                generation.setListening(false)
                Log.event("auth_listener.disconnected", [("error", .string(String(describing: error)))], level: "warn")
                Thread.sleep(forTimeInterval: Double(backoff.components.attoseconds) / 1e18 + Double(backoff.components.seconds))
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        generation.setListening(false)
    }
}
