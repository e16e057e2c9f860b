import JSON
import OTADomain

/// Typed access to the members of a JSON request body, turning every mismatch into a
/// FieldError that names the member: wrong JSON type -> malformed (400), wrong value ->
/// invalid (422). The rules on the values read (lengths, ranges, formats) are OTADomain's.
struct JSONObjectReader: Sendable {
    let members: [(String, JSONValue)]
    /// Prefix for nested field names in messages ("units[2].customer_type").
    let path: String

    init(_ value: JSONValue, path: String = "") throws(FieldError) {
        guard case let .object(m) = value else {
            throw .malformed(path.isEmpty ? "body" : path, "must be a JSON object, got \(value.typeName)")
        }
        members = m
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func value(_ key: String) -> JSONValue? {
        guard let v = members.first(where: { $0.0 == key })?.1, !v.isNull else { return nil }
        return v
    }

    func requiredInteger(_ key: String) throws(FieldError) -> Int {
        guard let v = value(key) else { throw .invalid(name(key), "is required") }
        return try integer(v, key)
    }

    func optionalInteger(_ key: String) throws(FieldError) -> Int? {
        guard let v = value(key) else { return nil }
        return try integer(v, key)
    }

    /// Whole numbers beyond ±Int32.max are clamped to it: a huge quantity is still "more
    /// than available" (409), never an overflow, and fits every integer column.
    static let integerBound = Int(Int32.max)

    /// An integer in any JSON spelling ("2", "2.0", "2e0"), read exactly.
    func integer(_ v: JSONValue, _ key: String) throws(FieldError) -> Int {
        guard case .number = v, let reading = v.integerReading else { throw .malformed(name(key), "must be an integer, got \(v.typeName)") }
        switch reading {
        case let .integer(n): return min(max(n, -Self.integerBound), Self.integerBound)
        case let .outOfRange(negative): return negative ? -Self.integerBound : Self.integerBound
        case .notAnInteger: throw .invalid(name(key), "must be a whole number")
        }
    }

    /// A number member as the client wrote it (for details about a clamped value).
    func literal(_ key: String) -> String? {
        guard case let .number(text)? = value(key) else { return nil }
        return text
    }

    func requiredString(_ key: String, maxLength: Int = TextLimit.defaultMaxLength) throws(FieldError) -> String {
        guard let s = try optionalString(key, maxLength: maxLength) else { throw .invalid(name(key), "is required") }
        return s
    }

    func optionalString(_ key: String, maxLength: Int = TextLimit.defaultMaxLength) throws(FieldError) -> String? {
        guard let v = value(key) else { return nil }
        guard case let .string(s) = v else { throw .malformed(name(key), "must be a string, got \(v.typeName)") }
        try TextLimit.check(s, maxLength: maxLength, field: name(key))
        return s
    }

    func optionalObject(_ key: String) throws(FieldError) -> JSONObjectReader? {
        guard let v = value(key) else { return nil }
        return try JSONObjectReader(v, path: name(key))
    }

    func optionalArray(_ key: String) throws(FieldError) -> [JSONValue]? {
        guard let v = value(key) else { return nil }
        guard case let .array(items) = v else { throw .malformed(name(key), "must be an array, got \(v.typeName)") }
        return items
    }
}
