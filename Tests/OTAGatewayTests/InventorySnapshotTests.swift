import Foundation
import Postgres
import Synchronization
import Testing
import TestSupport
@testable import OTAGateway

/// A monotonic clock the test moves by hand (nanoseconds).
final class ManualClock: Sendable {
    private let nanos = Atomic<UInt64>(1_000_000_000)
    var now: UInt64 { nanos.load(ordering: .sequentiallyConsistent) }
    func advance(_ d: Duration) {
        nanos.add(UInt64(d.components.seconds) * 1_000_000_000 + UInt64(d.components.attoseconds / 1_000_000_000), ordering: .sequentiallyConsistent)
    }
}

/// GET /inventory from the in-process reading of the pools (issue 10): never older than
/// OTA_INVENTORY_MAX_STALENESS_MS, `as_of` never later than its data, and back to exact
/// figures after PostgreSQL dropped every connection.
@Suite struct InventorySnapshotTests {
    func available(_ g: InProcessGateway, _ product: String = "106") -> Int? {
        (g.get("/api/ota/inventory").json["available_quantities"] as? [String: Int])?[product]
    }

    func databaseAvailable(_ g: InProcessGateway) throws -> Int {
        let p = try g.otaPool()
        return p.allocated - p.reserved - p.sold
    }

    func hold(_ g: InProcessGateway) -> InProcessGateway.Answer {
        g.post("/api/ota/reserve", #"{"product_id":106,"quantity":1}"#)
    }

    @Test func aReadingOlderThanTheBoundIsNeverServed() throws {
        let clock = ManualClock()
        let g = try InProcessGateway(memory: .clock({ clock.now }))
        let first = try #require(available(g))
        #expect(first == (try databaseAvailable(g)))
        #expect(hold(g).status == 201)
        #expect(available(g) == first, "the reading is used while fresh")
        clock.advance(.milliseconds(50))
        #expect(available(g) == first, "50 ms old: still within OTA_INVENTORY_MAX_STALENESS_MS")
        clock.advance(.nanoseconds(1))
        #expect(available(g) == first - 1, "older: the request reads the database")
        // ...and installs what it read, for the next requests.
        #expect(hold(g).status == 201)
        #expect(available(g) == first - 1)
        clock.advance(.milliseconds(51))
        #expect(available(g) == first - 2)
        #expect(try databaseAvailable(g) == first - 2)
    }

    func asOf(_ r: InProcessGateway.Answer) throws -> String { try #require(r.json["as_of"] as? String) }

    /// A worker serves its own copy without the lock, so the copy must follow every
    /// reading installed since (by the poller or another worker), and a stale one is never
    /// served from it either.
    @Test func aWorkersCopyFollowsEveryInstalledReading() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let clock = ManualClock()
        let s = InventorySnapshots(maxStaleness: .milliseconds(50), pollInterval: .milliseconds(20), idleAfter: .seconds(1),
                                   clock: { clock.now })
        var copy: InventorySnapshots.Copy?
        let first = try s.pools(db, copy: &copy) // nothing installed yet: read and installed
        clock.advance(.milliseconds(10))
        #expect(try s.pools(db, copy: &copy).takenAt == first.takenAt, "the installed reading")
        #expect(copy?.snapshot.takenAt == first.takenAt, "...now the worker's copy")
        #expect(try s.pools(db, copy: &copy).takenAt == first.takenAt, "nothing newer installed: the copy")
        let newer = try s.read(db) // as the poller does
        #expect(try s.pools(db, copy: &copy).takenAt == newer.takenAt, "a newer installation replaces the copy")
        clock.advance(.milliseconds(51))
        let fresh = try s.pools(db, copy: &copy)
        #expect(fresh.takenAt == clock.now, "too old: read from the database, not the copy")
    }

    @Test func asOfIsNeverLaterThanTheDatabaseTimeOfItsData() throws {
        let clock = ManualClock()
        let g = try InProcessGateway(memory: .clock({ clock.now }))
        let read = g.get("/api/ota/inventory")
        let stamp = try asOf(read)
        Thread.sleep(forTimeInterval: 1.05)
        // A hold after the reading, by the database clock; the reading is still served
        // (the test clock did not move) and says it is older than that hold.
        let h = hold(g)
        #expect(h.status == 201)
        let created = try #require(h.json["created_at"] as? String)
        let again = g.get("/api/ota/inventory")
        #expect(try asOf(again) == stamp)
        #expect(try g.sql("SELECT \(stamp)::timestamptz < \(created)::timestamptz AS ok").first?.decode("ok", as: Bool.self) == true)

        let live = try InProcessGateway(memory: .live)
        for _ in 0..<20 {
            let r = live.get("/api/ota/inventory")
            let stamp = try asOf(r)
            let ok = try live.sql("SELECT \(stamp)::timestamptz <= now() AS ok").first?.decode("ok", as: Bool.self)
            #expect(ok == true, "as_of \(stamp) is later than the database's time")
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    @Test func theReadingRecoversAfterPostgreSQLDroppedEveryConnection() throws {
        let g = try InProcessGateway(memory: .live)
        for _ in 0..<5 { #expect(available(g) != nil) }
        try #require(try CatalogCacheTests.within {
            try g.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ota-gateway-inventory'")
                .first?.decode("n", as: Int.self) == 1
        } != nil, "the poller runs while inventory is read")
        // What a restart looks like from here: every backend of the database is gone.
        _ = try g.sql("""
            SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
            """)
        #expect(CatalogCacheTests.within { hold(g).status == 201 } != nil, "holds work again")
        for _ in 0..<3 {
            #expect(hold(g).status == 201)
            let exact = try databaseAvailable(g)
            // Past the bound since the hold committed, any reading served is newer than it.
            Thread.sleep(forTimeInterval: 0.06)
            #expect(available(g) == exact)
        }
        #expect(try CatalogCacheTests.within {
            try g.sql("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ota-gateway-inventory'")
                .first?.decode("n", as: Int.self) == 1
        } != nil, "the poller reconnected")
    }

