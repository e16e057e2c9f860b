public import Foundation
public import OTACrypto
public import Postgres

/// The repeatable half of the schema: sql/functions holds one file per function, each a
/// CREATE OR REPLACE FUNCTION, and nothing else defines a function, so the definition of
/// (say) ota_hold is read in one place. Before the migrations, every function that does
/// not exist yet is created from its file, unchecked, so that the triggers the migrations
/// create find it; after them, every file whose SHA-256 differs from the one recorded in
/// schema_functions is applied, checked, each in its own transaction with its checksum.
extension Migrator {
    public struct FunctionFile: Sendable, Equatable {
        /// The file name without `.sql`: the name of the function it defines.
        public var name: String
        public var sql: String
        /// SHA-256 of the file's bytes, lowercase hex (what `sha256sum` prints).
        public var checksum: String
    }

    /// What `ota-admin migrate` applies: the numbered migrations and the function files.
    public struct Source: Sendable {
        public var migrationsDirectory: String
        public var functionsDirectory: String
        public var migrations: [File]
        public var functions: [FunctionFile]
    }

    /// `dir` is either the sql directory (holding migrations/ and functions/) or its
    /// migrations/ directory, with functions/ beside it: `--dir sql/migrations`, which
    /// scripts have always passed, keeps working.
    public static func directories(for dir: String) -> (migrations: String, functions: String) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir + "/migrations", isDirectory: &isDirectory), isDirectory.boolValue {
            return (dir + "/migrations", dir + "/functions")
        }
        return (dir, siblingFunctions(of: dir))
    }

    /// `functions` beside `dir`, by text alone (Foundation's path helpers trap on "." here).
    static func siblingFunctions(of dir: String) -> String {
        var trimmed = Substring(dir)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if trimmed == "migrations" { return "functions" }
        if trimmed.hasSuffix("/migrations") { return trimmed.dropLast("migrations".count) + "functions" }
        return trimmed + (trimmed.hasSuffix("/") ? "" : "/") + "../functions"
    }

    public static func source(directory: String) throws -> Source {
        let dirs = directories(for: directory)
        return Source(migrationsDirectory: dirs.migrations, functionsDirectory: dirs.functions,
                      migrations: try load(directory: dirs.migrations),
                      functions: try loadFunctions(directory: dirs.functions))
    }

    /// Every `name.sql` of the directory, in name order (the order they are applied in).
    public static func loadFunctions(directory: String) throws -> [FunctionFile] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw MigrationError.functionsDirectoryUnreadable(directory)
        }
        var files: [FunctionFile] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            let name = String(fileName.dropLast(4))
            guard let first = name.utf8.first, first == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
                  name.utf8.count <= 63,
                  name.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                                         || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
                throw MigrationError.badFunctionFileName(fileName)
            }
            guard let data = FileManager.default.contents(atPath: directory + "/" + fileName),
                  let text = String(data: data, encoding: .utf8) else {
                throw MigrationError.functionsDirectoryUnreadable(directory + "/" + fileName)
            }
            if let problem = definitionProblem(text, name: name) {
                throw MigrationError.badFunctionFile(file: fileName, problem: problem)
            }
            files.append(FunctionFile(name: name, sql: text, checksum: Digest.hex(Digest.sha256([UInt8](data)))))
        }
        return files
    }

    /// Why the text is not one re-appliable definition of `name`, or nil when it is.
    static func definitionProblem(_ text: String, name: String) -> String? {
        let creates = text.matches(of: /(?i)create\s+(or\s+replace\s+)?function\s+([A-Za-z0-9_."]+)\s*\(/)
        guard creates.count == 1, let create = creates.first else {
            return "it must hold exactly one CREATE OR REPLACE FUNCTION (found \(creates.count))"
        }
        guard create.output.1 != nil else { return "CREATE FUNCTION fails when applied again: write CREATE OR REPLACE FUNCTION" }
        var defined = create.output.2.lowercased().replacingOccurrences(of: "\"", with: "")
        if defined.hasPrefix("public.") { defined.removeFirst("public.".count) }
        guard defined == name else { return "it defines \(defined), not \(name)" }
        // The runner wraps the file in its own transaction with the checksum's row.
        let control = ["BEGIN;", "COMMIT;", "ROLLBACK;", "START TRANSACTION;"]
        if text.split(whereSeparator: \.isNewline).contains(where: { control.contains($0.trimmingCharacters(in: .whitespaces).uppercased()) }) {
            return "it must not begin or end a transaction (the runner does)"
        }
        return nil
    }

    /// The checksum recorded for each applied function file.
    public static func recordedFunctions(_ db: PostgresConnection) throws -> [String: String] {
        let exists = try db.query("SELECT to_regclass('schema_functions') IS NOT NULL AS present")
        guard try exists.first?.decode("present", as: Bool.self) == true else { throw MigrationError.noFunctionTable }
        var recorded: [String: String] = [:]
        for row in try db.query("SELECT name, checksum FROM schema_functions") {
            recorded[try row.decode("name", as: String.self)] = try row.decode("checksum", as: String.self)
        }
        return recorded
    }

    /// The first pass, before the migrations: creates each function that does not exist yet
    /// (by name, in the schema that unqualified names go to) from its file, with
    /// check_function_bodies off, since the tables and columns its body names may come from
    /// those migrations; records nothing. A function that exists keeps its definition until
    /// the second pass, so whatever is calling it while the migrations run is not handed a
    /// body written for tables they have not made yet. A file that cannot be created yet (a
    /// table's row type in its signature) is rolled back and left to the second pass, which
    /// reports it if it still fails. Returns the names created. The caller holds the lock.
    static func createFunctionsFirst(_ db: PostgresConnection, _ functions: [FunctionFile], log: (String) -> Void) throws -> [String] {
        guard !functions.isEmpty else { return [] }
        let existing = Set(try db.query("SELECT DISTINCT proname::text AS name FROM pg_proc WHERE pronamespace = current_schema()::regnamespace")
            .map { try $0.decode("name", as: String.self) })
        var done: [String] = []
        for file in functions where !existing.contains(file.name) {
            do {
                try db.transaction {
                    try db.execute(unescaped: "SET LOCAL check_function_bodies = off")
                    try db.execute(unescaped: file.sql)
                }
            } catch {
                log("function \(file.name) waits for the migrations: \(error)")
                continue
            }
            log("created function \(file.name) before the migrations")
            done.append(file.name)
        }
        return done
    }

    /// The second pass, once the schema is complete: applies each file whose checksum is not
    /// the recorded one with its body checked, together with the record of its checksum;
    /// returns their names. The caller holds the advisory lock.
    static func applyFunctions(_ db: PostgresConnection, _ functions: [FunctionFile], log: (String) -> Void) throws -> [String] {
        guard !functions.isEmpty else { return [] }
        let recorded = try recordedFunctions(db)
        var done: [String] = []
        for file in functions where recorded[file.name] != file.checksum {
            do {
                try db.transaction {
                    // On, whatever the server's default: this pass is the check.
                    try db.execute(unescaped: "SET LOCAL check_function_bodies = on")
                    try db.execute(unescaped: file.sql)
                    try db.query("""
                        INSERT INTO schema_functions (name, checksum) VALUES (\(file.name), \(file.checksum))
                        ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()
                        """)
                }
            } catch {
                throw MigrationError.functionFailed(file: file.name, message: String(describing: error))
            }
            log("applied function \(file.name)")
            done.append(file.name)
        }
        return done
    }
}
