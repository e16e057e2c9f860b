import Foundation
import Testing
import OTADomain
import Postgres
import TestSupport
@testable import OTAStore

/// The fleet's request figures: flushes of several gateways add up, a repeated flush adds
/// only what it carries, the roll-up into hours keeps every count, retention deletes.
@Suite struct RequestMetricsStoreTests {
    static let bounds = [0.1, 0.5, 1.0]
    /// Three days ago, on the hour: old enough to be rolled up, young enough to be kept.
    static let minute: Int64 = {
        let now = Int64(Date().timeIntervalSince1970) - 3 * 86_400
        return now - now % 3600
    }()

    func count(_ minute: Int64, _ route: String, _ cls: String, _ n: Int, _ buckets: [Int], sum: Double = 1) -> RequestMetricsStore.MinuteCount {
        RequestMetricsStore.MinuteCount(minute: minute, route: route, statusClass: cls, requests: n, secondsSum: sum, buckets: buckets)
    }

    @Test func quantilesInterpolateAsPrometheusDoes() {
        let q = RequestMetricsStore.quantile
        #expect(q(0.5, Self.bounds, [50, 90, 100], 100) == 0.1)
        #expect(abs(q(0.99, Self.bounds, [50, 90, 100], 100)! - 0.95) < 1e-12)
        #expect(q(0.99, Self.bounds, [0, 0, 10], 20) == 1.0, "slower than every bound: the last bound")
        #expect(q(0.5, Self.bounds, [0, 0, 0], 0) == nil)
    }

    @Test func twoGatewaysAddUpPerRouteAndRetriesAdd() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let store = RequestMetricsStore(db)
        try store.flush(instance: "gw-1", bounds: Self.bounds, counts: [
            count(Self.minute, "reserve", "2xx", 10, [5, 9, 10], sum: 2),
            count(Self.minute, "reserve", "5xx", 1, [0, 0, 1], sum: 0.8),
            count(Self.minute + 60, "getInventory", "4xx", 3, [3, 3, 3], sum: 0.03),
        ])
        try store.flush(instance: "gw-2", bounds: Self.bounds, counts: [count(Self.minute, "reserve", "2xx", 20, [10, 20, 20], sum: 3)])
        // The same instance and minute again (a later flush of a minute it had partly sent).
        try store.flush(instance: "gw-1", bounds: Self.bounds, counts: [count(Self.minute, "reserve", "2xx", 5, [5, 5, 5], sum: 0.1)])

        let from = Timestamp(seconds: Self.minute), to = Timestamp(seconds: Self.minute + 3600)
        let routes = Dictionary(uniqueKeysWithValues: try store.routes(from: from, to: to).map { ($0.route, $0) })
        let reserve = try #require(routes["reserve"])
        #expect(reserve.requests == 36)
        #expect(reserve.serverErrors == 1 && reserve.clientErrors == 0)
        #expect(abs(reserve.errorRate! - 1.0 / 36) < 1e-12)
        #expect(abs(reserve.secondsSum - 5.9) < 1e-9)
        // Merged buckets: [20, 34, 36]; p50 rank 18 lies in the first bucket.
        #expect(abs(reserve.p50! - 0.09) < 1e-12)
        #expect(routes["getInventory"]?.clientErrors == 3)
        #expect(try db.query("SELECT count(*)::int AS n FROM request_minutes").first?.decode("n", as: Int.self) == 4)

        // Old minutes become hours; the figures of the window stay the same.
        let rolled = try store.rollUp()
        #expect(rolled.minutes == 4)
        #expect(try db.query("SELECT count(*)::int AS n FROM request_minutes").first?.decode("n", as: Int.self) == 0)
        #expect(try db.query("SELECT count(*)::int AS n FROM request_hours").first?.decode("n", as: Int.self) == 3)
        let after = Dictionary(uniqueKeysWithValues: try store.routes(from: from, to: to).map { ($0.route, $0) })
        let again = try #require(after["reserve"])
        #expect((again.requests, again.clientErrors, again.serverErrors, again.p50, again.p99)
                == (reserve.requests, reserve.clientErrors, reserve.serverErrors, reserve.p50, reserve.p99))
        #expect(after["getInventory"]?.requests == 3)
    }

    @Test func recentMinutesStayAndOldHoursGo() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let store = RequestMetricsStore(db)
        let now = Int64(Date().timeIntervalSince1970)
        let recent = now - now % 60 - 3600
        try store.flush(instance: "gw", bounds: Self.bounds, counts: [count(recent, "livez", "2xx", 1, [1, 1, 1])])
        try db.query("""
            INSERT INTO request_hours (hour, route, status_class, requests, seconds_sum, le_seconds, buckets)
            VALUES (date_trunc('hour', now() - interval '91 days'), 'livez', '2xx', 7, 0.1, '{0.1,0.5,1}', '{7,7,7}'),
                   (date_trunc('hour', now() - interval '89 days'), 'livez', '2xx', 8, 0.1, '{0.1,0.5,1}', '{8,8,8}')
            """)
        let done = try store.rollUp()
        #expect(done.minutes == 0 && done.hours == 1)
        #expect(try db.query("SELECT count(*)::int AS n FROM request_minutes").first?.decode("n", as: Int.self) == 1)
        #expect(try db.query("SELECT coalesce(sum(requests), 0)::int AS n FROM request_hours").first?.decode("n", as: Int.self) == 8)
        // The series adds minutes and hours per bucket.
        let series = try KPIStore(db).series(.requests, step: .day, from: Timestamp(seconds: now - 95 * 86_400),
                                             to: Timestamp(seconds: now + 60), filter: KPI.Filter())
        let total = series.series.first { $0.name == "requests" }?.values.compactMap { $0 }.reduce(0, +)
        #expect(total == 9)
    }
}
