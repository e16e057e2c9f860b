import Foundation
import Testing
import OTACrypto
import OTADomain
import Postgres
import TestSupport
import JSON
@testable import OTAStore

/// The outbox (events in the transaction of their change) and the worker's store side:
/// claims with a per-endpoint bound, leases, results, housekeeping.
@Suite struct WebhookOutboxTests {
    static let sealed = WebhookStore.SealedSecret(sealed: [UInt8](repeating: 0, count: 60), keyId: "k0")

    func partner(_ db: PostgresConnection, _ code: String = "ota-test-partner") throws -> Int64 {
        try db.query("SELECT partner_id FROM partners WHERE code = \(code)").first!.decode("partner_id", as: Int64.self)
    }

    func endpoint(_ db: PostgresConnection, _ id: String, partner: Int64, events: [WebhookEventType]) throws {
        _ = try WebhookStore(db).create(endpointId: id, partnerId: partner, url: "https://203.0.113.10/\(id)", description: nil,
                                        events: events, secret: Self.sealed)
    }

    func count(_ db: PostgresConnection, _ table: String) throws -> Int {
        try db.query("SELECT count(*)::int AS n FROM \(unescaped: table)").first!.decode("n", as: Int.self)
    }

    func place(_ db: PostgresConnection, partner: Int64) throws -> Reservation {
        let request = HoldRequest(productId: 106, quantity: 1, expiresAt: Timestamp(seconds: Int64(Date().timeIntervalSince1970) + 3600))
        let (snapshot, subscribed) = try pricing(db, partner: partner, today: Timestamp(seconds: Int64(Date().timeIntervalSince1970)).date)
        guard case let .held(r) = try ReservationStore(db).place(reservationId: try SecureRandom.identifier(prefix: "res_"), partnerId: partner,
                                                                  request: request, maxUnitsPerHold: 100,
                                                                  snapshot: snapshot, subscribed: subscribed) else {
            throw StoreError.other("hold refused")
        }
        return r
    }

    /// What the gateway passes to place() when it reads the database (no in-memory catalog).
    func pricing(_ db: PostgresConnection, partner: Int64, today: LocalDate) throws -> (PricingSnapshot, Bool) {
        guard let snapshot = try CatalogStore(db).pricingSnapshot(productId: 106, today: today) else { throw StoreError.other("no product 106") }
        return (snapshot, try WebhookOutbox(db).hasSubscriber(partnerId: partner, type: .reservationCreated))
    }

    struct Rollback: Error {}

    @Test func aRolledBackChangeWritesNoEventAndACommittedOneWritesItsOwn() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partner(db)
        try endpoint(db, "we_outbox0001", partner: p, events: [.reservationCreated, .reservationCancelled])
        let r = try place(db, partner: p)
        #expect(try count(db, "webhook_events") == 1)

        do {
            try db.transaction { () throws -> Void in
                #expect(try ReservationStore(db).cancel(reservationId: r.reservationId, partnerId: p) != .notFound)
                #expect(try count(db, "webhook_events") == 2, "written inside the change's transaction")
                throw Rollback()
            }
        } catch is Rollback {}
        #expect(try count(db, "webhook_events") == 1, "rolled back with the change")
        #expect(try count(db, "webhook_deliveries") == 1)
        #expect(try ReservationStore(db).find(reservationId: r.reservationId, partnerId: p)?.status == .active)

