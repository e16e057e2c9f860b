import Foundation
import Testing
import TestSupport

/// OTA_REQUEST_LOG=0 means no line per request (issue 9: the read path's domain event still
/// wrote one per inventory read); OTA_INVENTORY_EVENT_SAMPLE logs one read in N.
@Suite struct RequestLogSwitchTests {
    func lines(_ output: String, event: String) -> [Substring] {
        output.split(separator: "\n").filter { $0.contains("\"event\":\"\(event)\"") }
    }

    @Test func theSwitchSilencesEveryPerRequestLine() throws {
        let database = try TestDatabase()
        let quiet = try GatewayProcess(databaseURL: database.url, environment: ["OTA_REQUEST_LOG": "0", "OTA_RATE_LIMITS": "off"])
        defer { quiet.stop() }
        for _ in 0..<20 {
            #expect(try quiet.client.request("GET", "/api/ota/inventory", headers: [("X-API-Key", "ota_test_key_12345")]).status == 200)
        }
        let hold = try quiet.client.request("POST", "/api/ota/reserve", headers: [("X-API-Key", "ota_test_key_12345")],
                                            body: #"{"product_id":106,"quantity":1}"#)
        #expect(hold.status == 201)
        quiet.stop()
        let out = quiet.output
        #expect(lines(out, event: "http.request").isEmpty)
        #expect(lines(out, event: "ota.inventory.requested").isEmpty)
        #expect(lines(out, event: "ota.reservation.created").count == 1, "changes are always logged")
    }

    @Test func inventoryReadsCanBeSampled() throws {
        let database = try TestDatabase()
        let sampled = try GatewayProcess(databaseURL: database.url,
                                         environment: ["OTA_INVENTORY_EVENT_SAMPLE": "5", "OTA_RATE_LIMITS": "off", "OTA_WORKERS": "1"])
        defer { sampled.stop() }
        for _ in 0..<20 {
            #expect(try sampled.client.request("GET", "/api/ota/inventory", headers: [("X-API-Key", "ota_test_key_12345")]).status == 200)
        }
        sampled.stop()
        let events = lines(sampled.output, event: "ota.inventory.requested")
        #expect(events.count == 4)
        #expect(events.allSatisfy { $0.contains("\"sampled_1_in\":5") })
        #expect(lines(sampled.output, event: "http.request").count == 20)
    }
}
