import Foundation
import Testing
import Postgres
import TestSupport
@testable import OTAStore

/// The order of `migrate` since the migrations hold no function text: the functions that do
/// not exist yet, from their files (unchecked); the migrations; then every changed file
/// (checked, recorded). The old migrations (each with its own CREATE FUNCTION, the files
/// applied after them) are kept in Fixtures/migrations-before: both ways end in one schema.
@Suite struct FunctionsFirstTests {
    static let fixture = repositoryRoot + "/Tests/OTAStoreTests/Fixtures/migrations-before"
    let sqlRoot = repositoryRoot + "/sql"

    /// What a database's schema is, by section, as text that compares: every function's
    /// definition, every trigger, the relations, columns, constraints and indexes, and the
    /// rows the migrations write.
    static func schema(_ db: PostgresConnection) throws -> [String: [String]] {
        let sections: [String: String] = [
            "functions": """
                SELECT p.oid::regprocedure::text || E'\\n' || pg_get_functiondef(p.oid) AS line
                  FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
                """,
            "triggers": """
                SELECT concat_ws(' ', c.relname, t.tgname, p.proname, t.tgtype, t.tgenabled, pg_get_triggerdef(t.oid)) AS line
                  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
                 WHERE NOT t.tgisinternal
                """,
            "relations": """
                SELECT concat_ws(' ', c.relname, c.relkind, c.relpersistence, obj_description(c.oid, 'pg_class')) AS line
                  FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
                """,
            "columns": """
                SELECT concat_ws(' ', c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                 a.attidentity, pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum)) AS line
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
                """,
            "constraints": """
                SELECT concat_ws(' ', conrelid::regclass::text, conname, pg_get_constraintdef(oid)) AS line
                  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                """,
            "indexes": "SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public'",
            "records": """
                SELECT concat_ws(' ', 'migration', version, name) AS line FROM schema_migrations
                UNION ALL SELECT concat_ws(' ', 'function', name, checksum) FROM schema_functions
                """,
            "data": """
                SELECT concat_ws(' ', 'setting', key, value) AS line FROM settings
                UNION ALL SELECT 'customer_type ' || code FROM customer_types
                UNION ALL SELECT 'permission ' || code FROM permissions
                """,
        ]
        var out: [String: [String]] = [:]
        for (section, sql) in sections {
            out[section] = try db.query(PostgresQuery(unsafeSQL: sql)).map { try $0.decode("line", as: String.self) }.sorted()
        }
        return out
    }

    static func expectSameSchema(_ a: [String: [String]], _ b: [String: [String]], _ what: String) {
        #expect(Set(a.keys) == Set(b.keys))
        for (section, lines) in a.sorted(by: { $0.key < $1.key }) {
            #expect(!lines.isEmpty, "\(what): no \(section) at all")
            #expect(lines == b[section], "\(what): \(section) differ")
        }
    }

