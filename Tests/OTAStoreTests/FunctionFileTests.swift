import Foundation
import Testing
import JSON
import OTACrypto
import OTADomain
import Postgres
import TestSupport
@testable import OTAStore

/// The repeatable function files of sql/functions: the only place a function is defined,
/// applied when their checksum changes (created before pending migrations, checked and
/// recorded after them; FunctionsFirstTests compares that order with the old one).
@Suite struct FunctionFileTests {
    let sqlRoot = repositoryRoot + "/sql"

    /// The text between the first two `$$` of a file: what PostgreSQL keeps as prosrc.
    func body(_ sql: String) throws -> String {
        let parts = sql.components(separatedBy: "$$")
        try #require(parts.count >= 3, "no $$ body")
        return parts[1]
    }

    /// Name -> prosrc of every function in the public schema (an overload would show up
    /// as a repeated name, so the count is returned too).
    func definitions(_ db: PostgresConnection) throws -> (count: Int, byName: [String: String]) {
        let rows = try db.query("""
            SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public'
            """)
        var byName: [String: String] = [:]
        for row in rows { byName[try row.decode("proname", as: String.self)] = try row.decode("prosrc", as: String.self) }
        return (rows.count, byName)
    }

    func recorded(_ db: PostgresConnection) throws -> [String: String] {
        try Migrator.recordedFunctions(db)
    }

