import Foundation
import Testing
import OTADomain
import Postgres
import TestSupport
@testable import OTAStore

/// What the gateways keep in memory (issue 10): the catalog in one statement, the same as
/// the per-request reads; the pools in one statement; and the notifications of 0018.
@Suite struct CatalogSnapshotTests {
    @Test func theSnapshotIsWhatThePerRequestReadsAnswer() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let partner = try db.query("SELECT partner_id FROM partners WHERE code = 'ota-test-partner'").first!.decode("partner_id", as: Int64.self)
        _ = try WebhookStore(db).create(endpointId: "we_snapshot001", partnerId: partner, url: "https://203.0.113.10/a", description: nil,
                                        events: [.reservationCreated, .ticketUsed], secret: WebhookOutboxTests.sealed)
        _ = try WebhookStore(db).create(endpointId: "we_snapshot002", partnerId: partner, url: "https://203.0.113.10/b", description: nil,
                                        events: [.reservationCancelled], secret: WebhookOutboxTests.sealed)
        try db.query("INSERT INTO special_dates (day, multiplier) VALUES ('2027-02-03', 1.125)")
        let catalog = CatalogStore(db)
        let s = try catalog.snapshot()
        let today = LocalDate(year: 2026, month: 12, day: 1)!

        #expect(s.currency == (try catalog.currency()))
        #expect(s.customerTypes == (try catalog.customerTypes()))
        #expect(s.specialDates(in: nil, from: today) == (try catalog.specialDates(in: nil, from: today)))
        let range = LocalDate(year: 2027, month: 2, day: 1)!...LocalDate(year: 2027, month: 2, day: 28)!
        #expect(s.specialDates(in: range, from: today) == (try catalog.specialDates(in: range, from: today)))
        #expect(s.specialDates(in: range, from: today).map(\.multiplier.description) == ["1.125"])
        let pools = try catalog.otaAvailability(productIds: nil)
        #expect(!pools.isEmpty)
        for p in pools { #expect(s.products[p.productId] == p.pricing) }
        #expect(s.pricingSnapshot(productId: 106, today: today) == (try catalog.pricingSnapshot(productId: 106, today: today)))
        #expect(s.pricingSnapshot(productId: 999, today: today) == nil)
        #expect(s.subscriptions[partner] == [.reservationCreated, .ticketUsed, .reservationCancelled])
        #expect(s.subscribes(partnerId: partner, to: .reservationCreated))
        #expect(!s.subscribes(partnerId: partner + 1, to: .reservationCreated))

        // A disabled endpoint subscribes nobody.
        try db.query("UPDATE webhook_endpoints SET status = 'disabled', disabled_at = now() WHERE endpoint_id = 'we_snapshot001'")
        #expect(try catalog.snapshot().subscriptions[partner] == [.reservationCancelled])
        #expect(try WebhookOutbox(db).hasSubscriber(partnerId: partner, type: .reservationCreated) == false)
    }

    @Test func theSnapshotOfAnEmptyCatalogIsEmpty() throws {
        let t = try TestDatabase(template: "ota_migrated")
        let db = try t.connect()
        let s = try CatalogStore(db).snapshot()
        #expect(s.products.isEmpty && s.subscriptions.isEmpty && s.specialDates.isEmpty)
        #expect(s.currency == "CNY")
        #expect(try CatalogStore(db).otaPools().available.isEmpty)
    }

    @Test func thePoolsInOneStatement() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let pools = try CatalogStore(db).otaPools()
        for p in try CatalogStore(db).otaAvailability(productIds: nil) { #expect(pools.available[p.productId] == p.available) }
        let now = try db.query("SELECT now() AS now").first!.decode("now", as: Timestamp.self)
        #expect(pools.at <= now)
    }

    @Test func everyCatalogChangeNotifiesAndNothingElseDoes() throws {
        let t = try TestDatabase()
        let listener = try t.connect()
        try listener.listen("ota_catalog_changed")
        let db = try t.connect()
        // Sent at commit, so one that is sent at all arrives in milliseconds.
        func notifies(_ sql: PostgresQuery, wait: Duration = .seconds(2)) throws -> Bool {
            _ = try listener.waitForNotifications(timeout: .zero)
            try db.query(sql)
            return !(try listener.waitForNotifications(timeout: wait)).isEmpty
        }
        #expect(try notifies("UPDATE products SET weekday_price = weekday_price + 1 WHERE product_id = 106"))
        #expect(try notifies("UPDATE product_discounts SET amount = amount WHERE product_id = 106"))
        #expect(try notifies("INSERT INTO special_dates (day, multiplier) VALUES ('2027-03-03', 2)"))
        #expect(try notifies("DELETE FROM special_dates WHERE day = '2027-03-03'"))
        #expect(try notifies("UPDATE settings SET value = 'EUR' WHERE key = 'currency'"))
        #expect(try notifies("INSERT INTO customer_types (code) VALUES ('pensioner')"))
        let partner = try db.query("SELECT partner_id FROM partners WHERE code = 'ota-test-partner'").first!.decode("partner_id", as: Int64.self)
        #expect(try notifies("""
            INSERT INTO webhook_endpoints (endpoint_id, partner_id, url, events, secret_sealed, secret_key_id)
            VALUES ('we_notify0001', \(partner), 'https://203.0.113.10/n', ARRAY['reservation.created'], decode(repeat('00', 60), 'hex'), 'k')
            """))
        #expect(try notifies("UPDATE webhook_endpoints SET events = ARRAY['ticket.used'] WHERE endpoint_id = 'we_notify0001'"))
        // What the gateways do not keep: a product's name, an endpoint's delivery state, the pools.
        #expect(try !notifies("UPDATE products SET name = 'Renamed' WHERE product_id = 106", wait: .milliseconds(300)))
        #expect(try !notifies("UPDATE webhook_endpoints SET failing_since = now() WHERE endpoint_id = 'we_notify0001'", wait: .milliseconds(300)))
        #expect(try !notifies("UPDATE channel_inventory SET allocated = allocated - 1 WHERE product_id = 106 AND channel = 'ota'",
                              wait: .milliseconds(300)))
    }
}
