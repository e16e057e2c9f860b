import Foundation

/// The rule that creating the functions before the migrations relies on (sql/README.md):
/// a migration writes no rows into a table that has triggers, and calls no function of
/// sql/functions (naming one as a trigger's function, or dropping it, is fine). While the
/// migrations run, every function already has its newest body, which may use tables and
/// columns that only a later migration makes.
struct MigrationRules {
    var tablesWithTriggers: Set<String>
    var functions: Set<String>

    /// The SQL without its `--` comments and with every string literal emptied, so that
    /// neither is read as a statement.
    static func code(_ sql: String) -> String {
        let uncommented = sql.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line)
        }.joined(separator: "\n")
        return uncommented.replacing(/'(?:[^']|'')*'/, with: "''")
    }

    /// The tables the SQL inserts into, updates, deletes from, merges into, copies into or
    /// truncates (lowercased; keywords after UPDATE in a trigger's event list show up too,
    /// which is harmless: they are no table's name).
    static func dmlTargets(_ sql: String) -> Set<String> {
        let dml = /(?i)\b(?:insert\s+into|update|delete\s+from|merge\s+into|copy|truncate(?:\s+table)?)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?/
        return Set(code(sql).matches(of: dml).map { String($0.output.1).lowercased() })
    }

    /// The version of the first migration that creates a trigger on each table (by the
    /// text of `CREATE TRIGGER ... ON table`). A migration before it writes that table
    /// while it has no trigger yet (0001 writes settings and customer_types, which get
    /// their catalog notification in 0018), which the rule allows.
    static func firstTriggerVersions(_ migrations: [(version: Int, sql: String)]) -> [String: Int] {
        let trigger = /(?i)\bcreate\s+(?:constraint\s+)?trigger\s+\w+\s+(?:before|after|instead\s+of)\s[^;]*?\bon\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?/
        var first: [String: Int] = [:]
        for m in migrations {
            for match in code(m.sql).matches(of: trigger) {
                let table = String(match.output.1).lowercased()
                first[table] = min(first[table] ?? m.version, m.version)
            }
        }
        return first
    }

    /// The rules for the migration `version`: the tables with triggers, less those whose
    /// first trigger comes in a later migration (`firstTrigger`). A table with a trigger
    /// but none created by name in a migration (e.g. renamed) always counts.
    func at(version: Int, firstTrigger: [String: Int]) -> MigrationRules {
        MigrationRules(tablesWithTriggers: tablesWithTriggers.filter { (firstTrigger[$0] ?? 0) < version }, functions: functions)
    }

    /// What in the SQL breaks the rule: "writes TABLE" and "calls FUNCTION", in that order.
    func violations(_ sql: String) -> [String] {
        let writes = Self.dmlTargets(sql).intersection(tablesWithTriggers).sorted().map { "writes " + $0 }
        var calls: Set<String> = []
        let named = /(?i)(execute\s+(?:function|procedure)\s+|drop\s+function\s+(?:if\s+exists\s+)?)?\b([a-z_][a-z0-9_]*)\s*\(/
        for match in Self.code(sql).matches(of: named) where match.output.1 == nil {
            let name = String(match.output.2).lowercased()
            if functions.contains(name) { calls.insert(name) }
        }
        return writes + calls.sorted().map { "calls " + $0 }
    }
}
