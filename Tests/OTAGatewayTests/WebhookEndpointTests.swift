import Foundation
import Postgres
import Testing
@testable import OTAGateway

/// The webhook endpoints API through the pipeline (no worker: deliveries stay queued).
@Suite struct WebhookEndpointTests {
    static let hook = #"{"url":"https://203.0.113.10/ota","events":["reservation.created","ticket.used"],"description":"Sync"}"#

    func create(_ g: InProcessGateway, _ body: String = hook, headers: [(String, String)] = []) throws -> (id: String, secret: String) {
        let r = g.send("POST", "/api/ota/webhooks", headers: headers, body: body)
        #expect(r.status == 201, "\(r.text)")
        return (try #require(r.json["endpoint_id"] as? String), try #require(r.json["secret"] as? String))
    }

    @Test func theSecretIsShownOnceAndNeverStoredInPlainText() throws {
        let g = try InProcessGateway()
        let r = g.send("POST", "/api/ota/webhooks", body: Self.hook)
        #expect(r.status == 201, "\(r.text)")
        #expect(r.header("Cache-Control") == "no-store")
        let id = try #require(r.json["endpoint_id"] as? String)
        #expect(r.header("Location") == "/api/ota/webhooks/\(id)")
        let secret = try #require(r.json["secret"] as? String)
        #expect(secret.hasPrefix("whsec_"))
        let bytes = try #require(Data(base64Encoded: String(secret.dropFirst(6))))
        #expect(bytes.count == 32)
        #expect(r.json["events"] as? [String] == ["reservation.created", "ticket.used"])
        #expect(r.json["status"] as? String == "enabled")

        let shown = g.send("GET", "/api/ota/webhooks/\(id)")
        #expect(shown.status == 200)
        #expect(shown.json["secret"] == nil, "shown once")
        let listed = g.send("GET", "/api/ota/webhooks")
        #expect((listed.json["webhooks"] as? [[String: Any]])?.map { $0["endpoint_id"] as? String } == [id])
        #expect(!listed.text.contains(secret))

        // In the database: sealed, neither the text nor the bytes.
        let row = try #require(try g.sql("SELECT encode(secret_sealed, 'hex') AS hex, row_to_json(e)::text AS everything FROM webhook_endpoints e").first)
        #expect(!(try row.decode("everything", as: String.self)).contains(String(secret.dropFirst(6))))
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        #expect(!(try row.decode("hex", as: String.self)).contains(hex))
    }

    /// The stored answer of an Idempotency-Key replays the secret, but is kept sealed.
    @Test func anIdempotentCreateReplaysTheSecretFromASealedRecord() throws {
        let g = try InProcessGateway()
        let first = g.send("POST", "/api/ota/webhooks", headers: [("Idempotency-Key", "wh-1")], body: Self.hook)
        #expect(first.status == 201)
        let again = g.send("POST", "/api/ota/webhooks", headers: [("Idempotency-Key", "wh-1")], body: Self.hook)
        #expect(again.status == 201)
        #expect(again.header("Idempotent-Replayed") == "true")
        #expect(again.header("Content-Type") == "application/json")
        #expect(again.header("Cache-Control") == "no-store")
        #expect(again.body == first.body, "byte for byte")
        let secret = try #require(first.json["secret"] as? String)
        let stored = try #require(try g.sql("SELECT content_type, body FROM idempotency_records WHERE idempotency_key = 'wh-1'").first)
        #expect(try stored.decode("content_type", as: String.self) == "application/vnd.ota.sealed-answer")
        #expect(!String(decoding: try stored.decode("body", as: [UInt8].self), as: UTF8.self).contains(String(secret.dropFirst(6))))
        #expect(try g.sql("SELECT count(*)::int AS n FROM webhook_endpoints").first?.decode("n", as: Int.self) == 1)
    }

    @Test func internalAddressesAreRefusedWith422UnlessAllowListed() throws {
        let g = try InProcessGateway()
        for url in ["https://127.0.0.1/h", "https://127.0.0.1:8443/h", "https://localhost/h", "https://10.1.2.3/h",
                    "https://169.254.169.254/latest/meta-data", "https://[::1]/h", "https://[::ffff:127.0.0.1]/h",
                    "https://100.64.0.7/h", "https://192.168.0.10/h", "https://0.0.0.0/h", "https://2130706433/h"] {
            let r = g.send("POST", "/api/ota/webhooks", body: #"{"url":"\#(url)","events":["ticket.used"]}"#)
            #expect(r.status == 422, "\(url): \(r.status) \(r.text)")
            #expect(r.code == "webhook_url_not_allowed", "\(url)")
            #expect(r.json["field"] as? String == "url")
        }
        let plain = g.send("POST", "/api/ota/webhooks", body: #"{"url":"http://203.0.113.10/h","events":["ticket.used"]}"#)
        #expect(plain.status == 422 && plain.code == "webhook_url_not_allowed", "http is refused")
        let malformed = g.send("POST", "/api/ota/webhooks", body: #"{"url":"https://u:p@203.0.113.10/h","events":["ticket.used"]}"#)
        #expect(malformed.status == 422 && malformed.code == "invalid_field")
        #expect(try g.sql("SELECT count(*)::int AS n FROM webhook_endpoints").first?.decode("n", as: Int.self) == 0)

        let dev = try InProcessGateway(environment: ["OTA_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"])
        let local = dev.send("POST", "/api/ota/webhooks", body: #"{"url":"http://127.0.0.1:9999/h","events":["ticket.used"]}"#)
        #expect(local.status == 201, "allow-listed: \(local.text)")
        let other = dev.send("POST", "/api/ota/webhooks", body: #"{"url":"https://10.0.0.1/h","events":["ticket.used"]}"#)
        #expect(other.status == 422, "only the allow-listed host")
    }

    @Test func bodiesAreValidatedByField() throws {
        let g = try InProcessGateway()
        func refusal(_ body: String) -> (Int, String?, String?) {
            let r = g.send("POST", "/api/ota/webhooks", body: body)
            return (r.status, r.code, r.json["field"] as? String)
        }
        #expect(refusal(#"{"events":["ticket.used"]}"#) == (422, "invalid_field", "url"))
        #expect(refusal(#"{"url":"https://203.0.113.10/"}"#) == (422, "invalid_field", "events"))
        #expect(refusal(#"{"url":"https://203.0.113.10/","events":[]}"#) == (422, "invalid_field", "events"))
        #expect(refusal(#"{"url":"https://203.0.113.10/","events":["ticket.nope"]}"#) == (422, "invalid_field", "events[0]"))
        #expect(refusal(#"{"url":"https://203.0.113.10/","events":[1]}"#) == (400, "malformed_request", "events[0]"))
        #expect(refusal(#"{"url":5,"events":["ticket.used"]}"#) == (400, "malformed_request", "url"))
        let long = String(repeating: "d", count: 501)
        #expect(refusal(#"{"url":"https://203.0.113.10/","events":["ticket.used"],"description":"\#(long)"}"#) == (422, "invalid_field", "description"))
    }

    @Test func anEndpointIsChangedDisabledEnabledRotatedAndDeleted() throws {
        let g = try InProcessGateway()
        let (id, secret) = try create(g)
        let off = g.send("PATCH", "/api/ota/webhooks/\(id)", body: #"{"status":"disabled"}"#)
        #expect(off.status == 200)
        #expect(off.json["status"] as? String == "disabled")
        #expect(off.json["disabled_reason"] as? String == "disabled by the partner")
        #expect(g.send("POST", "/api/ota/webhooks/\(id)/test").code == "webhook_endpoint_disabled")
        let on = g.send("PATCH", "/api/ota/webhooks/\(id)", body: #"{"status":"enabled","events":["batch.generated"],"description":""}"#)
        #expect(on.json["status"] as? String == "enabled")
        #expect(on.json["disabled_reason"] is NSNull)
        #expect(on.json["events"] as? [String] == ["batch.generated"])
        #expect(on.json["description"] is NSNull)
        let moved = g.send("PATCH", "/api/ota/webhooks/\(id)", body: #"{"url":"https://127.0.0.1/h"}"#)
        #expect(moved.code == "webhook_url_not_allowed", "the URL rules hold for a change too")
        #expect(g.send("PATCH", "/api/ota/webhooks/\(id)", body: #"{"status":"off"}"#).code == "invalid_field")

        let rotated = g.send("POST", "/api/ota/webhooks/\(id)/rotate-secret")
        #expect(rotated.status == 200, "\(rotated.text)")
        let next = try #require(rotated.json["secret"] as? String)
        #expect(next != secret)
        #expect(rotated.json["previous_secret_expires_at"] is String, "the old secret signs for an overlap")
        #expect(try g.sql("""
            SELECT previous_secret_expires_at BETWEEN now() + interval '23 hours' AND now() + interval '25 hours' AS ok
              FROM webhook_endpoints
            """).first?.decode("ok", as: Bool.self) == true)
        let immediate = g.send("POST", "/api/ota/webhooks/\(id)/rotate-secret", body: #"{"overlap_hours":0}"#)
        #expect(immediate.json["previous_secret_expires_at"] is NSNull)
        #expect(g.send("POST", "/api/ota/webhooks/\(id)/rotate-secret", body: #"{"overlap_hours":500}"#).code == "invalid_field")

        #expect(g.send("DELETE", "/api/ota/webhooks/\(id)").status == 204)
        #expect(g.send("GET", "/api/ota/webhooks/\(id)").status == 404)
        #expect(g.send("DELETE", "/api/ota/webhooks/\(id)").status == 404)
    }

    @Test func aTestEventIsQueuedAndShownWithItsAttemptsAndCanBeRetried() throws {
        let g = try InProcessGateway()
        let (id, _) = try create(g)
        let queued = g.send("POST", "/api/ota/webhooks/\(id)/test")
        #expect(queued.status == 202, "\(queued.text)")
        #expect(queued.json["event_type"] as? String == "webhook.test")
        #expect(queued.json["status"] as? String == "pending")
        let deliveryId = try #require(queued.json["delivery_id"] as? String)
        let list = g.send("GET", "/api/ota/webhooks/\(id)/deliveries")
        #expect((list.json["deliveries"] as? [[String: Any]])?.first?["delivery_id"] as? String == deliveryId)
        #expect(g.send("GET", "/api/ota/webhooks/\(id)/deliveries?status=delivered").json["deliveries"] as? [Any] != nil)
        #expect((g.send("GET", "/api/ota/webhooks/\(id)/deliveries?status=delivered").json["deliveries"] as? [Any])?.isEmpty == true)
        #expect(g.send("GET", "/api/ota/webhooks/\(id)/deliveries?status=nope").status == 422)

        // As the worker leaves it after a failed attempt.
        _ = try g.sql("""
            WITH d AS (UPDATE webhook_deliveries SET status = 'failed', attempts = 1, finished_at = now(), last_response_status = 500
                        WHERE delivery_id = \(deliveryId) RETURNING delivery_id)
            INSERT INTO webhook_attempts (delivery_id, attempt, started_at, finished_at, outcome, response_status, duration_ms, response_body, worker)
            SELECT delivery_id, 1, now(), now(), 'failed', 500, 12, 'oops', 'w1' FROM d
            """)
        let shown = try #require((g.send("GET", "/api/ota/webhooks/\(id)/deliveries").json["deliveries"] as? [[String: Any]])?.first)
        let attempt = try #require((shown["attempts"] as? [[String: Any]])?.first)
        #expect(attempt["response_status"] as? Int == 500)
        #expect(attempt["duration_ms"] as? Int == 12)
        #expect(attempt["response_body"] as? String == "oops")
        #expect(attempt["outcome"] as? String == "failed")

        let retried = g.send("POST", "/api/ota/webhooks/\(id)/deliveries/\(deliveryId)/retry")
        #expect(retried.status == 202)
        #expect(retried.json["status"] as? String == "pending")
        _ = try g.sql("UPDATE webhook_deliveries SET status = 'delivering', lease_until = now() + interval '1 minute' WHERE delivery_id = \(deliveryId)")
        #expect(g.send("POST", "/api/ota/webhooks/\(id)/deliveries/\(deliveryId)/retry").code == "webhook_delivery_in_flight")
        #expect(g.send("POST", "/api/ota/webhooks/\(id)/deliveries/whd_nope/retry").status == 404)
    }

    /// The change and its event commit together; only subscribed, enabled endpoints get a
    /// delivery, one each.
    @Test func changesWriteEventsForSubscribedEndpointsOnly() throws {
        let g = try InProcessGateway()
        let (a, _) = try create(g, #"{"url":"https://203.0.113.10/a","events":["reservation.created","reservation.cancelled"]}"#)
        let (b, _) = try create(g, #"{"url":"https://203.0.113.10/b","events":["reservation.created"]}"#)
        _ = try create(g, #"{"url":"https://203.0.113.10/c","events":["ticket.used"]}"#)
        let held = g.send("POST", "/api/ota/reserve", body: #"{"product_id":106,"quantity":2}"#)
        #expect(held.status == 201)
        let reservationId = try #require(held.json["reservation_id"] as? String)
        #expect(g.send("POST", "/api/ota/reservations/\(reservationId)/cancel").status == 200)
        let rows = try g.sql("""
            SELECT ev.type, d.endpoint_id, ev.data::text AS data FROM webhook_deliveries d JOIN webhook_events ev USING (event_id)
             ORDER BY ev.created_at, ev.type, d.endpoint_id
            """)
        let pairs = try rows.map { "\(try $0.decode("type", as: String.self)) \(try $0.decode("endpoint_id", as: String.self))" }
        #expect(pairs.sorted() == ["reservation.cancelled \(a)", "reservation.created \(a)", "reservation.created \(b)"].sorted())
        // data is the resource as GET renders it.
        let shown = g.send("GET", "/api/ota/reservations/\(reservationId)")
        let cancelled = try #require(rows.first { (try? $0.decode("type", as: String.self)) == "reservation.cancelled" })
        #expect(try cancelled.decode("data", as: String.self) == shown.text)

        // The other partner's changes reach none of these endpoints.
        #expect(g.send("POST", "/api/ota/reserve", key: InProcessGateway.otherKey, body: #"{"product_id":106,"quantity":1}"#).status == 201)
        #expect(try g.sql("SELECT count(*)::int AS n FROM webhook_events").first?.decode("n", as: Int.self) == 2)
    }

    @Test func withoutTheSecretKeyWebhooksAnswer503AndNeedThePermission() throws {
        let g = try InProcessGateway(environment: ["OTA_WEBHOOK_SECRET_KEY": ""])
        let r = g.send("POST", "/api/ota/webhooks", body: Self.hook)
        #expect(r.status == 503 && r.code == "webhooks_not_configured")
        let h = try InProcessGateway()
        _ = try h.sql("DELETE FROM partner_permissions WHERE permission = 'webhooks'")
        let denied = h.send("GET", "/api/ota/webhooks")
        #expect(denied.status == 403)
        #expect(denied.json["required_permission"] as? String == "webhooks")
        #expect(throws: (any Error).self) {
            try GatewayConfiguration(environment: ["OTA_DATABASE_URL": "x", "OTA_WEBHOOK_SECRET_KEY": "short"])
        }
    }

    @Test func metricsShowTheQueue() throws {
        let g = try InProcessGateway()
        let (id, _) = try create(g)
        #expect(g.send("POST", "/api/ota/webhooks/\(id)/test").status == 202)
        let text = g.send("GET", "/metrics", key: nil).text
        #expect(text.contains("ota_webhook_queue_depth 1"), "\(text.suffix(800))")
        #expect(text.contains(#"ota_webhook_deliveries{status="pending"} 1"#))
        #expect(text.contains("ota_webhook_oldest_pending_seconds "))
        #expect(text.contains("ota_webhook_endpoints_disabled 0"))
    }
}
