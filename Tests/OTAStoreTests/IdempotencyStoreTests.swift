import Foundation
import Testing
import OTACrypto
import Postgres
import TestSupport
@testable import OTAStore

@Suite struct IdempotencyStoreTests {
    @Test func recordsReplaysAndRefusesAnotherBody() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let partner = try db.query("SELECT partner_id FROM partners ORDER BY partner_id LIMIT 1").first!.decode("partner_id", as: Int64.self)
        let store = IdempotencyStore(db)
        let hash = Digest.sha256("body one")
        let stored = StoredResponse(status: 201, contentType: "application/json", location: "/x", body: Array("{\"a\":1}".utf8))
        try db.transaction { () throws -> Void in
            #expect(try store.begin(partnerId: partner, key: "k1", requestHash: hash) == .fresh)
            try store.save(partnerId: partner, key: "k1", requestHash: hash, response: stored)
        }
        try db.transaction { () throws -> Void in
            #expect(try store.begin(partnerId: partner, key: "k1", requestHash: hash) == .replay(stored))
            #expect(try store.begin(partnerId: partner, key: "k1", requestHash: Digest.sha256("body two")) == .mismatch)
        }
    }

    @Test func aKeyInUseByAnotherTransactionIsInProgress() throws {
        let t = try TestDatabase()
        let a = try t.connect()
        let b = try t.connect()
        let partner = try a.query("SELECT partner_id FROM partners ORDER BY partner_id LIMIT 1").first!.decode("partner_id", as: Int64.self)
        let hash = Digest.sha256("x")
        try a.transaction { () throws -> Void in
            #expect(try IdempotencyStore(a).begin(partnerId: partner, key: "same", requestHash: hash) == .fresh)
            try b.transaction { () throws -> Void in
                #expect(try IdempotencyStore(b).begin(partnerId: partner, key: "same", requestHash: hash) == .inProgress)
                // Another partner's identical key is a different key.
                #expect(try IdempotencyStore(b).begin(partnerId: partner + 1, key: "same", requestHash: hash) == .fresh)
            }
        }
    }
}
