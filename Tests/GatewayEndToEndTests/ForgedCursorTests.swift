import Foundation
import Testing
import TestSupport

/// A contract regression that schemathesis found (scripts/contract.sh) and that is about
/// the process: a request that took the whole gateway down. The rest of those regressions
/// live in OTAGatewayTests/ContractRegressionTests.swift.
@Suite struct ForgedCursorTests {
    /// A cursor is opaque but not secret: "c1" + hex of "<microseconds>:<id>".
    static func cursor(_ text: String) -> String {
        "c1" + text.utf8.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    }

    /// Was a crash of the whole gateway (arithmetic overflow formatting the instant): any
    /// partner could take every gateway down with one request.
    @Test(arguments: ["-9223372036854775808:res_a", "9223372036854775807:res_a", "-1:res_a"])
    func aCursorOutsideTheTimesOfCreatedAtIs422(_ forged: String) throws {
        let s = try Stack()
        for list in ["/api/ota/reservations", "/api/ota/orders", "/api/ota/batches", "/api/ota/billing/redemptions"] {
            let r = try s.get("\(list)?cursor=\(Self.cursor(forged))")
            #expect(r.status == 422, "\(list): \(r.text)")
            #expect(r.json["field"] as? String == "cursor")
        }
        #expect(try s.get("/livez", key: nil).status == 200)
        #expect(s.gateway.isRunning)
    }
}
