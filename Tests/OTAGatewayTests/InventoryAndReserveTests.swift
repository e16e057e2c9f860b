import Foundation
import Testing
import TestSupport
import Postgres

// Health, authentication, inventory and the hold, through the pipeline in process (moved
// from GatewayEndToEndTests: none of it needs a process).

@Suite struct HealthTests {
    @Test func livezReadyzAndHealthz() throws {
        let g = try InProcessGateway()
        #expect(g.get("/livez", key: nil).status == 200)
        let ready = g.get("/readyz", key: nil)
        #expect(ready.status == 200)
        #expect(ready.json["status"] as? String == "ready")
        #expect(g.get("/healthz", key: nil).status == 200)
    }

    @Test func readyzIsNotReadyWhenTheSchemaIsBehind() throws {
        let g = try InProcessGateway()
        _ = try g.sql("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
        let r = g.get("/readyz", key: nil)
        #expect(r.status == 503)
        #expect((r.json["reason"] as? String)?.contains("ota-admin migrate") == true)
        #expect(g.get("/livez", key: nil).status == 200)
    }
}

@Suite struct AuthenticationTests {
    @Test func missingKeyIs401WithGuidance() throws {
        let g = try InProcessGateway()
        let r = g.get("/api/ota/inventory", key: nil)
        #expect(r.status == 401)
        #expect(r.header("Content-Type") == "application/problem+json")
        #expect(r.json["code"] as? String == "missing_api_key")
        #expect((r.json["detail"] as? String)?.contains("X-API-Key") == true)
        #expect(r.header("WWW-Authenticate") != nil)
    }

    @Test func unknownKeyIs401() throws {
        let g = try InProcessGateway()
        let r = g.get("/api/ota/inventory", key: "ota_nope_000000000000")
        #expect(r.status == 401)
        #expect(r.json["code"] as? String == "invalid_api_key")
    }

    @Test func missingPermissionAndDisabledPartnerAre403() throws {
        let g = try InProcessGateway()
        try g.partner(code: "reader", permissions: ["inventory:read"], key: "reader_key_000001")
        try g.partner(code: "off", permissions: ["inventory:read", "reservations:write"], status: "disabled", key: "disabled_key_00001")
        #expect(g.get("/api/ota/inventory", key: "reader_key_000001").status == 200)
        let denied = g.post("/api/ota/reserve", #"{"product_id":106,"quantity":1}"#, key: "reader_key_000001")
        #expect(denied.status == 403)
        #expect(denied.json["required_permission"] as? String == "reservations:write")
        let off = g.get("/api/ota/inventory", key: "disabled_key_00001")
        #expect(off.status == 403)
        #expect(off.json["code"] as? String == "partner_disabled")
        #expect(try g.otaPool().reserved == 0)
    }
}

@Suite struct InventoryTests {
    @Test func showsSeededAvailabilityAndPrices() throws {
        let g = try InProcessGateway()
        let r = g.get("/api/ota/inventory")
        #expect(r.status == 200)
        let avail = r.json["available_quantities"] as? [String: Int]
        #expect(avail == ["106": 2000, "107": 1500, "108": 1500])
        let ctx = try #require(r.json["pricing_context"] as? [String: Any])
        let base = ctx["base_prices"] as? [String: [String: Double]]
        #expect(base?["106"] == ["weekday": 288, "weekend": 318])
        #expect((ctx["customer_discounts"] as? [String: [String: Double]])?["106"] == ["child": 100, "elderly": 50, "student": 50])
        #expect((ctx["customer_types"] as? [String])?.contains("adult") == true)
        #expect(r.json["as_of"] is String)
        // Money is written with two decimals, exactly.
        #expect(r.text.contains(#""106":{"weekday":288.00,"weekend":318.00}"#))
    }

    @Test func filtersByProductAndLimitsSpecialDatesToTheRange() throws {
        let g = try InProcessGateway()
        let r = g.get("/api/ota/inventory?product_ids=107&date_range=2026-12-01,2026-12-31")
        #expect(r.status == 200)
        #expect(r.json["available_quantities"] as? [String: Int] == ["107": 1500])
        let dates = (r.json["pricing_context"] as? [String: Any])?["special_dates"] as? [String: [String: Double]]
        #expect(dates == ["2026-12-31": ["multiplier": 1.5]])
        let none = g.get("/api/ota/inventory?date_range=2026-06-01,2026-06-30")
        #expect(((none.json["pricing_context"] as? [String: Any])?["special_dates"] as? [String: Any])?.isEmpty == true)
    }

