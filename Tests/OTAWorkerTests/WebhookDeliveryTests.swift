import Foundation
import Postgres
import Testing
import TestSupport

/// Webhooks end to end: the real gateway and worker binaries, a real receiver on
/// 127.0.0.1, signatures checked by an independent implementation of the scheme.
@Suite(.serialized) struct WebhookDeliveryTests {
    func call(_ g: GatewayProcess, _ method: String, _ path: String, _ body: String? = nil, headers: [(String, String)] = [],
              key: String? = WebhookWorld.testKey) throws -> TestResponse {
        var h = headers
        if let key { h.append(("X-API-Key", key)) }
        return try g.client.request(method, path, headers: h, body: body)
    }

    /// Every event type, made through the API (the expiry by the worker), arrives once,
    /// signed so that the independent verifier accepts it, with the resource as the API
    /// renders it.
    @Test(.timeLimit(.minutes(3)))
    func everyEventTypeArrivesOnceSignedAndVerifiable() throws {
        let world = try WebhookWorld()
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let gateway = try GatewayProcess(databaseURL: world.database.url, environment: WebhookWorld.gatewayEnvironment)
        defer { gateway.stop() }
        let worker = try WorkerProcess(databaseURL: world.database.url, environment: WebhookWorld.workerEnvironment())
        defer { worker.stop() }

        let types = ["reservation.created", "reservation.expired", "reservation.cancelled", "reservation.activated", "ticket.activated",
                     "ticket.redeemed", "ticket.used", "ticket.cancelled", "batch.generated"]
        let created = try call(gateway, "POST", "/api/ota/webhooks",
                               #"{"url":"\#(receiver.url("/all"))","events":[\#(types.map { "\"\($0)\"" }.joined(separator: ","))]}"#)
        #expect(created.status == 201, "\(created.text)")
        let endpointId = try #require(created.json["endpoint_id"] as? String)
        let secret = try #require(created.json["secret"] as? String)

        func hold() throws -> String {
            let r = try call(gateway, "POST", "/api/ota/reserve", #"{"product_id":106,"quantity":1}"#)
            #expect(r.status == 201, "\(r.text)")
            return try #require(r.json["reservation_id"] as? String)
        }
        let toCancel = try hold(), toActivate = try hold(), toExpire = try hold()
        #expect(try call(gateway, "POST", "/api/ota/reservations/\(toCancel)/cancel").status == 200)
        let order = try call(gateway, "POST", "/api/ota/reservations/\(toActivate)/activate",
                             #"{"customer":{"name":"Li Wei"},"units":[{"customer_type":"adult"}]}"#)
        #expect(order.status == 201, "\(order.text)")
        try world.db.query("""
            UPDATE reservations SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 second'
             WHERE reservation_id = \(toExpire)
            """)
        let batch = try call(gateway, "POST", "/api/ota/tickets/bulk-generate",
                             #"{"product_id":107,"quantity":2,"distribution_mode":"reseller_batch","batch_id":"wh-1"}"#)
        #expect(batch.status == 201, "\(batch.text)")
        let codes = try #require(batch.json["ticket_codes"] as? [String])
        let activated = try call(gateway, "POST", "/api/ota/tickets/\(codes[0])/activate", #"{"customer":{"name":"Mei"},"customer_type":"adult"}"#)
        #expect(activated.status == 200, "\(activated.text)")
        #expect(try call(gateway, "POST", "/api/ota/tickets/\(codes[1])/cancel").status == 200)
        let op = try call(gateway, "POST", "/api/ota/operators", #"{"username":"wh.gate","password":"correct horse battery","display_name":"Gate"}"#)
        #expect(op.status == 201, "\(op.text)")
        let login = try call(gateway, "POST", "/operators/login", #"{"partner":"ota-test-partner","username":"wh.gate","password":"correct horse battery"}"#, key: nil)
        let token = try #require(login.json["token"] as? String)
        // Product 107: boarding and pet_care, one use each: two redemptions, then USED.
        for function in ["boarding", "pet_care"] {
            let scan = try call(gateway, "POST", "/venue/scan", #"{"ticket_code":"\#(codes[0])","venue_id":"TEST-PIER-1","function_code":"\#(function)"}"#,
                                headers: [("Authorization", "Bearer \(token)")], key: nil)
            #expect(scan.status == 200, "\(scan.text)")
        }

        let expected = ["reservation.created": 3, "reservation.cancelled": 1, "reservation.activated": 1, "reservation.expired": 1,
                        "batch.generated": 1, "ticket.activated": 1, "ticket.cancelled": 1, "ticket.redeemed": 2, "ticket.used": 1]
        let total = expected.values.reduce(0, +)
        #expect(receiver.wait(seconds: 60) { $0.received("/all").count >= total }, "\(receiver.received("/all").count) of \(total) arrived")
        usleep(500_000)  // nothing more comes
        let got = receiver.received("/all")
        #expect(got.count == total, "each event once")
        var byType: [String: Int] = [:]
        for r in got {
            #expect(IndependentVerifier.verify(r, secret: secret), "signature of \(r.webhookId)")
            #expect(r.contentType == "application/json")
            let body = IndependentVerifier.json(r)
            #expect(body["id"] as? String == r.webhookId, "webhook-id is the event id")
            #expect(body["created_at"] is String && body["data"] is [String: Any])
            byType[body["type"] as? String ?? "?", default: 0] += 1
        }
        #expect(byType == expected)
        #expect(Set(got.map(\.webhookId)).count == total, "ids are distinct")

        // data is the resource as the API answered it.
        let bodies = got.map(IndependentVerifier.json)
        let activation = try #require(bodies.first { $0["type"] as? String == "reservation.activated" }?["data"] as? [String: Any])
        #expect(activation["order_id"] as? String == order.json["order_id"] as? String)
        #expect((activation["tickets"] as? [Any])?.count == 1)
        let ticketEvent = try #require(bodies.first { $0["type"] as? String == "ticket.activated" }?["data"] as? NSDictionary)
        #expect(ticketEvent == (activated.json as NSDictionary), "the same JSON as the activation answered")
        let used = try #require(bodies.first { $0["type"] as? String == "ticket.used" }?["data"] as? [String: Any])
        #expect(used["status"] as? String == "USED")
        let expired = try #require(bodies.first { $0["type"] as? String == "reservation.expired" }?["data"] as? [String: Any])
        #expect(expired["reservation_id"] as? String == toExpire && expired["status"] as? String == "expired")

        let listed = try call(gateway, "GET", "/api/ota/webhooks/\(endpointId)/deliveries?limit=500")
        let deliveries = try #require(listed.json["deliveries"] as? [[String: Any]])
        #expect(deliveries.count == total)
        #expect(deliveries.allSatisfy { $0["status"] as? String == "delivered" })
        let attempts = deliveries.compactMap { ($0["attempts"] as? [[String: Any]])?.first }
        #expect(attempts.allSatisfy { $0["response_status"] as? Int == 200 && $0["outcome"] as? String == "succeeded" })
        #expect(attempts.allSatisfy { $0["response_body"] as? String == "answered 200" && $0["duration_ms"] is Int })
        // One log line per attempt, without secrets or bodies.
        let lines = worker.events("ota.webhook.attempt")
        #expect(lines.count == total)
        #expect(!worker.output.contains(secret.dropFirst(6)) && !worker.output.contains("Li Wei"))
    }

    @Test(.timeLimit(.minutes(2)))
    func aReceiverFailingThreeTimesGetsTheEventOnTheFourthAttemptWithTheSameId() throws {
        let world = try WebhookWorld()
        let receiver = try WebhookReceiver { _, nth in (nth <= 3 ? 500 : 200, .zero) }
        defer { receiver.stop() }
        let gateway = try GatewayProcess(databaseURL: world.database.url, environment: WebhookWorld.gatewayEnvironment)
        defer { gateway.stop() }
        let worker = try WorkerProcess(databaseURL: world.database.url, environment: WebhookWorld.workerEnvironment())
        defer { worker.stop() }
        let created = try call(gateway, "POST", "/api/ota/webhooks", #"{"url":"\#(receiver.url("/flaky"))","events":["ticket.used"]}"#)
        let id = try #require(created.json["endpoint_id"] as? String)
        let secret = try #require(created.json["secret"] as? String)
        #expect(try call(gateway, "POST", "/api/ota/webhooks/\(id)/test").status == 202)

        #expect(receiver.wait(seconds: 30) { $0.received("/flaky").count >= 4 })
        usleep(300_000)
        let got = receiver.received("/flaky")
        #expect(got.count == 4, "delivered on the 4th attempt, then no more")
        #expect(Set(got.map(\.webhookId)).count == 1, "the same webhook-id every time")
        #expect(Set(got.map(\.body)).count == 1, "the same body every time")
        #expect(got.allSatisfy { IndependentVerifier.verify($0, secret: secret) })
        let delivery = try #require((try call(gateway, "GET", "/api/ota/webhooks/\(id)/deliveries").json["deliveries"] as? [[String: Any]])?.first)
        #expect(delivery["status"] as? String == "delivered")
        let attempts = try #require(delivery["attempts"] as? [[String: Any]])
        #expect(attempts.map { $0["response_status"] as? Int } == [500, 500, 500, 200])
        #expect(attempts.map { $0["outcome"] as? String } == ["failed", "failed", "failed", "succeeded"])
        #expect(try call(gateway, "GET", "/api/ota/webhooks/\(id)").json["failing_since"] is NSNull, "a success ends the failure streak")
    }

    @Test(.timeLimit(.minutes(2)))
    func a410DisablesTheEndpointWithAReasonThePartnerSees() throws {
        let world = try WebhookWorld()
        let receiver = try WebhookReceiver { _, _ in (410, .zero) }
        defer { receiver.stop() }
        let gateway = try GatewayProcess(databaseURL: world.database.url, environment: WebhookWorld.gatewayEnvironment)
        defer { gateway.stop() }
        let worker = try WorkerProcess(databaseURL: world.database.url, environment: WebhookWorld.workerEnvironment())
        defer { worker.stop() }
        let (id, _) = try world.endpoint(url: receiver.url("/gone"))
        try world.testEvents(id, count: 3)
        #expect(try world.eventually(within: 30) { try call(gateway, "GET", "/api/ota/webhooks/\(id)").json["status"] as? String == "disabled" })
        let shown = try call(gateway, "GET", "/api/ota/webhooks/\(id)")
        #expect((shown.json["disabled_reason"] as? String)?.contains("410 Gone") == true, "\(shown.text)")
        usleep(1_500_000)  // more than a poll: nothing else is sent to it
        let arrivals = receiver.arrivals("/gone")
        #expect(arrivals >= 1 && arrivals <= 2, "per-endpoint bound 2: at most the requests already in flight, got \(arrivals)")
        #expect(try call(gateway, "POST", "/api/ota/webhooks/\(id)/test").json["code"] as? String == "webhook_endpoint_disabled")
    }

    /// SIGKILL while requests are in flight: the next worker takes the deliveries over
    /// once their lease lapses, everything committed arrives at least once, and the
    /// attempts log shows the lost attempts.
    @Test(.timeLimit(.minutes(2)))
    func aWorkerKilledMidDeliveryLosesNothing() throws {
        let world = try WebhookWorld()
        // The first two requests hang for 3 s (the worker dies meanwhile); then quick.
        let receiver = try WebhookReceiver { _, nth in (200, nth <= 2 ? .seconds(3) : .zero) }
        defer { receiver.stop() }
        let env = WebhookWorld.workerEnvironment(["OTA_WEBHOOK_TIMEOUT_SECONDS": "4", "OTA_WEBHOOK_LEASE_SECONDS": "9"])
        let (id, secret) = try world.endpoint(url: receiver.url("/crash"))
        let first = try WorkerProcess(databaseURL: world.database.url, environment: env)
        try world.testEvents(id, count: 6)
        #expect(receiver.wait(seconds: 20) { $0.arrivals("/crash") >= 2 }, "two requests in flight")
        kill(first.pid, SIGKILL)
        _ = first.stop()
        let eventIds = Set(try world.db.query("SELECT event_id FROM webhook_deliveries WHERE endpoint_id = \(id)").map { try $0.decode("event_id", as: String.self) })
        #expect(eventIds.count == 6)

        let second = try WorkerProcess(databaseURL: world.database.url, environment: env)
        defer { second.stop() }
        #expect(try world.eventually(within: 40) { try world.deliveryStatuses(id) == ["delivered": 6] }, "\((try? world.deliveryStatuses(id)) ?? [:])")
        let got = receiver.received("/crash")
        #expect(eventIds.isSubset(of: Set(got.map(\.webhookId))), "every committed event arrived at least once")
        #expect(got.allSatisfy { IndependentVerifier.verify($0, secret: secret, now: Date()) })
        let outcomes = try world.attemptOutcomes(id)
        #expect(outcomes["lost"] == 2, "the attempts in flight when it died: \(outcomes)")
        #expect(outcomes["succeeded"] == 6)
        #expect(outcomes["in_progress"] == nil)
        #expect(second.events("ota.webhook.attempt").count == 6)
    }
}
