import Testing
@testable import OTAWorker
import Postgres

@Suite struct ConfigurationTests {
    let url = ["OTA_DATABASE_URL": "postgresql://ota@127.0.0.1:5432/ota"]

    func configuration(_ extra: [String: String]) throws -> ExpiryWorkerConfiguration {
        try ExpiryWorkerConfiguration(environment: url.merging(extra) { $1 })
    }

    func failure(_ env: [String: String]) -> String {
        do {
            _ = try ExpiryWorkerConfiguration(environment: env)
            return ""
        } catch {
            return error.description
        }
    }

    @Test func defaults() throws {
        let c = try configuration([:])
        #expect(c.batchSize == 500)
        #expect(c.pollInterval == .seconds(30))
        #expect(c.idempotencyRetentionHours == 72)
        #expect(c.housekeepingInterval == .seconds(600))
        #expect(c.postgres.applicationName == "ota-expiry-worker")
    }

    @Test func settings() throws {
        let c = try configuration(["OTA_WORKER_BATCH_SIZE": "50", "OTA_WORKER_POLL_SECONDS": "5",
                                   "OTA_IDEMPOTENCY_RETENTION_HOURS": "48"])
        #expect(c.batchSize == 50 && c.pollInterval == .seconds(5) && c.idempotencyRetentionHours == 48)
    }

    @Test func invalidValuesAreRefusedNamingTheVariable() {
        #expect(failure([:]).contains("OTA_DATABASE_URL is not set"))
        #expect(failure(["OTA_DATABASE_URL": "localhost"]).contains("OTA_DATABASE_URL"))
        let cases: [(String, String)] = [
            ("OTA_WORKER_BATCH_SIZE", "0"), ("OTA_WORKER_BATCH_SIZE", "many"), ("OTA_WORKER_BATCH_SIZE", "10001"),
            ("OTA_WORKER_POLL_SECONDS", "0"), ("OTA_WORKER_POLL_SECONDS", "1.5"),
            ("OTA_IDEMPOTENCY_RETENTION_HOURS", "x"), ("OTA_IDEMPOTENCY_RETENTION_HOURS", "100000"),
        ]
        for (name, value) in cases {
            #expect(failure(url.merging([name: value]) { $1 }).contains("\(name)=\(value)"), "\(name)=\(value)")
        }
        // Below the 48 hours the API promises: said so, not just "out of range".
        #expect(failure(url.merging(["OTA_IDEMPOTENCY_RETENTION_HOURS": "24"]) { $1 }).contains("at least 48 hours"))
    }
}