    @Test func thePollerRenewsTheReadingOnlyWhileInventoryIsRead() throws {
        let g = try InProcessGateway(environment: ["OTA_INVENTORY_IDLE_MS": "200"], memory: .live)
        let first = try #require(available(g))
        _ = try g.sql("UPDATE channel_inventory SET allocated = allocated - 7 WHERE product_id = 106 AND channel = 'ota'")
        #expect(CatalogCacheTests.within { available(g) == first - 7 } != nil)
        // Idle: after OTA_INVENTORY_IDLE_MS without a read the poller sends nothing (a
        // second for the poller's last turn on a busy machine).
        Thread.sleep(forTimeInterval: 1)
        let started = { try g.sql("SELECT string_agg(pid || ' ' || state || ' ' || query_start::text, '; ') AS t FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ota-gateway-inventory'")
            .first?.decode("t", as: String.self) }
        let idle = try started()
        Thread.sleep(forTimeInterval: 0.3)
        let later = try started()
        #expect(later == idle, "no query while nobody reads inventory")
        #expect(available(g) == first - 7)
    }

    @Test func theSettingsAreCheckedAtStart() throws {
        let base = ["OTA_DATABASE_URL": "postgresql://127.0.0.1/x"]
        let defaults = try GatewayConfiguration(environment: base)
        #expect(defaults.inventoryMaxStalenessMs == 50 && defaults.inventoryPollMs == 20 && defaults.inventoryIdleMs == 1000)
        #expect(defaults.catalogCache)
        func refused(_ env: [String: String]) -> String? {
            do {
                _ = try GatewayConfiguration(environment: base.merging(env) { $1 })
                return nil
            } catch {
                return String(describing: error)
            }
        }
        #expect(refused(["OTA_INVENTORY_MAX_STALENESS_MS": "fifty"])?.contains("OTA_INVENTORY_MAX_STALENESS_MS=fifty") == true)
        #expect(refused(["OTA_INVENTORY_POLL_MS": "0"])?.contains("OTA_INVENTORY_POLL_MS=0") == true)
        #expect(refused(["OTA_INVENTORY_POLL_MS": "50"])?.contains("must be below OTA_INVENTORY_MAX_STALENESS_MS=50") == true)
        #expect(refused(["OTA_INVENTORY_IDLE_MS": "-1"]) != nil)
        #expect(refused(["OTA_CATALOG_CACHE": "maybe"])?.contains("on or off") == true)
        #expect(refused(["OTA_INVENTORY_MAX_STALENESS_MS": "0", "OTA_INVENTORY_POLL_MS": "50"]) == nil, "0: no reading to renew")
    }
}
