/// Column names and their positions, shared by every row of one result (copy-on-write
/// storage, so rows do not copy it).
struct PostgresColumns: Sendable {
    let names: [String]
    /// The first column of each name wins, as in most SQL clients; alias duplicates
    /// (`a.id AS a_id`) to reach the others.
    let positions: [String: Int]

    init(names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (position, name) in names.enumerated() where positions[name] == nil {
            positions[name] = position
        }
        self.positions = positions
    }
}

/// One result row: the cells as text (text-format results), nil for NULL.
public struct PostgresRow: Sendable {
    let columns: PostgresColumns
    let cells: ArraySlice<String?>

    public var columnNames: [String] { columns.names }

    /// The raw text of a cell; nil for NULL or for a column the row does not have.
    public subscript(_ column: String) -> String? {
        guard let position = columns.positions[column] else { return nil }
        return cells[cells.startIndex + position]
    }

    /// True for NULL, and for a column the row does not have.
    public func isNull(_ column: String) -> Bool {
        self[column] == nil
    }

    /// The cell as `T`; a decode failure naming the column when it is missing, NULL, or
    /// not valid text for `T`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard let value = try decodeIfPresent(column, as: type) else {
            throw .decodeFailure("column \"\(column)\" is NULL, expected \(T.self)")
        }
        return value
    }

    /// The cell as `T`, or nil for NULL; a decode failure naming the column when it is
    /// missing or not valid text for `T`.
    public func decodeIfPresent<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws(PostgresError) -> T? {
        guard let position = columns.positions[column] else {
            throw .decodeFailure("no column \"\(column)\" in result (columns: \(columns.names.joined(separator: ", ")))")
        }
        guard let text = cells[cells.startIndex + position] else { return nil }
        do throws(PostgresError) {
            return try T(postgresText: text)
        } catch {
            var named = error
            named.message = "column \"\(column)\": \(error.message)"
            throw named
        }
    }
}

/// The rows of one statement, plus how many rows it affected (INSERT/UPDATE/DELETE count,
/// or the number of rows a SELECT returned).
public struct PostgresRows: Sendable, RandomAccessCollection {
    let columns: PostgresColumns
    /// Row-major: row r's cells are cells[r * columnCount ..< (r + 1) * columnCount].
    let cells: [String?]
    let rowCount: Int
    public var affectedRows: Int

    init(columns: PostgresColumns, cells: [String?], rowCount: Int, affectedRows: Int) {
        self.columns = columns
        self.cells = cells
        self.rowCount = rowCount
        self.affectedRows = affectedRows
    }

    public var columnNames: [String] { columns.names }

    public var startIndex: Int { 0 }
    public var endIndex: Int { rowCount }

    public subscript(position: Int) -> PostgresRow {
        let width = columns.names.count
        return PostgresRow(columns: columns, cells: cells[position * width ..< (position + 1) * width])
    }
}
