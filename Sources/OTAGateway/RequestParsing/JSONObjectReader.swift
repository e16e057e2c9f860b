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

    func integer(_ v: JSONValue, _ key: String) throws(FieldError) -> Int {
        guard case let .number(text) = v else { throw .malformed(name(key), "must be an integer, got \(v.typeName)") }
        switch IntegerLiteral.read(text) {
        case let .integer(n)?: return n
        case .fractional?: throw .invalid(name(key), "must be a whole number")
        case nil: throw .malformed(name(key), "must be an integer")
        }
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
