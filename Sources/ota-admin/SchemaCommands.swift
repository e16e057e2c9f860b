import OTAStore
import Postgres

/// `migrate` and `status`.
enum SchemaCommands {
    static let migrateHelp = """
        Usage: ota-admin migrate [--dir DIR] [--lock-timeout SECONDS]
        Creates every function that does not exist yet from its file (DIR/functions, name.sql),
        so that the migrations' triggers find it; applies every pending migration
        (DIR/migrations, NNNN_name.sql) in order; then applies, checked, every function file
        that changed since it was last applied. Each file is its own transaction. DIR is the
        sql directory, or its migrations directory with the functions directory beside it
        (default: $OTA_MIGRATIONS_DIR, else sql/migrations). Running it again with nothing
        changed does nothing.
        A file waits at most SECONDS (default 10; 0: without bound) for each lock it takes: on
        a live database a migration queued behind a long transaction would otherwise hold up
        every query of its table behind it. A file that times out is rolled back whole (the
        ones before it stay applied); run the command again at a quieter moment, or with a
        longer --lock-timeout.
        """

    static let lockTimeoutRange = 0...3_600

    static let statusHelp = """
        Usage: ota-admin status
        Prints the database's and this build's schema versions; exits 3 when the database is behind.
        """

    static func migrate(_ args: inout Arguments) throws(AdminError) {
        if args.wantsHelp { return print(migrateHelp) }
        let dir = try args.value("--dir") ?? Migrator.defaultDirectory()
        let seconds = try args.int("--lock-timeout", in: lockTimeoutRange) ?? 10
        try args.finish()
        let db = try Console.connect(lockTimeout: seconds == 0 ? nil : .seconds(seconds))
        do {
            let source = try Migrator.source(directory: dir)
            let applied = try Migrator.migrate(db, source) { print($0) }
            print("ota-admin: schema at version \(try Migrator.currentVersion(db))" + (applied.isEmpty ? " (nothing to apply)" : ""))
        } catch {
            throw .failure("\(error)")
        }
    }

    static func status(_ args: inout Arguments) throws(AdminError) {
        if args.wantsHelp { return print(statusHelp) }
        try args.finish()
        let version: Int
        do {
            version = try Migrator.currentVersion(Console.connect())
        } catch let e as AdminError {
            throw e
        } catch {
            throw .failure("\(error)")
        }
        print("database schema version: \(version)\nthis build expects:      \(Schema.expectedVersion)")
        if version < Schema.expectedVersion {
            throw .drift("the database is behind this build: run ota-admin migrate")
        }
    }
}
