import Dispatch
import Foundation
import JSON
import OTALog
import OTAStore
import Postgres
import Synchronization

/// GET /inventory's figures in memory: the latest reading of the OTA pools (one statement,
/// CatalogStore.otaPools), used while it is at most `maxStaleness` old by this process's
/// monotonic clock, counted from before the statement was sent, so a served figure is
/// never further behind the database than that. A poller thread re-reads every
/// `pollInterval` while inventory is being read, and stops querying once nobody read for
/// `idleAfter`. When the reading is older (the poller is parked, missed its turns, or
/// cannot reach PostgreSQL: a restart), the request reads the pools itself and installs
/// what it read. Holds never look here: they always lock. No trigger notifies this
/// cache: a NOTIFY per hold would take PostgreSQL's database-wide notify lock at every
/// hold's commit.
final class InventorySnapshots: Sendable {
    struct Snapshot: Sendable {
        let pools: OTAPools
        /// The clock when the statement was sent (the figures are at least that recent).
        let takenAt: UInt64
    }

    let maxStalenessNanos: UInt64
    let pollIntervalNanos: UInt64
    let idleNanos: UInt64
    /// Monotonic nanoseconds; injected by tests.
    let clock: @Sendable () -> UInt64
    private let latest = Mutex<Snapshot?>(nil)
    /// Moves on with every installed reading, so a worker's copy knows when it is behind
    /// without taking the lock.
    private let installed = Atomic<UInt64>(0)
    private let lastReadAt = Atomic<UInt64>(0)
    private let parked = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    init(maxStaleness: Duration, pollInterval: Duration, idleAfter: Duration,
         clock: @escaping @Sendable () -> UInt64 = { uptimeNanos() }) {
        func nanos(_ d: Duration) -> UInt64 { UInt64(d.components.seconds) * 1_000_000_000 + UInt64(d.components.attoseconds / 1_000_000_000) }
        maxStalenessNanos = nanos(maxStaleness)
        pollIntervalNanos = nanos(pollInterval)
        idleNanos = nanos(idleAfter)
        self.clock = clock
        lastReadAt.store(clock(), ordering: .sequentiallyConsistent)
    }

    /// A worker's copy of the installed reading, and which installation it is.
    struct Copy {
        let snapshot: Snapshot
        let installation: UInt64
    }

    /// The pools for a request: the installed reading if fresh enough, else read now with
    /// the request's own connection (and installed). Through the worker's copy: the lock is
    /// taken only when a newer reading was installed since (every poll interval), never per
    /// request.
    func pools(_ db: PostgresConnection, copy: inout Copy?) throws(StoreError) -> Snapshot {
        let now = clock()
        noteRead(at: now)
        let installation = installed.load(ordering: .acquiring)
        if copy?.installation != installation {
            // Read after the counter: the reading is at least that installation's.
            copy = latest.withLock { $0 }.map { Copy(snapshot: $0, installation: installation) }
        }
        if let s = copy?.snapshot, s.takenAt >= now || now - s.takenAt <= maxStalenessNanos { return s }
        let s = try read(db)
        copy = nil // the next request takes the installed reading, whichever is newest
        return s
    }

    /// Keeps the poller running (and wakes it when parked). The shared timestamp is
    /// written at most once a millisecond, not by every request.
    private func noteRead(at now: UInt64) {
        if now &- lastReadAt.load(ordering: .relaxed) > 1_000_000 { lastReadAt.store(now, ordering: .sequentiallyConsistent) }
        if parked.load(ordering: .sequentiallyConsistent),
           parked.compareExchange(expected: true, desired: false, ordering: .sequentiallyConsistent).exchanged { wake.signal() }
    }

    /// Reads the pools and installs the reading unless a newer one is there already.
    @discardableResult
    func read(_ db: PostgresConnection) throws(StoreError) -> Snapshot {
        let takenAt = clock()
        let s = Snapshot(pools: try CatalogStore(db).otaPools(), takenAt: takenAt)
        latest.withLock { current in
            if current.map({ $0.takenAt < takenAt }) ?? true {
                current = s
                installed.add(1, ordering: .releasing)
            }
        }
        return s
    }

    func startPoller(_ configuration: PostgresConfiguration) {
        var c = configuration
        c.applicationName = "ota-gateway-inventory"
        // A poll waiting on an unreachable database is useless after a few staleness periods.
        c.connectTimeoutSeconds = 2
        let thread = Thread { [self, c] in poll(c) }
        thread.name = "inventory-poller"
        thread.start()
    }

    func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        wake.signal()
    }

    private func poll(_ configuration: PostgresConfiguration) {
        var db: PostgresConnection?
        var failures = 0
        defer { db?.close() }
        while !stopped.load(ordering: .sequentiallyConsistent) {
            if clock() &- lastReadAt.load(ordering: .sequentiallyConsistent) > idleNanos {
                // Idle: no queries until a request wakes us. Parked first, then checked
                // again, so a read between the two is never missed (it sees `parked`).
                parked.store(true, ordering: .sequentiallyConsistent)
                if clock() &- lastReadAt.load(ordering: .sequentiallyConsistent) > idleNanos {
                    _ = wake.wait(timeout: .now() + .seconds(1))
                }
                parked.store(false, ordering: .sequentiallyConsistent)
                continue
            }
            do {
                let connection = try db ?? PostgresConnection(configuration)
                db = connection
                try read(connection)
                failures = 0
                Thread.sleep(forTimeInterval: Double(pollIntervalNanos) / 1e9)
            } catch {
                db?.close()
                db = nil
                failures += 1
                if failures == 1 {
                    Log.event("inventory_poller.failed", [("error", .string(String(describing: error)))], level: "warn")
                }
                // Requests read the pools themselves meanwhile; retry soon, not in a spin.
                Thread.sleep(forTimeInterval: min(0.05 * Double(failures), 1))
            }
        }
    }
}
