/// SQL text with its parameters, safe by construction: every interpolated value becomes a
/// `$n` parameter, never SQL text.
///
///     let rows = try connection.query("SELECT * FROM t WHERE id = \(id) AND n > \(n)")
///     // sql: "SELECT * FROM t WHERE id = $1 AND n > $2", binds: [id, n] as text
///
/// Raw SQL text (an identifier chosen by code, never by input) needs the visibly named
/// `\(unescaped: ...)`, or `init(unsafeSQL:binds:)`.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var sql: String
    public var binds: [String?]

    public init(unsafeSQL: String, binds: [String?] = []) {
        self.sql = unsafeSQL
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// The SQL only: parameter values can be secrets or personal data, so they stay out
    /// of logs.
    public var description: String {
        binds.isEmpty ? sql : "\(sql) [\(binds.count) parameters]"
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql: String
        var binds: [String?]

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = []
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// A value: becomes the next `$n` parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            binds.append(value.postgresText)
            sql += "$\(binds.count)"
        }

        /// An optional value: nil becomes NULL. Spelled out so that interpolating an
        /// optional matches exactly and does not draw the compiler's "debug description for
        /// an optional value" warning meant for ordinary strings.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(value?.postgresText ?? nil)
            sql += "$\(binds.count)"
        }

        /// Raw SQL text, pasted as is. Only for text the program itself builds (a table or
        /// column name from a fixed list); never for anything that came from input.
        public mutating func appendInterpolation(unescaped text: String) {
            sql += text
        }
    }
}
