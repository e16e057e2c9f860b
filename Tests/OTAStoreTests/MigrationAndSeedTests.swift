import Foundation
import Testing
import JSON
import Postgres
import TestSupport
@testable import OTAStore

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

@Suite struct MigrationTests {
    @Test func theBuildExpectsTheNewestMigrationFile() throws {
        let files = try Migrator.load(directory: repositoryRoot + "/sql/migrations")
        #expect(files.last?.version == Schema.expectedVersion)
        for f in files {
            // Appliable with psql alone: one transaction that records itself.
            #expect(f.sql.contains("BEGIN;") && f.sql.contains("COMMIT;"), "\(f.name) is not one transaction")
            #expect(f.sql.contains("INSERT INTO schema_migrations (version, name) VALUES (\(f.version), '\(f.name)')"),
                    "\(f.name) does not record itself")
        }
    }

    @Test func migratingAnEmptyDatabaseThenAgainAppliesEachFileOnce() throws {
        let empty = try TestDatabase(template: "template0")
        let db = try empty.connect()
        let files = try Migrator.load(directory: repositoryRoot + "/sql/migrations")
        // The migrations' triggers need the function files, created before them.
        let functions = try Migrator.loadFunctions(directory: repositoryRoot + "/sql/functions")
        let first = try Migrator.migrate(db, files: files, functions: functions)
        #expect(first.migrations.count == files.count)
        #expect(try Migrator.currentVersion(db) == Schema.expectedVersion)
        #expect(try Migrator.migrate(db, files: files, functions: functions).isEmpty)
    }

    @Test func aFailingMigrationLeavesNothingBehind() throws {
        let empty = try TestDatabase(template: "template0")
        let db = try empty.connect()
        let bad = Migrator.File(version: 1, name: "0001_bad", sql: """
            BEGIN;
            CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE half_done (x int);
            SELECT 1/0;
            INSERT INTO schema_migrations (version, name) VALUES (1, '0001_bad');
            COMMIT;
            """)
        #expect(throws: Migrator.MigrationError.self) { try Migrator.migrate(db, files: [bad], functions: []) }
        #expect(try db.query("SELECT to_regclass('half_done') IS NULL AS gone").first?.decode("gone", as: Bool.self) == true)
        #expect(try Migrator.currentVersion(db) == 0)
    }
}

@Suite struct SeedTests {
    func catalog() throws -> CatalogSeed {
        let data = try #require(FileManager.default.contents(atPath: repositoryRoot + "/config/catalog.json"))
        return try CatalogSeed(json: try JSONValue.parse([UInt8](data)))
    }

    func fingerprint(_ db: PostgresConnection) throws -> String {
        try db.query("""
            SELECT concat_ws('|',
              (SELECT string_agg(concat_ws(',', product_id, name, sellable_cap, weekday_price, weekend_price), ';' ORDER BY product_id) FROM products),
              (SELECT string_agg(concat_ws(',', product_id, channel, allocated, reserved, sold), ';' ORDER BY product_id, channel) FROM channel_inventory),
              (SELECT string_agg(concat_ws(',', product_id, customer_type, amount), ';' ORDER BY product_id, customer_type) FROM product_discounts),
              (SELECT string_agg(concat_ws(',', product_id, function_code, uses), ';' ORDER BY product_id, function_code) FROM product_entitlements),
              (SELECT string_agg(concat_ws(',', day, multiplier), ';' ORDER BY day) FROM special_dates),
              (SELECT string_agg(concat_ws(',', code, name), ';' ORDER BY code) FROM partners),
              (SELECT count(*) FROM api_keys), (SELECT count(*) FROM partner_permissions)) AS f
            """).first!.decode("f", as: String.self)
    }

    @Test func seedingTwiceChangesNothing() throws {
        let t = try TestDatabase(template: "ota_migrated")
        let db = try t.connect()
        let seed = try catalog()
        let created = try seed.apply(to: db, devPartners: true)
        #expect(created.contains("product 106 Premium Plan"))
        let before = try fingerprint(db)
        #expect(try seed.apply(to: db, devPartners: true).isEmpty)
        #expect(try fingerprint(db) == before)
    }

    @Test func seedsTheSpecCatalog() throws {
        let t = try TestDatabase()
        let db = try t.connect()
        let rows = try db.query("SELECT product_id, channel, allocated FROM channel_inventory ORDER BY product_id, channel")
        let alloc = try rows.map { "\(try $0.decode("product_id", as: Int.self))/\(try $0.decode("channel", as: String.self))=\(try $0.decode("allocated", as: Int.self))" }
        #expect(alloc == ["106/direct=1000", "106/ota=2000", "107/direct=500", "107/ota=1500", "108/direct=300", "108/ota=1500"])
        let caps = try db.query("SELECT product_id, sellable_cap FROM products ORDER BY product_id").map { try $0.decode("sellable_cap", as: Int.self) }
        #expect(caps == [3000, 2000, 1800])
    }

    @Test func developmentPartnersOnlyOnRequest() throws {
        let t = try TestDatabase(template: "ota_migrated")
        let db = try t.connect()
        try catalog().apply(to: db, devPartners: false)
        #expect(try db.query("SELECT count(*) AS n FROM partners").first?.decode("n", as: Int.self) == 0)
    }
}
