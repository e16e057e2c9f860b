import Foundation
import OTALog
import Postgres
import Synchronization
import JSON

/// What an in-memory cache must know to stay exact: a generation that moves on whenever
/// the database announces a change (a NOTIFY channel), and whether the announcements are
/// being heard at all. While they are not (the listener is reconnecting), nothing is
/// cached, so a change is used at once, never after a cache period. The key caches use
/// one (`ota_auth_changed`, sql/migrations/0013: a revoked key or a disabled partner stops
/// working on every gateway at once), the catalog another (`ota_catalog_changed`, 0018).
final class InvalidationGeneration: Sendable {
    private let generation = Atomic<UInt64>(0)
    private let listening = Atomic<Bool>(false)
    /// When the listener last heard from PostgreSQL (a notification or an answered ping),
    /// in uptime nanoseconds.
    private let heardAt = Atomic<UInt64>(0)
    /// nil: listening is enough. Else caching also stops once the listener has heard
    /// nothing for this long, so a connection that died silently (no RST: the listener
    /// would block until TCP gives up) cannot keep a stale cache in use: the bound of
    /// the catalog's freshness.
    let maxSilenceNanos: UInt64?

    init(maxSilence: Duration? = nil) {
        maxSilenceNanos = maxSilence.map { UInt64($0.components.seconds) * 1_000_000_000 + UInt64($0.components.attoseconds / 1_000_000_000) }
    }

    /// The generation a cache entry must carry to be used; nil: do not cache at all.
    var current: UInt64? {
        guard listening.load(ordering: .acquiring) else { return nil }
        let g = generation.load(ordering: .acquiring)
        if let bound = maxSilenceNanos, uptimeNanos() &- heardAt.load(ordering: .acquiring) > bound { return nil }
        return g
    }

    func changed() { generation.add(1, ordering: .releasing) }

    func heard() { heardAt.store(uptimeNanos(), ordering: .releasing) }

    func setListening(_ on: Bool) {
        generation.add(1, ordering: .releasing)
        if on { heard() }
        listening.store(on, ordering: .releasing)
    }
}

/// The key caches' generation (Authentication.swift).
typealias AuthGeneration = InvalidationGeneration

func uptimeNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// One thread per gateway with a connection of its own that LISTENs on the channels of
/// its generations (ota_auth_changed, ota_catalog_changed) and moves a channel's
/// generation on each of its notifications. Reconnects with a short backoff. After
/// `heartbeat` without a notification it pings (one `SELECT 1`), so a generation with a
/// silence bound knows the connection is alive.
final class InvalidationListener: Sendable {
    static let authChannel = "ota_auth_changed"
    static let catalogChannel = "ota_catalog_changed"
    private let generations: [String: InvalidationGeneration]
    private let heartbeat: Duration
    private let stopped = Atomic<Bool>(false)
    private let configuration: PostgresConfiguration

    init(configuration: PostgresConfiguration, generations: [String: InvalidationGeneration], heartbeat: Duration = .milliseconds(250)) {
        var c = configuration
        c.applicationName = "ota-gateway-listener"
        self.configuration = c
        self.generations = generations
        self.heartbeat = heartbeat
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "invalidation"
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .releasing) }

    private func run() {
        var backoff: Duration = .milliseconds(100)
        while !stopped.load(ordering: .acquiring) {
            do {
                let db = try PostgresConnection(configuration)
                defer { db.close() }
                for channel in generations.keys.sorted() { try db.listen(channel) }
                for g in generations.values { g.setListening(true) }
                backoff = .milliseconds(100)
                while !stopped.load(ordering: .acquiring) {
                    let notifications = try db.waitForNotifications(timeout: heartbeat)
                    if notifications.isEmpty {
                        try db.query("SELECT 1")
                    }
                    for channel in Set(notifications.map(\.channel)) { generations[channel]?.changed() }
                    for g in generations.values { g.heard() }
                }
            } catch {
                for g in generations.values { g.setListening(false) }
                Log.event("invalidation_listener.disconnected", [("error", .string(String(describing: error)))], level: "warn")
                Thread.sleep(forTimeInterval: Double(backoff.components.attoseconds) / 1e18 + Double(backoff.components.seconds))
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        for g in generations.values { g.setListening(false) }
    }
}
