/// Exact readings of a number literal, without a trip through Double: JSON numbers are
/// kept as their text, and these turn that text into integers or decimal digits exactly
/// (money and quantities must never be rounded by a binary float).
extension JSONValue {
    /// How a number reads as an integer.
    public enum IntegerReading: Sendable, Equatable {
        /// An integer that fits in Int ("100", "1e2", "2.000").
        case integer(Int)
        /// An integer too large for Int ("1" followed by 99 zeros, "1e19"): a caller can
        /// answer "more than available" rather than "malformed".
        case outOfRange(negative: Bool)
        /// Not a whole number ("12.3456e2", "5e-1").
        case notAnInteger
    }

    /// An exact decimal: the value is `digits` × 10^-`scale`, with the sign apart.
    public struct Decimal: Sendable, Equatable {
        public var isNegative: Bool
        /// Significant digits without leading zeros; "0" for zero. Trailing zeros of the
        /// literal are kept ("2.50" is 250 with scale 2), so the written scale survives.
        public var digits: String
        /// Digits after the decimal point; negative means that many zeros follow.
        public var scale: Int

        /// Plain text longer than this is not produced: "1e999999999" would be a gigabyte.
        public static let maxPlainTextLength = 4096

        public init(isNegative: Bool, digits: String, scale: Int) {
            self.isNegative = isNegative
            self.digits = digits
            self.scale = scale
        }

        /// Without trailing fractional zeros ("2.50" -> "2.5", "1.50e1" -> "15").
        public var normalized: Decimal {
            var copy = self
            while copy.scale > 0, copy.digits.count > 1, copy.digits.hasSuffix("0") {
                copy.digits.removeLast()
                copy.scale -= 1
            }
            if copy.digits == "0" { copy.scale = 0 }
            return copy
        }

        /// The value written without an exponent ("1234.56", "0.5", "100"); nil when that
        /// text would exceed `maxPlainTextLength`.
        public var plainText: String? {
            let isZero = digits == "0"
            let sign = isNegative && !isZero ? "-" : ""
            if scale <= 0 {
                guard digits.count - scale <= Self.maxPlainTextLength else { return nil }
                if isZero { return "0" }
                return sign + digits + String(repeating: "0", count: -scale)
            }
            guard scale + 2 <= Self.maxPlainTextLength, digits.count <= Self.maxPlainTextLength else { return nil }
            if digits.count > scale {
                let cut = digits.index(digits.endIndex, offsetBy: -scale)
                return sign + digits[..<cut] + "." + digits[cut...]
            }
            return sign + "0." + String(repeating: "0", count: scale - digits.count) + digits
        }

        /// The same value as an integer, when it is one.
        public var integerReading: IntegerReading {
            if digits == "0" { return .integer(0) }
            var whole = Substring(digits)
            if scale > 0 {
                // A fraction: the last `scale` digits must all be zero.
                guard scale < digits.count else { return .notAnInteger }
                let fraction = whole.suffix(scale)
                guard fraction.allSatisfy({ $0 == "0" }) else { return .notAnInteger }
                whole = whole.dropLast(scale)
            }
            // 19 digits is where Int64 ends: anything longer cannot fit.
            guard whole.count - min(scale, 0) <= 19 else { return .outOfRange(negative: isNegative) }
            let text = (isNegative ? "-" : "") + whole + String(repeating: "0", count: max(0, -scale))
            guard let value = Int(text) else { return .outOfRange(negative: isNegative) }
            return .integer(value)
        }
    }

    /// The number as an exact decimal; nil for anything but a number.
    public var exactDecimal: Decimal? {
        guard case let .number(text) = self else { return nil }
        return Self.decimal(fromLiteral: text)
    }

    /// How the number reads as an integer; nil for anything but a number.
    public var integerReading: IntegerReading? { exactDecimal?.integerReading }

    /// The number when it is an integer that fits in Int ("1e2" -> 100); nil otherwise.
    /// `integerReading` tells "too large" from "not an integer".
    public var exactInteger: Int? {
        guard case let .integer(value)? = integerReading else { return nil }
        return value
    }

    /// Reads a literal that the parser accepted (or built with `.int`); nil for text that
    /// is not a JSON number.
    static func decimal(fromLiteral text: String) -> Decimal? {
        let bytes = Array(text.utf8)
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var sawDigit = false
        var inFraction = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte.isASCIIDigitByte {
                sawDigit = true
                if inFraction { fractionDigits += 1 }
                // Leading zeros carry no value; skip them (but keep counting the scale).
                if !(digits.isEmpty && byte == UInt8(ascii: "0")) { digits.append(byte) }
            } else if byte == UInt8(ascii: "."), !inFraction {
                inFraction = true
            } else {
                break
            }
            index += 1
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count else { return nil }
            while index < bytes.count, bytes[index].isASCIIDigitByte {
                // Saturate: beyond a billion the value is absurd either way, and the scale
                // arithmetic below must not overflow.
                exponent = min(exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")), 1_000_000_000)
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        guard index == bytes.count else { return nil }
        if digits.isEmpty {
            return Decimal(isNegative: negative, digits: "0", scale: max(0, fractionDigits - exponent))
        }
        return Decimal(
            isNegative: negative, digits: String(decoding: digits, as: UTF8.self), scale: fractionDigits - exponent)
    }
}

extension UInt8 {
    fileprivate var isASCIIDigitByte: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}
