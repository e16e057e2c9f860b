import Foundation
import Testing
import Postgres
import TestSupport

/// `ota-admin migrate` on a live database: a migration that cannot get its lock gives up
/// after --lock-timeout instead of queueing behind a long transaction (and holding every
/// query of its table behind itself), is rolled back whole, and applies once it can.
@Suite struct MigrateLockTimeoutTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// sql/ with one more migration after the newest, which needs an exclusive lock on products.
    func sqlWithProbe() throws -> (dir: String, name: String) {
        let dir = NSTemporaryDirectory() + "ota-migrate-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: Self.repositoryRoot + "/sql", toPath: dir)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/migrations").filter { $0.hasSuffix(".sql") }.sorted()
        let newest = try #require(files.last)
        let next = try #require(Int(newest.prefix(4))) + 1
        let name = String(format: "%04d_lock_probe", next)
        try """
            BEGIN;
            ALTER TABLE products ADD COLUMN lock_probe integer;
            INSERT INTO schema_migrations (version, name) VALUES (\(next), '\(name)');
            COMMIT;
            """.write(toFile: "\(dir)/migrations/\(name).sql", atomically: true, encoding: .utf8)
        return (dir, name)
    }

    @Test func aMigrationThatCannotGetItsLockGivesUpAndIsRolledBack() throws {
        let t = try TestDatabase()
        let probe = try sqlWithProbe()
        defer { try? FileManager.default.removeItem(atPath: probe.dir) }
        let holder = try t.connect()
        try holder.execute(unescaped: "BEGIN")
        try holder.execute(unescaped: "SELECT 1 FROM products LIMIT 1")  // ACCESS SHARE until COMMIT
        // Without the bound the migration would wait for this: the holder lets go after 30 s,
        // so a missing lock timeout fails the test instead of hanging it.
        let release = DispatchWorkItem { _ = try? holder.execute(unescaped: "COMMIT") }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: release)

        let admin = AdminTool(databaseURL: t.url)
        let blocked = try admin.run("migrate", "--dir", probe.dir, "--lock-timeout", "1")
        #expect(blocked.status == 1, "\(blocked.out) \(blocked.err)")
        #expect(blocked.err.contains("migration \(probe.name) could not take its locks in time"), "\(blocked.err)")
        let db = try t.connect()
        #expect(try db.query("SELECT 1 FROM schema_migrations WHERE name = \(probe.name)").isEmpty, "rolled back")
        #expect(try db.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'products' AND column_name = 'lock_probe'").isEmpty)

        release.cancel()
        try holder.execute(unescaped: "COMMIT")
        let applied = try admin.run("migrate", "--dir", probe.dir, "--lock-timeout", "1")
        #expect(applied.status == 0, "\(applied.err)")
        #expect(applied.out.contains("applied \(probe.name)"), "\(applied.out)")
    }

    @Test func theBoundIsChecked() throws {
        let t = try TestDatabase()
        let run = try AdminTool(databaseURL: t.url).run("migrate", "--lock-timeout", "-1")
        #expect(run.status == 2, "\(run.err)")
        let again = try AdminTool(databaseURL: t.url).run("migrate", "--lock-timeout", "0", "--dir", Self.repositoryRoot + "/sql")
        #expect(again.status == 0 && again.out.contains("nothing to apply"), "0 waits without bound: \(again.out) \(again.err)")
    }
}