    func appliedAt(_ db: PostgresConnection) throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try db.query("SELECT name, applied_at::text AS at FROM schema_functions") {
            out[try row.decode("name", as: String.self)] = try row.decode("at", as: String.self)
        }
        return out
    }

    /// The database runs exactly the functions of `functions`, as written there, and has
    /// recorded each file's checksum.
    func expectRunsExactly(_ functions: [Migrator.FunctionFile], _ db: PostgresConnection) throws {
        let defined = try definitions(db)
        #expect(defined.count == functions.count, "functions in the database without a file, or overloads")
        #expect(Set(defined.byName.keys) == Set(functions.map(\.name)))
        for f in functions {
            #expect(defined.byName[f.name] == (try body(f.sql)), "\(f.name) differs from sql/functions/\(f.name).sql")
        }
        #expect(try recorded(db) == Dictionary(uniqueKeysWithValues: functions.map { ($0.name, $0.checksum) }))
    }

    /// A copy of sql/ in a temporary directory, to edit.
    func copyOfSQL() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ota-sql-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sqlRoot, toPath: dir + "/sql")
        return dir + "/sql"
    }

    func edit(_ path: String, replacing old: String, with new: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try #require(text.contains(old))
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func everyFunctionHasItsOwnFileAndNoMigrationDefinesOne() throws {
        let source = try Migrator.source(directory: sqlRoot)
        let names = Set(source.functions.map(\.name))
        // Every function the migrations used to define (0002-0013 before the functions moved
        // out of them) has its file.
        let created = try FunctionsFirstTests.createdByOldMigrations()
        #expect(created.count == 16, "15 functions up to 0012, ota_notify_auth_changed in 0013")
        #expect(names.isSuperset(of: created))
        for m in source.migrations {
            let code = MigrationRules.code(m.sql)
            #expect(!code.contains(/(?i)\bcreate\s+(or\s+replace\s+)?(function|procedure)\b/), "\(m.name) defines a function: give it a file in sql/functions")
            for match in code.matches(of: /(?i)execute\s+(?:function|procedure)\s+(\w+)\s*\(/) {
                #expect(names.contains(String(match.output.1).lowercased()), "\(m.name): trigger function \(match.output.1) has no file")
            }
            // The line left where a definition was names its file.
            for match in m.sql.matches(of: /--\s*(\w+): sql\/functions\/(\w+)\.sql/) {
                #expect(match.output.1 == match.output.2 && names.contains(String(match.output.1)), "\(m.name): \(match.output.0)")
            }
        }
        for f in source.functions {
            #expect(Migrator.definitionProblem(f.sql, name: f.name) == nil)
            let bytes = try #require(FileManager.default.contents(atPath: sqlRoot + "/functions/\(f.name).sql"))
            #expect(f.checksum == Digest.hex(Digest.sha256([UInt8](bytes))))
        }
    }

    @Test func migrateFindsTheFunctionsBesideTheMigrations() throws {
        for dir in [sqlRoot + "/migrations", sqlRoot, sqlRoot + "/"] {
            let found = Migrator.directories(for: dir)
            #expect(found.migrations.replacingOccurrences(of: "//", with: "/") == sqlRoot + "/migrations", "\(dir)")
            #expect(found.functions.replacingOccurrences(of: "//", with: "/") == sqlRoot + "/functions", "\(dir)")
        }
        #expect(Migrator.siblingFunctions(of: "sql/migrations/") == "sql/functions")
        #expect(Migrator.siblingFunctions(of: "migrations") == "functions")
        #expect(Migrator.siblingFunctions(of: ".") == "./../functions")
        #expect(Migrator.siblingFunctions(of: "/") == "/../functions")
        let viaMigrations = try Migrator.source(directory: sqlRoot + "/migrations")
        let viaRoot = try Migrator.source(directory: sqlRoot)
        #expect(viaMigrations.functions == viaRoot.functions && viaMigrations.migrations == viaRoot.migrations)
        #expect(throws: Migrator.MigrationError.self) {
            try Migrator.source(directory: FileManager.default.temporaryDirectory.path + "/no-such-sql-" + UUID().uuidString)
        }
    }

    @Test func aFunctionFileDefinesItsOwnNameAndCanBeAppliedAgain() {
        let good = "CREATE OR REPLACE FUNCTION ota_x() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;"
        #expect(Migrator.definitionProblem(good, name: "ota_x") == nil)
        #expect(Migrator.definitionProblem(good, name: "ota_y") != nil)
        #expect(Migrator.definitionProblem(good.replacingOccurrences(of: "OR REPLACE ", with: ""), name: "ota_x") != nil)
        #expect(Migrator.definitionProblem(good + "\n" + good.replacingOccurrences(of: "ota_x", with: "ota_z"), name: "ota_x") != nil)
        #expect(Migrator.definitionProblem("BEGIN;\n" + good + "\nCOMMIT;\n", name: "ota_x") != nil)
        #expect(Migrator.definitionProblem("-- nothing here\n", name: "ota_x") != nil)
    }

    @Test func aFreshDatabaseRunsExactlyTheFunctionFilesAndASecondRunDoesNothing() throws {
        let t = try TestDatabase(template: "template0")
        let db = try t.connect()
        let source = try Migrator.source(directory: sqlRoot + "/migrations")
        let first = try Migrator.migrate(db, source)
        #expect(first.migrations.count == source.migrations.count)
        #expect(first.functions == source.functions.map(\.name))
        // All of them before the migrations: none waits (no signature needs a table's row type).
        #expect(first.functionsFirst == source.functions.map(\.name))
        try expectRunsExactly(source.functions, db)
        let before = try appliedAt(db)
        #expect(try Migrator.migrate(db, source).isEmpty)
        #expect(try appliedAt(db) == before)
    }

    @Test func theTemplateThatOtaAdminMigratedRunsTheFunctionFiles() throws {
        // scripts/test.sh built ota_migrated with `ota-admin migrate --dir sql/migrations`.
        let t = try TestDatabase(template: "ota_migrated")
        let db = try t.connect()
        let source = try Migrator.source(directory: sqlRoot)
        try expectRunsExactly(source.functions, db)
        #expect(try Migrator.migrate(db, source).isEmpty)
    }

    @Test func aChangedFunctionFileIsAppliedAgainWithItsNewChecksum() throws {
        let sql = try copyOfSQL()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: sql).deletingLastPathComponent().path) }
        let t = try TestDatabase(template: "template0")
        let db = try t.connect()
        let original = try Migrator.source(directory: sql)
        try Migrator.migrate(db, original)
        let before = try appliedAt(db)

        try edit(sql + "/functions/ota_hold.sql", replacing: "    IF target IS NULL THEN", with: "    -- changed by the test\n    IF target IS NULL THEN")
        let changed = try Migrator.source(directory: sql + "/migrations")
        let oldHold = try #require(original.functions.first { $0.name == "ota_hold" })
        let newHold = try #require(changed.functions.first { $0.name == "ota_hold" })
        #expect(newHold.checksum != oldHold.checksum)

        #expect(try Migrator.migrate(db, changed) == Migrator.Applied(migrations: [], functions: ["ota_hold"]))
        #expect(try definitions(db).byName["ota_hold"]?.contains("-- changed by the test") == true)
        try expectRunsExactly(changed.functions, db)
        let after = try appliedAt(db)
        #expect(after.filter { $0.key != "ota_hold" } == before.filter { $0.key != "ota_hold" })
        #expect(after["ota_hold"] != before["ota_hold"])
        #expect(try Migrator.migrate(db, changed).isEmpty)
    }

    @Test func aFailingFunctionFileIsRolledBackAndStaysPending() throws {
        let sql = try copyOfSQL()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: sql).deletingLastPathComponent().path) }
        let t = try TestDatabase(template: "template0")
        let db = try t.connect()
        let original = try Migrator.source(directory: sql)
        try Migrator.migrate(db, original)

        try edit(sql + "/functions/ota_hold.sql", replacing: "RETURN QUERY SELECT 'held'", with: "RETURN QUERY SELEC 'held'")
        let broken = try Migrator.source(directory: sql)
        #expect(throws: Migrator.MigrationError.self) { try Migrator.migrate(db, broken) }
        try expectRunsExactly(original.functions, db)

        // Fixed, it goes in on the next run.
        try edit(sql + "/functions/ota_hold.sql", replacing: "RETURN QUERY SELEC 'held'", with: "RETURN QUERY SELECT  'held'")
        let fixed = try Migrator.source(directory: sql)
        #expect(try Migrator.migrate(db, fixed).functions == ["ota_hold"])
        try expectRunsExactly(fixed.functions, db)
    }

    @Test func onAFreshDatabaseABodyThatDoesNotCompileFailsTheCheckedPassAndStaysPending() throws {
        let sql = try copyOfSQL()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: sql).deletingLastPathComponent().path) }
        try edit(sql + "/functions/ota_hold.sql", replacing: "RETURN QUERY SELECT 'held'", with: "RETURN QUERY SELEC 'held'")
        let t = try TestDatabase(template: "template0")
        let db = try t.connect()
        let broken = try Migrator.source(directory: sql)
        // Unchecked, the first pass takes it; the checked pass after the migrations does not.
        var log: [String] = []
        #expect(throws: Migrator.MigrationError.self) { try Migrator.migrate(db, broken) { log.append($0) } }
        #expect(log.contains("created function ota_hold before the migrations"))
        #expect(log.contains("applied 0013_auth_changed_notify"))
        #expect(!log.contains("applied function ota_hold"))
        #expect(try Migrator.currentVersion(db) == Schema.expectedVersion)
        #expect(try recorded(db)["ota_hold"] == nil, "not recorded: the next run tries it again")

        try edit(sql + "/functions/ota_hold.sql", replacing: "RETURN QUERY SELEC 'held'", with: "RETURN QUERY SELECT 'held'")
        let fixed = try Migrator.source(directory: sql)
        let again = try Migrator.migrate(db, fixed)
        #expect(again.functionsFirst.isEmpty && again.migrations.isEmpty)
        #expect(again.functions.first == "ota_hold")
        try expectRunsExactly(fixed.functions, db)
    }

    @Test func aDatabaseMigratedByTheOldRunnerUpgradesAndKeepsWorking() throws {
        let t = try TestDatabase(template: "template0")
        let db = try t.connect()
        let source = try Migrator.source(directory: sqlRoot + "/migrations")
        // What the runner before sql/functions did (and psql -f does): each file as is, as
        // the files were then (with their CREATE FUNCTION text).
        for m in try Migrator.load(directory: FunctionsFirstTests.fixture) where m.version <= 11 { try db.execute(unescaped: m.sql) }
        let data = try #require(FileManager.default.contents(atPath: repositoryRoot + "/config/catalog.json"))
        try CatalogSeed(json: try JSONValue.parse([UInt8](data))).apply(to: db, devPartners: true)
        #expect(try Migrator.currentVersion(db) == 11)

        let applied = try Migrator.migrate(db, source)
        let before = try FunctionsFirstTests.createdByOldMigrations(upTo: 11)
        #expect(applied.functionsFirst == source.functions.map(\.name).filter { !before.contains($0) })
        #expect(applied.functionsFirst.contains("ota_notify_auth_changed"), "the function 0001-0011 did not create")
        #expect(applied.migrations == source.migrations.filter { $0.version > 11 }.map(\.name))
        #expect(applied.migrations.prefix(5) == ["0012_repeatable_functions", "0013_auth_changed_notify", "0014_operator_usernames_per_partner", "0015_console", "0016_webhooks"])
        #expect(applied.functions == source.functions.map(\.name))
        #expect(try Migrator.currentVersion(db) == Schema.expectedVersion)
        try expectRunsExactly(source.functions, db)
        #expect(try Migrator.migrate(db, source).isEmpty)

        // The triggers and the hold still do their work on the upgraded database.
        let partner = try db.query("SELECT partner_id FROM partners WHERE code = 'ota-test-partner'").first!.decode("partner_id", as: Int64.self)
        let snapshot = PricingSnapshot(basePrice: Money("288")!, weekendPremium: Money("30")!, discounts: [], specialDates: [], currency: "CNY")
        let request = HoldRequest(productId: 106, quantity: 3, expiresAt: Timestamp(seconds: Int64(Date().timeIntervalSince1970) + 3600))
        let outcome = try ReservationStore(db).hold(reservationId: try SecureRandom.identifier(prefix: "res_"), partnerId: partner,
                                                    request: request, maxUnitsPerHold: 100, snapshot: snapshot)
        guard case .held(let left, _, _) = outcome else { Issue.record("hold refused: \(outcome)"); return }
        #expect(left == 1997)
        #expect(try db.query("SELECT reserved FROM channel_inventory WHERE product_id = 106 AND channel = 'ota'").first?.decode("reserved", as: Int.self) == 3)
    }

    @Test func applyShWithPsqlAloneAgreesWithTheRunner() async throws {
        let t = try TestDatabase(template: "template0")
        let script = sqlRoot + "/apply.sh"
        let url = t.url
        let runs = try await offThread { () throws -> [(status: Int32, output: String)] in
            try (0..<2).map { _ in
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/bin/bash")
                p.arguments = [script, url]
                let pipe = Pipe()
                p.standardOutput = pipe
                try p.run()
                let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
                return (p.terminationStatus, output)
            }
        }
        #expect(runs.map(\.status) == [0, 0])
        #expect(runs.first?.output.contains("applying 0012_repeatable_functions") == true)
        #expect(runs.first?.output.contains("applying function ota_hold") == true)
        #expect(runs.last?.output == "", "a second run applies nothing")
        // The order: functions created, the migrations, the functions checked and recorded.
        let lines = runs.first?.output.split(separator: "\n").map(String.init) ?? []
        let created = try #require(lines.firstIndex(of: "created function ota_hold before the migrations"))
        let migration = try #require(lines.firstIndex(of: "applying 0001_catalog"))
        let applied = try #require(lines.firstIndex(of: "applying function ota_hold"))
        #expect(created < migration && migration < applied)
        #expect(lines.filter { $0.hasPrefix("created function ") }.count == (try Migrator.loadFunctions(directory: sqlRoot + "/functions")).count)

        let db = try t.connect()
        let source = try Migrator.source(directory: sqlRoot)
        #expect(try Migrator.currentVersion(db) == Schema.expectedVersion)
        try expectRunsExactly(source.functions, db)
        // Same checksums as the runner computes: nothing left for it to do.
        #expect(try Migrator.migrate(db, source).isEmpty)
    }
}