    @Test(arguments: ["product_ids=999", "product_ids=abc", "date_range=2026-12-31,2026-12-01", "date_range=2026-01-01,2027-06-01", "date_range=soon"])
    func badQueriesAre422(_ query: String) throws {
        let g = try InProcessGateway()
        let r = g.get("/api/ota/inventory?\(query)")
        #expect(r.status == 422)
        #expect(r.header("Content-Type") == "application/problem+json")
        #expect(r.json["field"] as? String != nil)
    }
}

@Suite struct ReserveTests {
    @Test func holdsUnitsAndBothPartnersSeeTheSamePool() throws {
        let g = try InProcessGateway()
        let r = g.post("/api/ota/reserve", #"{"product_id": 106, "quantity": 50}"#)
        #expect(r.status == 201)
        let id = try #require(r.json["reservation_id"] as? String)
        #expect(id.hasPrefix("res_"))
        #expect(r.json["status"] as? String == "active")
        #expect(r.json["quantity"] as? Int == 50)
        #expect(r.header("Location") == "/api/ota/reservations/\(id)")
        let snap = try #require(r.json["pricing_snapshot"] as? [String: Any])
        #expect(snap["base_price"] as? Double == 288)
        #expect(snap["weekend_premium"] as? Double == 30)
        #expect(snap["currency"] as? String == "CNY")
        #expect(r.json["expires_at"] as? String == r.json["reserved_until"] as? String)
        for key in [InProcessGateway.testKey, InProcessGateway.otherKey] {
            let inv = g.get("/api/ota/inventory?product_ids=106", key: key)
            #expect((inv.json["available_quantities"] as? [String: Int])?["106"] == 1950)
        }
        let shown = g.get("/api/ota/reservations/\(id)")
        #expect(shown.status == 200)
        #expect(shown.json["reservation_id"] as? String == id)
        // Another partner's reservation is a 404, never its data.
        #expect(g.get("/api/ota/reservations/\(id)", key: InProcessGateway.otherKey).status == 404)
        let pool = try g.otaPool()
        #expect(pool.reserved == 50 && pool.activeHolds == 50)
    }

    @Test func acceptsJSONWhateverTheContentType() throws {
        let g = try InProcessGateway()
        let r = g.send("POST", "/api/ota/reserve", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                       body: #"{"product_id":107,"quantity":2}"#)
        #expect(r.status == 201)
    }

    @Test func quantityBeyondAvailabilityIs409WithAvailableWhateverItsSize() throws {
        let g = try InProcessGateway()
        for q in ["2001", "5000", "99999999999999999999"] {
            let r = g.post("/api/ota/reserve", #"{"product_id":106,"quantity":\#(q)}"#)
            #expect(r.status == 409, "quantity \(q)")
            #expect(r.json["available"] as? Int == 2000)
            #expect(r.json["code"] as? String == "insufficient_inventory")
        }
        #expect(try g.otaPool().reserved == 0)
    }

    @Test func quantityWithinAvailabilityButAboveTheHoldMaximumIs422() throws {
        let g = try InProcessGateway()
        let r = g.post("/api/ota/reserve", #"{"product_id":106,"quantity":101}"#)
        #expect(r.status == 422)
        #expect(r.json["field"] as? String == "quantity")
        #expect(r.json["max_quantity"] as? Int == 100)
    }

    @Test(arguments: [
        (#"{"product_id":106,"quantity":"#, 400), ("not json", 400), ("", 400), ("[1,2]", 400),
        (#"{"product_id":"106","quantity":1}"#, 400), (#"{"product_id":106,"quantity":"1"}"#, 400),
        (#"{"product_id":106,"quantity":0}"#, 422), (#"{"product_id":106,"quantity":-1}"#, 422),
        (#"{"product_id":106,"quantity":1.5}"#, 422), (#"{"product_id":106}"#, 422), (#"{"product_id":999,"quantity":1}"#, 422),
        (#"{"product_id":106,"quantity":1,"reservation_expires_at":"2020-01-01T00:00:00Z"}"#, 422),
        (#"{"product_id":106,"quantity":1,"reservation_expires_at":"whenever"}"#, 422),
    ])
    func badBodiesAreRefusedAndTouchNothing(body: String, status: Int) throws {
        let g = try InProcessGateway()
        let r = g.post("/api/ota/reserve", body)
        #expect(r.status == status, "\(body)")
        #expect(r.header("Content-Type") == "application/problem+json")
        #expect(r.json["status"] as? Int == status)
        #expect(r.json["title"] is String && r.json["detail"] is String && r.json["type"] is String)
        #expect(try g.otaPool().reserved == 0)
    }

    @Test func aCustomExpiryInsideTheWindowIsKept() throws {
        let g = try InProcessGateway()
        let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        let r = g.post("/api/ota/reserve", #"{"product_id":106,"quantity":1,"reservation_expires_at":"\#(expiry)"}"#)
        #expect(r.status == 201)
        #expect(r.json["expires_at"] as? String == expiry)
    }
}
