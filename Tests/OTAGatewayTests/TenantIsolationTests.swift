import Foundation
import Testing
@testable import OTAGateway
import HTTP

/// Every partner route that names a resource in its path answers 404 to another partner,
/// never its data. Generated from the route table: a new route with a path parameter is
/// covered by default, and fails here until the fixture below knows its resource.
@Suite struct TenantIsolationTests {
    /// Partner A's resources, made through the API.
    struct Fixture {
        var values: [String: String] = [:]

        /// The id to put for `parameter` in `path`.
        func value(for parameter: String, in path: String) -> String? {
            switch (parameter, path) {
            case ("id", let p) where p.hasPrefix("/api/ota/reservations/"): return values["reservation"]
            case ("id", let p) where p.hasPrefix("/api/ota/orders/"): return values["order"]
            case ("id", let p) where p.hasPrefix("/api/ota/operators/"): return values["operator"]
            case ("code", let p) where p.hasPrefix("/api/ota/tickets/"): return values["ticket"]
            case ("batch_id", let p) where p.hasPrefix("/api/ota/batches/"): return values["batch"]
            case ("id", let p) where p.hasPrefix("/api/ota/webhooks/"): return values["webhook"]
            case ("delivery_id", let p) where p.hasPrefix("/api/ota/webhooks/"): return values["delivery"]
            default: return nil
            }
        }
    }

    func makeFixture(_ g: InProcessGateway) throws -> Fixture {
        var f = Fixture()
        let held = g.send("POST", "/api/ota/reserve", body: #"{"product_id":106,"quantity":1}"#)
        f.values["reservation"] = try #require(held.json["reservation_id"] as? String)
        let other = g.send("POST", "/api/ota/reserve", body: #"{"product_id":106,"quantity":1}"#)
        let otherId = try #require(other.json["reservation_id"] as? String)
        let order = g.send("POST", "/api/ota/reservations/\(otherId)/activate",
                           body: #"{"customer":{"name":"A"},"units":[{"customer_type":"adult"}]}"#)
        f.values["order"] = try #require(order.json["order_id"] as? String, "\(order.text)")
        let batch = g.send("POST", "/api/ota/tickets/bulk-generate",
                           body: #"{"product_id":106,"quantity":2,"distribution_mode":"reseller_batch","batch_id":"iso-1"}"#)
        f.values["batch"] = try #require(batch.json["batch_id"] as? String, "\(batch.text)")
        f.values["ticket"] = try #require((batch.json["ticket_codes"] as? [String])?.first)
        let op = g.send("POST", "/api/ota/operators", body: #"{"username":"iso.staff","password":"correct horse battery","display_name":"Staff"}"#)
        f.values["operator"] = try #require((op.json["operator_id"] as? Int).map(String.init), "\(op.text)")
        let hook = g.send("POST", "/api/ota/webhooks", body: #"{"url":"https://203.0.113.10/hooks","events":["ticket.used"]}"#)
        f.values["webhook"] = try #require(hook.json["endpoint_id"] as? String, "\(hook.text)")
        let test = g.send("POST", "/api/ota/webhooks/\(f.values["webhook"]!)/test")
        f.values["delivery"] = try #require(test.json["delivery_id"] as? String, "\(test.text)")
        return f
    }

    /// Bodies that pass validation, so the answer is about the resource, not the body.
    static let validBodies = [
        "activateReservation": #"{"customer":{"name":"B"},"units":[{"customer_type":"adult"}]}"#,
        "activateTicket": #"{"customer":{"name":"B"},"customer_type":"adult"}"#,
        "updateOperator": #"{"display_name":"B"}"#,
        "updateWebhook": #"{"description":"B"}"#,
    ]

    static func parameters(of path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    @Test func everyIdTakingPartnerRouteAnswers404ToAnotherPartner() throws {
        let g = try InProcessGateway()
        let fixture = try makeFixture(g)
        let routes = Routes.all.filter { route in
            if case .partner = route.auth { return !Self.parameters(of: route.path).isEmpty }
            return false
        }
        #expect(routes.count >= 12)
        for route in routes {
            var path = route.path
            for name in Self.parameters(of: route.path) {
                let value = try #require(fixture.value(for: name, in: route.path),
                                         "no fixture for {\(name)} of \(route.operationId): add one to TenantIsolationTests")
                path = path.replacingOccurrences(of: "{\(name)}", with: value)
            }
            let body = route.method == "GET" ? nil : (Self.validBodies[route.operationId] ?? "{}")
            let theirs = g.send(route.method.rawValue, path, key: InProcessGateway.otherKey, body: body)
            #expect(theirs.status == 404, "\(route.method) \(path) as another partner: \(theirs.status) \(theirs.text.prefix(200))")
            #expect(!theirs.text.contains("iso.staff") && !theirs.text.contains("\"batch_id\":\"iso-1\""), "no data of A leaks")
        }
        // The owner still sees them: the ids are real.
        #expect(g.send("GET", "/api/ota/tickets/\(fixture.values["ticket"]!)").status == 200)
        #expect(g.send("GET", "/api/ota/orders/\(fixture.values["order"]!)").status == 200)
    }
}