    /// The functions the old migrations created, up to `version`.
    static func createdByOldMigrations(upTo version: Int = .max) throws -> Set<String> {
        var created: Set<String> = []
        for m in try Migrator.load(directory: fixture) where m.version <= version {
            for match in m.sql.matches(of: /CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(\w+)\s*\(/) { created.insert(String(match.output.1)) }
        }
        return created
    }

    /// The newest version of the old migrations (13).
    static func oldNewest() throws -> Int { try Migrator.load(directory: fixture).last?.version ?? 0 }

    /// A database built the old way up to `version` (at most 13): the migration files as
    /// they were (each with its own CREATE FUNCTION), and from 0012 on, the files of those
    /// functions after them, as the runner of that time applied them.
    func oldWay(upTo version: Int, functions: [Migrator.FunctionFile]) throws -> Built {
        let built = try Built()
        for m in try Migrator.load(directory: Self.fixture) where m.version <= version { try built.db.execute(unescaped: m.sql) }
        let old = try Self.createdByOldMigrations()
        if version >= 12 { _ = try Migrator.applyFunctions(built.db, functions.filter { old.contains($0.name) }, log: { _ in }) }
        return built
    }

    /// A new database and a connection to it (the database is dropped with `database`).
    struct Built {
        let database: TestDatabase
        let db: PostgresConnection
        init() throws {
            database = try TestDatabase(template: "template0")
            db = try database.connect()
        }
    }

    @Test func aFreshDatabaseBuiltTheNewWayHasTheSchemaOfOneBuiltTheOldWay() throws {
        let source = try Migrator.source(directory: sqlRoot)
        let old = try oldWay(upTo: try Self.oldNewest(), functions: source.functions)
        // Migrations newer than the old files (none yet) have only ever been applied the new way.
        try Migrator.migrate(old.db, source)
        let new = try Built()
        let applied = try Migrator.migrate(new.db, source)
        #expect(applied.functionsFirst == source.functions.map(\.name))
        let schema = try Self.schema(new.db)
        Self.expectSameSchema(schema, try Self.schema(old.db), "fresh")
        #expect(schema["functions"]?.count == source.functions.count)
        #expect((schema["triggers"]?.count ?? 0) >= 14, "the 14 triggers of 0002-0013")
    }

    @Test func aDatabaseAtAnyEarlierVersionUpgradesToTheSameSchema() throws {
        let source = try Migrator.source(directory: sqlRoot)
        let fresh = try Built()
        try Migrator.migrate(fresh.db, source)
        let expected = try Self.schema(fresh.db)
        let all = source.functions.map(\.name)
        let old = try Self.createdByOldMigrations()
        for version in 1...(try Self.oldNewest()) {
            let built = try oldWay(upTo: version, functions: source.functions)
            let db = built.db
            let applied = try Migrator.migrate(db, source)
            #expect(applied.migrations.count == Schema.expectedVersion - version, "from \(version)")
            // Created first: what the old migrations up to there had not created (from 0012
            // on, the files were applied too). The rest keep their old bodies through the
            // migrations, and are replaced after them.
            let existed = version >= 12 ? old : try Self.createdByOldMigrations(upTo: version)
            #expect(applied.functionsFirst == all.filter { !existed.contains($0) }, "from \(version)")
            if version < 12 {
                #expect(applied.functions == all, "from \(version): nothing recorded yet")
            } else {
                #expect(applied.functions == all.filter { !old.contains($0) }, "from \(version): the old files are as recorded")
            }
            Self.expectSameSchema(try Self.schema(db), expected, "from version \(version)")
            #expect(try Migrator.migrate(db, source).isEmpty, "from \(version): a second run")
        }
    }

    @Test func migrationsWriteNoTableWithTriggersAndCallNoFunction() throws {
        // The rule the order relies on (sql/README.md): during the migrations the functions
        // already have their newest bodies, which may use tables a later migration makes.
        let t = try TestDatabase(template: "ota_migrated")
        let db = try t.connect()
        let triggered = Set(try db.query("""
            SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
            """).map { try $0.decode("relname", as: String.self) })
        #expect(triggered.isSuperset(of: ["channel_inventory", "products", "reservations", "tickets", "partners", "api_keys", "partner_permissions"]))
        let source = try Migrator.source(directory: sqlRoot)
        let rules = MigrationRules(tablesWithTriggers: triggered, functions: Set(source.functions.map(\.name)))
        let firstTrigger = MigrationRules.firstTriggerVersions(source.migrations.map { ($0.version, $0.sql) })
        #expect(firstTrigger["settings"] == 18 && firstTrigger["customer_types"] == 18 && firstTrigger["channel_inventory"] == 2)
        var written: Set<String> = []
        for m in source.migrations {
            #expect(rules.at(version: m.version, firstTrigger: firstTrigger).violations(m.sql) == [], "\(m.name)")
            written.formUnion(MigrationRules.dmlTargets(m.sql))
        }
        // The scan sees the data the migrations do write.
        #expect(written.isSuperset(of: ["schema_migrations", "settings", "customer_types", "permissions"]))

        // And it catches what breaks the rule.
        #expect(rules.violations("INSERT INTO permissions (code, description) VALUES ('x', 'y');") == [])
        // settings has had a trigger since 0018: 0001 wrote it before, a later migration may not.
        #expect(rules.at(version: 1, firstTrigger: firstTrigger).violations("INSERT INTO settings (key, value) VALUES ('x', 'y');") == [])
        #expect(rules.at(version: 19, firstTrigger: firstTrigger).violations("INSERT INTO settings (key, value) VALUES ('x', 'y');")
                == ["writes settings"])
        #expect(rules.violations("CREATE TRIGGER t AFTER INSERT OR UPDATE ON tickets FOR EACH ROW EXECUTE FUNCTION ota_ticket_lifecycle();") == [])
        #expect(rules.violations("-- UPDATE tickets SET price = 0;\nCOMMENT ON TABLE x IS 'update tickets';") == [])
        #expect(rules.violations("DROP FUNCTION ota_hold(text);") == [])
        #expect(rules.violations("INSERT INTO reservations SELECT * FROM old_holds;") == ["writes reservations"])
        #expect(rules.violations("update Channel_Inventory set allocated = 1;") == ["writes channel_inventory"])
        #expect(rules.violations("DELETE FROM ONLY api_keys WHERE revoked_at IS NOT NULL;") == ["writes api_keys"])
        #expect(rules.violations("SELECT ota_hold('res_x', 1, 106, 1, 1, now(), '{}');") == ["calls ota_hold"])
        #expect(rules.violations("ALTER TABLE partner_allotments ADD CHECK (ota_partner_usage (partner_id, product_id) <= units);")
                == ["calls ota_partner_usage"])
    }

    @Test func aFunctionWhoseSignatureNeedsATableIsCreatedAfterTheMigrations() async throws {
        // None does today; one that did cannot be created first (its type does not exist
        // yet): it waits for the checked pass, with the runner and with apply.sh alike.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ota-sql-" + UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sqlRoot, toPath: dir + "/sql")
        try """
            -- ota_pool_free: the units of a pool row neither held nor sold (a test's file).
            CREATE OR REPLACE FUNCTION ota_pool_free(p channel_inventory) RETURNS integer
            LANGUAGE sql IMMUTABLE AS $$ SELECT p.allocated - p.reserved - p.sold $$;
            """.write(toFile: dir + "/sql/functions/ota_pool_free.sql", atomically: true, encoding: .utf8)
        let source = try Migrator.source(directory: dir + "/sql")

        let byRunner = try TestDatabase(template: "template0")
        let db = try byRunner.connect()
        var log: [String] = []
        let applied = try Migrator.migrate(db, source) { log.append($0) }
        #expect(applied.functionsFirst == source.functions.map(\.name).filter { $0 != "ota_pool_free" })
        #expect(applied.functions == source.functions.map(\.name))
        #expect(log.contains { $0.hasPrefix("function ota_pool_free waits for the migrations: ") })
        #expect(try db.query("SELECT ota_pool_free(c) AS free FROM channel_inventory c").count == 0)

        let byScript = try TestDatabase(template: "template0")
        let (status, output) = try await runApplySh(dir + "/sql/apply.sh", byScript.url)
        #expect(status == 0)
        #expect(output.contains("function ota_pool_free waits for the migrations\n"))
        #expect(output.contains("applying function ota_pool_free\n"))
        Self.expectSameSchema(try Self.schema(try byScript.connect()), try Self.schema(db), "apply.sh and the runner")
    }

    @Test func aFunctionThatExistsKeepsItsDefinitionWhileTheMigrationsRun() throws {
        // Gateways keep serving during `migrate`: a changed body may use what a pending
        // migration adds, so it replaces the running one only after the migrations.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ota-sql-" + UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sqlRoot, toPath: dir + "/sql")
        let t = try TestDatabase(template: "template0")
        let db = try t.connect()
        try Migrator.migrate(db, try Migrator.source(directory: dir + "/sql"))
        let next = Schema.expectedVersion + 1, next4 = String(format: "%04d", next)

        let file = dir + "/sql/functions/ota_hold.sql"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "    IF target IS NULL THEN", with: "    -- changed by the test\n    IF target IS NULL THEN")
            .write(toFile: file, atomically: true, encoding: .utf8)
        try """
            BEGIN;
            CREATE TABLE seen_during_migration AS SELECT prosrc FROM pg_proc WHERE proname = 'ota_hold';
            INSERT INTO schema_migrations (version, name) VALUES (\(next), '\(next4)_look');
            COMMIT;
            """.write(toFile: dir + "/sql/migrations/\(next4)_look.sql", atomically: true, encoding: .utf8)
        let applied = try Migrator.migrate(db, try Migrator.source(directory: dir + "/sql"))
        #expect(applied == Migrator.Applied(migrations: ["\(next4)_look"], functions: ["ota_hold"], functionsFirst: []))
        let during = try db.query("SELECT prosrc FROM seen_during_migration").map { try $0.decode("prosrc", as: String.self) }
        #expect(during.count == 1 && during.first?.contains("changed by the test") == false)
        let after = try db.query("SELECT prosrc FROM pg_proc WHERE proname = 'ota_hold'").map { try $0.decode("prosrc", as: String.self) }
        #expect(after.count == 1 && after.first?.contains("changed by the test") == true)
    }

    @Test func aNewResultTypeWaitsForTheMigrationThatDropsTheOldFunction() throws {
        // sql/README.md, "change its arguments or result type": CREATE OR REPLACE cannot
        // change a result type. The function exists, so the first pass leaves it alone; the
        // migration drops it; the checked pass creates the new one.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ota-sql-" + UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sqlRoot, toPath: dir + "/sql")
        let t = try TestDatabase(template: "template0")
        let db = try t.connect()
        try Migrator.migrate(db, try Migrator.source(directory: dir + "/sql"))
        let next = Schema.expectedVersion + 1, next4 = String(format: "%04d", next)

        let file = dir + "/sql/functions/ota_partner_usage.sql"
        var text = try String(contentsOfFile: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "RETURNS bigint", with: "RETURNS integer")
            .replacingOccurrences(of: "    SELECT (SELECT coalesce", with: "    SELECT ((SELECT coalesce")
            .replacingOccurrences(of: "t.status <> 'CANCELLED')\n$$", with: "t.status <> 'CANCELLED'))::integer\n$$")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        try """
            BEGIN;
            DROP FUNCTION ota_partner_usage(bigint, integer);
            DELETE FROM schema_functions WHERE name = 'ota_partner_usage';
            INSERT INTO schema_migrations (version, name) VALUES (\(next), '\(next4)_partner_usage_integer');
            COMMIT;
            """.write(toFile: dir + "/sql/migrations/\(next4)_partner_usage_integer.sql", atomically: true, encoding: .utf8)

        var log: [String] = []
        let applied = try Migrator.migrate(db, try Migrator.source(directory: dir + "/sql")) { log.append($0) }
        #expect(log == ["applied \(next4)_partner_usage_integer", "applied function ota_partner_usage"])
        #expect(applied == Migrator.Applied(migrations: ["\(next4)_partner_usage_integer"], functions: ["ota_partner_usage"], functionsFirst: []))
        let types = try db.query("SELECT prorettype::regtype::text AS type FROM pg_proc WHERE proname = 'ota_partner_usage'")
            .map { try $0.decode("type", as: String.self) }
        #expect(types == ["integer"])
        #expect(try db.query("SELECT ota_allotment_remaining(1, 106) IS NULL AS none").first?.decode("none", as: Bool.self) == true)
    }
}

/// Runs sql/apply.sh with bash; its status and standard output.
func runApplySh(_ script: String, _ url: String) async throws -> (status: Int32, output: String) {
    try await offThread { () throws -> (status: Int32, output: String) in
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script, url]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, output)
    }
}
