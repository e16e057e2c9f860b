public import Foundation
public import Postgres

/// Applies the plain SQL files of sql/migrations in order, between the two passes over the
/// function files of sql/functions (FunctionFiles.swift): functions that do not exist yet
/// are created first, so that the migrations' triggers find them, and every changed file is
/// applied, checked and recorded once the migrations have made the tables it uses. Each migration is its own transaction and records itself in
/// schema_migrations, so a DBA can apply the same files with psql alone (sql/apply.sh,
/// sql/README.md); this runner only picks the pending ones, one at a time, under an
/// advisory lock so that two runners never race.
public struct Migrator {
    public struct File: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var sql: String
    }

    public enum MigrationError: Error, CustomStringConvertible {
        case directoryUnreadable(String)
        case badFileName(String)
        case duplicateVersion(Int)
        case gap(after: Int)
        case failed(file: String, message: String)
        /// A lock the file needed was not granted within the connection's lock_timeout.
        case lockTimeout(file: String)
        case didNotRecordItself(String)
        case databaseAhead(applied: Int, known: Int)
        case functionsDirectoryUnreadable(String)
        case badFunctionFileName(String)
        case badFunctionFile(file: String, problem: String)
        case noFunctionTable
        case functionFailed(file: String, message: String)

        public var description: String {
            switch self {
            case let .directoryUnreadable(d): return "cannot read migrations directory \(d)"
            case let .badFileName(f): return "migration file name \(f) is not NNNN_name.sql"
            case let .duplicateVersion(v): return "two migration files have version \(v)"
            case let .gap(v): return "migration files skip a number after \(v)"
            case let .failed(f, m): return "migration \(f) failed and was rolled back: \(m)"
            case let .lockTimeout(f):
                return "migration \(f) could not take its locks in time (other transactions hold them) and was rolled back; "
                    + "the migrations before it stay applied: run again at a quieter moment or with a longer --lock-timeout"
            case let .didNotRecordItself(f): return "migration \(f) ran but did not insert its row into schema_migrations"
            case let .databaseAhead(a, k): return "database is at version \(a), newer than the newest file \(k)"
            case let .functionsDirectoryUnreadable(d):
                return "cannot read function files \(d) (give --dir the sql directory, or its migrations directory with functions beside it)"
            case let .badFunctionFileName(f): return "function file name \(f) is not a lowercase function name followed by .sql"
            case let .badFunctionFile(f, p): return "function file \(f): \(p)"
            case .noFunctionTable: return "schema_functions does not exist: the migration that creates it (0012) has not been applied"
            case let .functionFailed(f, m): return "function file \(f) failed and was rolled back: \(m)"
            }
        }
    }

    static let lockKey: Int64 = 0x07A_0001

    public static func load(directory: String) throws -> [File] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw MigrationError.directoryUnreadable(directory)
        }
        var files: [File] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            let stem = name.dropLast(4)
            guard stem.count > 5, let v = Int(stem.prefix(4)), stem.dropFirst(4).first == "_",
                  stem.dropFirst(5).allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw MigrationError.badFileName(name)
            }
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else {
                throw MigrationError.directoryUnreadable(directory + "/" + name)
            }
            guard !files.contains(where: { $0.version == v }) else { throw MigrationError.duplicateVersion(v) }
            files.append(File(version: v, name: String(stem), sql: text))
        }
        for (i, f) in files.enumerated() where f.version != i + 1 {
            throw MigrationError.gap(after: i)
        }
        return files
    }

    /// The versions recorded in schema_migrations (empty on a new database).
    public static func appliedVersions(_ db: PostgresConnection) throws -> [Int] {
        let exists = try db.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        guard try exists.first?.decode("present", as: Bool.self) == true else { return [] }
        return try db.query("SELECT version FROM schema_migrations ORDER BY version").map { try $0.decode("version", as: Int.self) }
    }

    public static func currentVersion(_ db: PostgresConnection) throws -> Int {
        try appliedVersions(db).max() ?? 0
    }

    /// What one run applied: the functions created before the migrations, the migrations,
    /// then the function files applied (checked) and recorded after them.
    public struct Applied: Sendable, Equatable {
        public var migrations: [String]
        public var functions: [String]
        /// Functions that did not exist, created unchecked before the migrations; each is in
        /// `functions` too when the run succeeds (unless its file was already recorded).
        public var functionsFirst: [String] = []
        public var isEmpty: Bool { migrations.isEmpty && functions.isEmpty }
    }

    /// Creates every function that does not exist yet from its file, unchecked (the
    /// migrations' triggers need it, and the tables it uses may not exist yet); applies the
    /// pending migrations; then applies every function file whose checksum differs from the
    /// recorded one, checked, each with the record of its checksum.
    @discardableResult
    public static func migrate(_ db: PostgresConnection, _ source: Source, log: (String) -> Void = { _ in }) throws -> Applied {
        try migrate(db, files: source.migrations, functions: source.functions, log: log)
    }

    @discardableResult
    public static func migrate(
        _ db: PostgresConnection, files: [File], functions: [FunctionFile], log: (String) -> Void = { _ in }
    ) throws -> Applied {
        try db.query("SELECT pg_advisory_lock(\(lockKey))")
        defer { _ = try? db.query("SELECT pg_advisory_unlock(\(lockKey))") }
        let applied = Set(try appliedVersions(db))
        if let newest = applied.max(), let known = files.last?.version, newest > known {
            throw MigrationError.databaseAhead(applied: newest, known: known)
        }
        let first = try createFunctionsFirst(db, functions, log: log)
        var done: [String] = []
        for file in files where !applied.contains(file.version) {
            do {
                try db.execute(unescaped: file.sql)
            } catch {
                _ = try? db.execute(unescaped: "ROLLBACK")
                if let pg = error as? PostgresError, pg.code == .lockNotAvailable { throw MigrationError.lockTimeout(file: file.name) }
                throw MigrationError.failed(file: file.name, message: String(describing: error))
            }
            guard try appliedVersions(db).contains(file.version) else { throw MigrationError.didNotRecordItself(file.name) }
            log("applied \(file.name)")
            done.append(file.name)
        }
        return Applied(migrations: done, functions: try applyFunctions(db, functions, log: log), functionsFirst: first)
    }

    /// Where the migration files are: $OTA_MIGRATIONS_DIR, else ./sql/migrations, else
    /// the share directory of an installed build (the function files are beside them).
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let d = environment["OTA_MIGRATIONS_DIR"], !d.isEmpty { return d }
        for candidate in ["sql/migrations", "/usr/share/ota/sql/migrations"]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return "sql/migrations"
    }
}
