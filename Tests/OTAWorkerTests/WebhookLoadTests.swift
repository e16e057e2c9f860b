import Foundation
import OTADomain
import Postgres
import Testing
import TestSupport
import JSON
@testable import OTAStore

/// Two workers, 1,000 events to three endpoints, one of which takes 2 s per answer: all
/// arrive, the fast endpoints are served without waiting for the slow one, the slow one
/// never has more than its bound in flight, and no event is sent twice at once.
@Suite struct WebhookLoadTests {
    @Test(.timeLimit(.minutes(6)))
    func twoWorkersDeliverAThousandEventsToThreeEndpointsAndTheSlowOneHoldsUpNoOne() throws {
        let world = try WebhookWorld()
        let receiver = try WebhookReceiver(workers: 64) { path, _ in (200, path == "/slow" ? .seconds(2) : .zero) }
        defer { receiver.stop() }
        let perEndpoint = 20
        let env = WebhookWorld.workerEnvironment(["OTA_WEBHOOK_CONCURRENCY": "24", "OTA_WEBHOOK_ENDPOINT_CONCURRENCY": "\(perEndpoint)"])
        let endpoints = try ["/fast-a", "/fast-b", "/slow"].map { try world.endpoint(url: receiver.url($0), events: [.ticketUsed]) }
        let workers = try (0..<2).map { _ in try WorkerProcess(databaseURL: world.database.url, environment: env) }
        defer { for w in workers { w.stop() } }

        // 1,000 events written as the store commands write them: 3,000 deliveries.
        let partner = try world.partnerId()
        let events = (0..<1000).map { i in
            OutboxEvent(partnerId: partner, type: .ticketUsed, data: .object([("ticket_code", .string("TKT-LOAD-\(i)")), ("status", "USED")]))
        }
        let started = Date()
        #expect(try WebhookOutbox(world.db).record(events) == 3000)

        #expect(receiver.wait(seconds: 120) { $0.received("/fast-a").count >= 1000 && $0.received("/fast-b").count >= 1000 },
                "fast endpoints: \(receiver.received("/fast-a").count), \(receiver.received("/fast-b").count)")
        let fastDone = Date().timeIntervalSince(started)
        let slowWhenFastDone = receiver.received("/slow").count
        #expect(receiver.wait(seconds: 240) { $0.received("/slow").count >= 1000 }, "slow: \(receiver.received("/slow").count)")
        let slowDone = Date().timeIntervalSince(started)
        usleep(500_000)

        for (path, (id, secret)) in zip(["/fast-a", "/fast-b", "/slow"], endpoints) {
            let got = receiver.received(path)
            #expect(got.count == 1000, "\(path): every event once, got \(got.count)")
            #expect(Set(got.map(\.webhookId)).count == 1000, "\(path): no event twice")
            #expect(got.prefix(20).allSatisfy { IndependentVerifier.verify($0, secret: secret) }, "\(path): signed")
            #expect(try world.deliveryStatuses(id) == ["delivered": 1000])
        }
        #expect(receiver.maxInFlightOfOneId == 1, "no event was ever sent twice at the same moment")
        let slowInFlight = receiver.maxInFlight("/slow")
        #expect(slowInFlight <= perEndpoint, "the slow endpoint never had more than \(perEndpoint) requests in flight: \(slowInFlight)")
        // While the slow endpoint had received only part of its events, the fast ones had all of theirs.
        #expect(slowWhenFastDone < 600, "the slow endpoint had \(slowWhenFastDone) of 1000 when the fast ones were done")
        let attempts = workers.map { $0.events("ota.webhook.attempt").count }
        #expect(attempts.reduce(0, +) == 3000, "one attempt each: \(attempts)")
        #expect(attempts.allSatisfy { $0 > 0 }, "both workers delivered: \(attempts)")
        print("""
            webhook load: 1000 events x 3 endpoints, 2 workers x 24 senders, \(perEndpoint) in flight per endpoint: \
            fast endpoints complete after \(String(format: "%.1f", fastDone)) s (the slow one had \(slowWhenFastDone)/1000 then), \
            slow endpoint (2 s per answer, at most \(slowInFlight) in flight) complete after \(String(format: "%.1f", slowDone)) s; \
            attempts per worker \(attempts)
            """)
    }
}
