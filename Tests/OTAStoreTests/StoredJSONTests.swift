import Foundation
import Testing
import OTACrypto
import OTADomain
import Postgres
import TestSupport
@testable import OTAStore

/// The store's own codec for jsonb columns: rows written before it (the snapshot format of
/// 0004, the reseller object as sent) still decode, and it writes the same bytes.
@Suite struct StoredJSONTests {
    let premium = PricingSnapshot(
        basePrice: Money("288")!, weekendPremium: Money("30")!,
        discounts: [("child", Money("100")!), ("elderly", Money("50")!), ("student", Money("50")!)],
        specialDates: [SpecialDate(date: LocalDate("2025-12-31")!, multiplier: PriceMultiplier("1.5")!)],
        currency: "CNY")

    /// What the gateway wrote into pricing_snapshot before the codec existed.
    static let writtenToday =
        #"{"base_price":288.00,"weekend_premium":30.00,"customer_discounts":{"child":100.00,"elderly":50.00,"student":50.00},"special_dates":{"2025-12-31":{"multiplier":1.5}},"currency":"CNY"}"#
    /// The same row as PostgreSQL prints it back (`pricing_snapshot::text`): jsonb's key order.
    static let printedByPostgres =
        #"{"currency": "CNY", "base_price": 288.00, "special_dates": {"2025-12-31": {"multiplier": 1.5}}, "weekend_premium": 30.00, "customer_discounts": {"child": 100.00, "elderly": 50.00, "student": 50.00}}"#

    @Test func snapshotDecodesTodaysRowsAndWritesTheSameBytes() throws {
        #expect(StoredPricingSnapshot.decode(Self.writtenToday) == premium)
        #expect(StoredPricingSnapshot.decode(Self.printedByPostgres) == premium)
        #expect(StoredPricingSnapshot.encode(premium) == Self.writtenToday)
        let back = try #require(StoredPricingSnapshot.decode(StoredPricingSnapshot.encode(premium)))
        #expect(back == premium)
    }

    @Test func snapshotRefusesWhatIsNotOne() {
        #expect(StoredPricingSnapshot.decode("not json") == nil)
        #expect(StoredPricingSnapshot.decode(#"{"base_price":288.00}"#) == nil)
        // A format this reader does not know is refused, never read as format 1.
        let later = Self.writtenToday.replacingOccurrences(of: #"{"base_price""#, with: #"{"format":2,"base_price""#)
        #expect(StoredPricingSnapshot.decode(later) == nil)
        // Amounts as numeric strings, as a hand-edited row may hold them, read exactly.
        let strings = Self.writtenToday.replacingOccurrences(of: "288.00", with: #""288.00""#)
        #expect(StoredPricingSnapshot.decode(strings) == premium)
    }

    @Test func aRowWrittenInTodaysFormatDecodesThroughTheStore() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        #expect(try db.query("SELECT \(Self.writtenToday)::jsonb::text AS s").first?.decode("s", as: String.self) == Self.printedByPostgres)
        let partner = try #require(try db.query("SELECT partner_id FROM partners WHERE code = 'ota-test-partner'").first)
            .decode("partner_id", as: Int64.self)
        // The hold as ota_hold stored it before the codec: the literal text, straight into jsonb.
        let id = try SecureRandom.identifier(prefix: "res_")
        let expires = Timestamp(seconds: Int64(Date().timeIntervalSince1970) + 3600)
        #expect(try db.query("""
            SELECT outcome FROM ota_hold(\(id), \(partner), 106, 1, 100, \(expires)::timestamptz, \(Self.writtenToday)::jsonb)
            """).first?.decode("outcome", as: String.self) == "held")
        let found = try #require(try ReservationStore(db).find(reservationId: id, partnerId: partner))
        #expect(found.pricing == premium)
        // And a hold through the store stores the very same jsonb.
        let second = try SecureRandom.identifier(prefix: "res_")
        guard case .held = try ReservationStore(db).hold(reservationId: second, partnerId: partner,
                                                         request: HoldRequest(productId: 106, quantity: 1, expiresAt: expires),
                                                         maxUnitsPerHold: 100, snapshot: premium) else {
            Issue.record("hold refused")
            return
        }
        let stored = try db.query("""
            SELECT (SELECT pricing_snapshot FROM reservations WHERE reservation_id = \(id))
                 = (SELECT pricing_snapshot FROM reservations WHERE reservation_id = \(second)) AS same
            """).first?.decode("same", as: Bool.self)
        #expect(stored == true)
    }

    @Test func resellerMetadataKeepsTheObjectAndReadsItsKnownFields() throws {
        let printed = #"{"notes": {"tier": [1, 2]}, "reseller_id": "R-9", "reseller_name": null, "commission_rate": 0.15}"#
        let m = try #require(StoredResellerMetadata.decode(printed))
        #expect(m == ResellerMetadata(resellerId: "R-9", resellerName: nil, commissionRate: CommissionRate("0.15"),
                                      document: #"{"notes":{"tier":[1,2]},"reseller_id":"R-9","reseller_name":null,"commission_rate":0.15}"#))
        #expect(StoredResellerMetadata.encode(m) == m.document)
        #expect(StoredResellerMetadata.decode(#"{"notes": 1}"#)?.resellerId == nil)
        #expect(StoredResellerMetadata.decode(#"{"reseller_id": 9}"#) == nil)
        #expect(StoredResellerMetadata.decode(#"{"commission_rate": 2}"#) == nil)
        #expect(StoredResellerMetadata.decode("[1]") == nil)
    }
}
