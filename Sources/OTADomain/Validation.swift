/// Input that cannot be accepted, named by field. `malformed` is a wrong JSON type or
/// unreadable syntax (400); `invalid` is a well-formed value outside the rules (422).
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case malformed, invalid }
    public var kind: Kind
    public var field: String
    public var message: String

    public init(_ kind: Kind, field: String, _ message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    public static func malformed(_ field: String, _ message: String) -> FieldError { FieldError(.malformed, field: field, message) }
    public static func invalid(_ field: String, _ message: String) -> FieldError { FieldError(.invalid, field: field, message) }

    public var description: String { "\(field): \(message)" }
}

/// Length limits of text fields. They count Unicode scalars, as PostgreSQL's length() and
/// JSON Schema's maxLength count them: a few grapheme clusters can hold hundreds of
/// combining marks (then a CHECK fails: 500).
public enum TextLimit {
    /// The bound on a text field that has no tighter rule of its own.
    public static let defaultMaxLength = 1000

    public static func check(_ s: String, maxLength: Int, field: String) throws(FieldError) {
        guard s.unicodeScalars.count <= maxLength else { throw .invalid(field, "must be at most \(maxLength) characters") }
    }
}

/// Product ids as requests name them.
public enum ProductId {
    public static func check(_ id: Int, field: String = "product_id") throws(FieldError) {
        guard id >= 1 else { throw .invalid(field, "must be a positive product id") }
    }
}
