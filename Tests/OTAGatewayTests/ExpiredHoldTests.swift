import Foundation
import Testing
@testable import OTAGateway
import Postgres

/// A hold past its expiry ends as expired, never as cancelled or activated, even before
/// the worker has released it (found by `make chaos`: a cancel sent after the expiry was
/// acknowledged as cancelled).
@Suite struct ExpiredHoldTests {
    @Test func cancellingAHoldPastItsExpiryIs409Expired() throws {
        let g = try InProcessGateway()
        let held = g.send("POST", "/api/ota/reserve", body: #"{"product_id":106,"quantity":3}"#)
        let id = try #require(held.json["reservation_id"] as? String)
        _ = try g.sql("UPDATE reservations SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 second' WHERE reservation_id = \(id)")
        let cancel = g.send("POST", "/api/ota/reservations/\(id)/cancel")
        #expect(cancel.status == 409)
        #expect(cancel.code == "reservation_expired")
        #expect(try g.sql("SELECT status FROM reservations WHERE reservation_id = \(id)").first?.decode("status", as: String.self) == "active",
                "left for the worker, which releases it as expired")
    }
}
