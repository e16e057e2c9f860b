import JSON
import OTADomain

/// Typed access to the members of an object of the catalog file (config/catalog.json),
/// naming the member at fault. A file for operators, not a request: one kind of error,
/// CatalogSeed.DataError, and no limits beyond what the tables check.
struct CatalogFileReader {
    let members: [(String, JSONValue)]
    let path: String

    init(_ value: JSONValue, path: String = "") throws(CatalogSeed.DataError) {
        guard case let .object(m) = value else { throw Self.fail(path.isEmpty ? "the file" : path, "must be a JSON object") }
        members = m
        self.path = path
    }

    static func fail(_ field: String, _ message: String) -> CatalogSeed.DataError {
        CatalogSeed.DataError(description: "catalog: \(field): \(message)")
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member, null counting as absent.
    func value(_ key: String) -> JSONValue? {
        guard let v = members.first(where: { $0.0 == key })?.1, !v.isNull else { return nil }
        return v
    }

    func optionalInteger(_ key: String) throws(CatalogSeed.DataError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let n = v.exactInteger else {
            throw Self.fail(name(key), "must be a whole number")
        }
        return n
    }

    func requiredInteger(_ key: String) throws(CatalogSeed.DataError) -> Int {
        guard let n = try optionalInteger(key) else { throw Self.fail(name(key), "is required") }
        return n
    }

    func optionalString(_ key: String) throws(CatalogSeed.DataError) -> String? {
        guard let v = value(key) else { return nil }
        guard case let .string(s) = v else { throw Self.fail(name(key), "must be a string") }
        return s
    }

    func requiredString(_ key: String) throws(CatalogSeed.DataError) -> String {
        guard let s = try optionalString(key) else { throw Self.fail(name(key), "is required") }
        return s
    }

    func optionalObject(_ key: String) throws(CatalogSeed.DataError) -> CatalogFileReader? {
        guard let v = value(key) else { return nil }
        return try CatalogFileReader(v, path: name(key))
    }

    func optionalArray(_ key: String) throws(CatalogSeed.DataError) -> [JSONValue]? {
        guard let v = value(key) else { return nil }
        guard case let .array(items) = v else { throw Self.fail(name(key), "must be an array") }
        return items
    }
}
