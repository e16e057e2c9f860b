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
