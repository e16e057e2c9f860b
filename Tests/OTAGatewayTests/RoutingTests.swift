import Foundation
import Testing
import TestSupport

/// The route match and the request id, in process (moved from GatewayEndToEndTests).
@Suite struct RoutingTests {
    @Test func unknownRouteIs404AndWrongMethodIs405() throws {
        let g = try InProcessGateway()
        #expect(g.get("/api/ota/nothing").status == 404)
        let r = g.send("DELETE", "/api/ota/inventory")
        #expect(r.status == 405)
        #expect(r.header("Allow") == "GET, HEAD")
    }

    @Test func echoesOrGeneratesARequestId() throws {
        let g = try InProcessGateway()
        #expect(g.get("/livez", key: nil, headers: [("X-Request-ID", "trace-123")]).header("X-Request-ID") == "trace-123")
        #expect(g.get("/livez", key: nil).header("X-Request-ID")?.hasPrefix("req_") == true)
    }
}
