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

/// Reading an integer out of a JSON number literal.
public enum IntegerLiteral {
    public enum Reading: Sendable, Equatable {
        /// A whole number; beyond Int32 it is clamped (a huge quantity is still "more than
        /// available", never an overflow).
        case integer(Int)
        case fractional
    }

    public static func read(_ literal: String) -> Reading? {
        var s = Substring(literal)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        var mantissa = s
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = s[..<e]
            guard let x = Int(s[s.index(after: e)...].prefix(6)) else { return nil }
            exponent = x
        }
        var digits = String(mantissa.filter { $0 != "." })
        let pointAt = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var intDigits = pointAt + exponent
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        // Strip leading zeros so that magnitude is judged by significant digits.
        while digits.count > 1, digits.hasPrefix("0") { digits.removeFirst(); intDigits -= 1 }
        if digits == "0" { return .integer(0) }
        if intDigits < digits.count {
            let tail = digits.suffix(digits.count - max(intDigits, 0))
            if tail.contains(where: { $0 != "0" }) { return .fractional }
            digits = String(digits.prefix(max(intDigits, 0)))
            if digits.isEmpty { return .integer(0) }
        }
        let clamp = Int(Int32.max)
        if intDigits > 10 { return .integer(negative ? -clamp : clamp) }
        let padded = digits + String(repeating: "0", count: max(0, intDigits - digits.count))
        let value = min(Int(padded) ?? clamp, clamp)
        return .integer(negative ? -value : value)
    }
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