        // A hold that is refused writes nothing either.
        let huge = HoldRequest(productId: 106, quantity: 99_999, expiresAt: r.expiresAt)
        let (snapshot, subscribed) = try pricing(db, partner: p, today: r.createdAt.date)
        #expect(try ReservationStore(db).place(reservationId: "res_refused01", partnerId: p, request: huge, maxUnitsPerHold: 100_000,
                                               snapshot: snapshot, subscribed: subscribed) == .insufficient(available: 1999))
        #expect(try count(db, "webhook_events") == 1)

        guard case .cancelled = try ReservationStore(db).cancel(reservationId: r.reservationId, partnerId: p) else {
            Issue.record("cancel refused")
            return
        }
        let types = try db.query("SELECT type FROM webhook_events ORDER BY created_at, type").map { try $0.decode("type", as: String.self) }
        #expect(types == ["reservation.created", "reservation.cancelled"])
        #expect(try count(db, "webhook_deliveries") == 2)
    }

    @Test func theExpirySweepWritesReservationExpired() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partner(db)
        let other = try partner(db, "ota251103")
        try endpoint(db, "we_expiry0001", partner: p, events: [.reservationExpired])
        let r = try place(db, partner: p)
        _ = try place(db, partner: other)
        try db.query("UPDATE reservations SET expires_at = now() - interval '1 second', created_at = now() - interval '1 hour'")
        #expect(try ExpiryStore(db).expireDueHolds(limit: 10).count == 2)
        let rows = try db.query("SELECT type, partner_id, data->>'reservation_id' AS id, data->>'status' AS status FROM webhook_events")
        #expect(rows.count == 1, "only the listening partner's")
        #expect(try rows.first?.decode("id", as: String.self) == r.reservationId)
        #expect(try rows.first?.decode("status", as: String.self) == "expired")
    }

    func deliveries(_ db: PostgresConnection, endpoint: String, partner: Int64, count n: Int) throws {
        for _ in 0..<n {
            _ = try WebhookStore(db).enqueueTest(endpointId: endpoint, partnerId: partner, data: .object([("n", 1)]))
        }
    }

    /// However many workers claim at once, an endpoint never has more than its bound in
    /// flight, and no delivery is claimed twice.
    @Test func claimsKeepThePerEndpointBoundAcrossConcurrentWorkers() throws {
        let t = try TestDatabase()
        let setup = try t.connect()
        let p = try partner(setup)
        try endpoint(setup, "we_bound00001", partner: p, events: [.ticketUsed])
        try endpoint(setup, "we_bound00002", partner: p, events: [.ticketUsed])
        try deliveries(setup, endpoint: "we_bound00001", partner: p, count: 20)
        try deliveries(setup, endpoint: "we_bound00002", partner: p, count: 20)
        let workers = 6
        let connections = try (0..<workers).map { _ in try t.connect() }
        for round in 0..<10 {
            try setup.query("UPDATE webhook_deliveries SET status = 'pending', lease_until = NULL, leased_by = NULL")
            let claimed = Mutex2<[String]>([])
            let group = DispatchGroup()
            for (i, db) in connections.enumerated() {
                let box = UncheckedConnection(db)
                group.enter()
                Thread {
                    defer { group.leave() }
                    let got = (try? WebhookDeliveryStore(box.db).claim(worker: "w\(i)", limit: 5, perEndpoint: 3, leaseSeconds: 60)) ?? []
                    claimed.append(got.map { "\($0.endpointId) \($0.deliveryId)" })
                }.start()
            }
            group.wait()
            // A claimer skips an endpoint another one is claiming for (SKIP LOCKED), so a
            // round may leave an endpoint below its bound; one more claim tops it up.
            let topUp = try WebhookDeliveryStore(setup).claim(worker: "late", limit: 10, perEndpoint: 3, leaseSeconds: 60)
            let all = claimed.value + topUp.map { "\($0.endpointId) \($0.deliveryId)" }
            #expect(Set(all).count == all.count, "round \(round): a delivery claimed twice")
            #expect(claimed.value.filter { $0.hasPrefix("we_bound00001") }.count <= 3, "round \(round): above the bound")
            #expect(claimed.value.filter { $0.hasPrefix("we_bound00002") }.count <= 3, "round \(round): above the bound")
            #expect(all.filter { $0.hasPrefix("we_bound00001") }.count == 3, "round \(round): \(all.count)")
            #expect(all.filter { $0.hasPrefix("we_bound00002") }.count == 3, "round \(round)")
        }
    }

    @Test func aLapsedLeaseIsTakenOverAndItsAttemptShowsLost() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partner(db)
        try endpoint(db, "we_lease00001", partner: p, events: [.ticketUsed])
        try deliveries(db, endpoint: "we_lease00001", partner: p, count: 1)
        let store = WebhookDeliveryStore(db)
        let first = try #require(try store.claim(worker: "a", limit: 5, perEndpoint: 2, leaseSeconds: 60).first)
        #expect(first.attempt == 1)
        #expect(try store.claim(worker: "b", limit: 5, perEndpoint: 2, leaseSeconds: 60).isEmpty, "leased")
        try db.query("UPDATE webhook_deliveries SET lease_until = now() - interval '1 second'")
        let second = try #require(try store.claim(worker: "b", limit: 5, perEndpoint: 2, leaseSeconds: 60).first)
        #expect(second.deliveryId == first.deliveryId && second.attempt == 2)
        #expect(second.body == first.body, "the same bytes and id at every attempt")
        let lost = try db.query("SELECT outcome FROM webhook_attempts WHERE attempt = 1").first?.decode("outcome", as: String.self)
        #expect(lost == "lost")
        // Worker a comes back with its answer: recorded on its attempt, the delivery is b's.
        let late = AttemptResult(deliveryId: first.deliveryId, attempt: 1, outcome: .answered(status: 200), durationMilliseconds: 5, responseBody: "ok")
        #expect(try store.record(late, worker: "a", policy: WebhookRetryPolicy(), jitter: 0.5) == .superseded)
        #expect(try db.query("SELECT outcome FROM webhook_attempts WHERE attempt = 1").first?.decode("outcome", as: String.self) == "succeeded")
        let done = AttemptResult(deliveryId: first.deliveryId, attempt: 2, outcome: .answered(status: 204), durationMilliseconds: 5, responseBody: nil)
        #expect(try store.record(done, worker: "b", policy: WebhookRetryPolicy(), jitter: 0.5) == .delivered)
        #expect(try db.query("SELECT status FROM webhook_deliveries").first?.decode("status", as: String.self) == "delivered")
    }

    @Test func resultsRetryGiveUpAndDisableByTheRules() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partner(db)
        let store = WebhookDeliveryStore(db)
        let policy = WebhookRetryPolicy(base: .seconds(10))
        func next(_ endpoint: String) throws -> ClaimedDelivery {
            try deliveries(db, endpoint: endpoint, partner: p, count: 1)
            return try #require(try store.claim(worker: "w", limit: 1, perEndpoint: 2, leaseSeconds: 60).first)
        }
        func result(_ c: ClaimedDelivery, _ status: Int?) -> AttemptResult {
            AttemptResult(deliveryId: c.deliveryId, attempt: c.attempt,
                          outcome: status.map { .answered(status: $0) } ?? .noAnswer(error: "connection refused"),
                          durationMilliseconds: 3, responseBody: status.map { "status \($0)" })
        }
        try endpoint(db, "we_rules00001", partner: p, events: [.ticketUsed])
        let a = try next("we_rules00001")
        guard case .retrying = try store.record(result(a, 500), worker: "w", policy: policy, jitter: 0.5) else {
            Issue.record("500 is retried")
            return
        }
        let row = try #require(try db.query("""
            SELECT status, extract(epoch FROM next_attempt_at - now())::float8 AS wait, last_response_status,
                   (SELECT failing_since IS NOT NULL FROM webhook_endpoints) AS failing
              FROM webhook_deliveries WHERE delivery_id = \(a.deliveryId)
            """).first)
        #expect(try row.decode("status", as: String.self) == "pending")
        #expect((5.0...15.0).contains(try row.decode("wait", as: Double.self)))
        #expect(try row.decode("last_response_status", as: Int.self) == 500)
        #expect(try row.decode("failing", as: Bool.self))

        // No 2xx within 3 days of the event: failed.
        try db.query("UPDATE webhook_deliveries SET next_attempt_at = now(), created_at = now() - interval '3 days'")
        let again = try #require(try store.claim(worker: "w", limit: 1, perEndpoint: 2, leaseSeconds: 60).first)
        #expect(try store.record(result(again, nil), worker: "w", policy: policy, jitter: 0.5) == .failed)

        // Failing for 3 days disables the endpoint, with the reason.
        try db.query("UPDATE webhook_endpoints SET failing_since = now() - interval '3 days 1 minute'")
        let b = try next("we_rules00001")
        guard case let .endpointDisabled(reason) = try store.record(result(b, 503), worker: "w", policy: policy, jitter: 0.5) else {
            Issue.record("not disabled")
            return
        }
        #expect(reason.contains("every attempt failed since"))
        let shown = try #require(try WebhookStore(db).find(endpointId: "we_rules00001", partnerId: p))
        #expect(!shown.isEnabled && shown.disabledReason == reason)
        try deliveries(db, endpoint: "we_rules00001", partner: p, count: 1)
        #expect(try store.claim(worker: "w", limit: 5, perEndpoint: 2, leaseSeconds: 60).isEmpty, "a disabled endpoint gets nothing")

        // 410 Gone disables at once; a success clears the failure streak.
        try endpoint(db, "we_rules00002", partner: p, events: [.ticketUsed])
        let c = try next("we_rules00002")
        #expect(try store.record(result(c, 502), worker: "w", policy: policy, jitter: 0.5) != .delivered)
        try db.query("UPDATE webhook_deliveries SET next_attempt_at = now() WHERE delivery_id = \(c.deliveryId)")
        let c2 = try #require(try store.claim(worker: "w", limit: 1, perEndpoint: 2, leaseSeconds: 60).first)
        #expect(try store.record(result(c2, 200), worker: "w", policy: policy, jitter: 0.5) == .delivered)
        #expect(try WebhookStore(db).find(endpointId: "we_rules00002", partnerId: p)?.failingSince == nil)
        let d = try next("we_rules00002")
        guard case let .endpointDisabled(gone) = try store.record(result(d, 410), worker: "w", policy: policy, jitter: 0.5) else {
            Issue.record("410 does not disable")
            return
        }
        #expect(gone.contains("410"))
        let attempts = try WebhookDeliveryStore(db).deliveries(endpointId: "we_rules00002", partnerId: p, status: nil, page: PageRequest())
        #expect(attempts.items.flatMap(\.attempts).map(\.responseStatus).sorted { ($0 ?? 0) < ($1 ?? 0) } == [200, 410, 502])
    }

    @Test func finishedDeliveriesAreDeletedAfterTheRetentionInBatches() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let p = try partner(db)
        try endpoint(db, "we_purge00001", partner: p, events: [.ticketUsed])
        try deliveries(db, endpoint: "we_purge00001", partner: p, count: 5)
        try db.query("""
            UPDATE webhook_deliveries SET status = 'delivered', finished_at = now() - interval '15 days'
             WHERE delivery_id IN (SELECT delivery_id FROM webhook_deliveries ORDER BY delivery_id LIMIT 3)
            """)
        try db.query("UPDATE webhook_events SET created_at = now() - interval '15 days'")
        let store = WebhookDeliveryStore(db)
        #expect(try store.purge(olderThanDays: 14, limit: 2) == 4, "2 deliveries, then their 2 events")
        #expect(try store.purge(olderThanDays: 14, limit: 2) == 2)
        #expect(try store.purge(olderThanDays: 14, limit: 2) == 0)
        #expect(try count(db, "webhook_deliveries") == 2, "pending ones stay")
        #expect(try count(db, "webhook_events") == 2)
    }
}

/// A connection handed to one other thread, used there alone while the test waits.
struct UncheckedConnection: @unchecked Sendable {
    // @unchecked: each instance goes to exactly one thread, which is its only user until
    // the test's group.wait() returns.
    let db: PostgresConnection
    init(_ db: PostgresConnection) { self.db = db }
}

/// A lock-protected value for the test's threads.
final class Mutex2<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func append<E>(_ items: [E]) where Value == [E] { lock.withLock { stored += items } }
}
