import Foundation
import Testing
import TestSupport
import Postgres

/// Two gateways sharing one database's rate-limit state (the single-gateway rules are in
/// OTAGatewayTests/RateLimitTests).
@Suite struct TwoGatewayRateLimitTests {
    /// Twice the limit for two minutes against two gateways: the accepted count is the
    /// policy's (plus one burst), exactly, because the state is shared in PostgreSQL.
    @Test(.timeLimit(.minutes(4)))
    func twoGatewaysTogetherKeepThePolicyWithinTwoPercent() async throws {
        let s = try Stack(environment: ["OTA_RATE_LIMITS": "on"])
        _ = try s.sql("UPDATE partners SET rate_limit_per_minute = 600 WHERE code = 'ota-test-partner'")
        let second = try GatewayProcess(databaseURL: s.database.url, environment: ["OTA_RATE_LIMITS": "on"])
        defer { second.stop() }
        let ports = [s.gateway.port, second.port]
        let accepted = SharedList<TestResponse>()
        let start = Date()
        // 20 requests a second in all (10 per gateway), paced, for 120 s: twice 600/min.
        try await offThread { DispatchQueue.concurrentPerform(iterations: 2) { i in
            let client = TestHTTPClient(port: ports[i])
            for n in 0..<1200 {
                let due = start.addingTimeInterval(Double(n) * 0.1 + Double(i) * 0.05)
                let delay = due.timeIntervalSinceNow
                if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                if let r = try? client.request("GET", "/api/ota/inventory?product_ids=106", headers: [("X-API-Key", Stack.testKey)]) {
                    accepted.append(r)
                }
            }
        } }
        let answers = accepted.all.filter { $0.header("RateLimit-Policy") != nil }
        let ok = answers.filter { $0.status == 200 }.count
        let limited = answers.filter { $0.status == 429 }
        print("rate limit: \(ok) accepted of \(answers.count) in \(Int(Date().timeIntervalSince(start))) s against two gateways (policy 1200 per 2 min)")
        #expect(answers.count == 2400)
        #expect(abs(Double(ok) - 1200) / 1200 <= 0.02)
        #expect(limited.allSatisfy { $0.header("Retry-After") != nil && $0.header("RateLimit") != nil })
    }
}

/// The process's own counters: in process they would count every other test's requests.
@Suite struct MetricsTests {
    @Test func metricsAreConsistentPrometheusText() throws {
        let s = try Stack()
        _ = try s.get("/api/ota/inventory")
        _ = try s.post("/api/ota/reserve", #"{"product_id":106,"quantity":2}"#)
        _ = try s.post("/api/ota/reserve", #"{"product_id":106,"quantity":2}"#, headers: [("Idempotency-Key", "m1")])
        _ = try s.post("/api/ota/reserve", #"{"product_id":106,"quantity":2}"#, headers: [("Idempotency-Key", "m1")])
        _ = try s.get("/api/ota/reservations/res_nothere00000000000000000")
        let r = try s.get("/metrics", key: nil)
        #expect(r.status == 200)
        #expect(r.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = r.text
        // Two holds and one replay, all 201.
        // The route label is the operation's operationId (as in openapi.yaml), never a path with ids.
        #expect(text.contains(#"ota_http_requests_total{route="createReservation",method="POST",status="201"} 3"#))
        #expect(text.contains(#"ota_http_requests_total{route="getReservation",method="GET",status="404"} 1"#))
        #expect(text.contains("ota_reservations_active 2"))
        #expect(text.contains("ota_idempotent_replays_total 1"))
        #expect(text.contains(#"ota_pool_utilisation_ratio{product_id="106"} 0.002"#))
        #expect(!text.contains("res_nothere"), "no per-id labels")
        // Histograms: buckets never decrease and the +Inf bucket equals the count.
        var lastBucket: [String: Double] = [:]
        var inf: [String: Double] = [:]
        var counts: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                Issue.record("unparseable sample line: \(line)")
                continue
            }
            let name = String(line[..<space])
            if name.hasPrefix("ota_http_request_duration_seconds_bucket{") {
                let series = String(name[..<name.range(of: ",le=")!.lowerBound])
                if let prev = lastBucket[series] { #expect(value >= prev, "\(name)") }
                lastBucket[series] = value
                if name.contains("le=\"+Inf\"") { inf[series] = value }
            } else if name.hasPrefix("ota_http_request_duration_seconds_count{") {
                counts[String(name.dropFirst("ota_http_request_duration_seconds_count{".count).dropLast())] = value
            }
        }
        #expect(!counts.isEmpty)
        for (labels, count) in counts {
            #expect(inf["ota_http_request_duration_seconds_bucket{" + labels] == count, "\(labels)")
        }
    }
}
