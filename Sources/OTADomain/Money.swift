/// An exact amount of the deployment's currency, in hundredths (cents / fen).
/// Arithmetic stays in integers; text is the only way in or out, never a Double.
public struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var cents: Int64

    public init(cents: Int64) { self.cents = cents }

    public static let zero = Money(cents: 0)

    /// Parses "288", "288.5", "288.00", "-3.10". More than two decimals is refused rather
    /// than rounded: a price is never silently changed.
    public init?(_ text: String) {
        var s = Substring(text)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 13, whole.allSatisfy(\.isASCIIDigit) else { return nil }
        var fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || !fraction.isEmpty, fraction.count <= 2, fraction.allSatisfy(\.isASCIIDigit) else { return nil }
        while fraction.count < 2 { fraction += "0" }
        guard let w = Int64(whole), let f = Int64(fraction) else { return nil }
        cents = (w * 100 + f) * (negative ? -1 : 1)
    }

    /// Always two decimals: "288.00".
    public var description: String {
        let sign = cents < 0 ? "-" : ""
        let a = cents.magnitude
        let f = a % 100
        return "\(sign)\(a / 100).\(f < 10 ? "0" : "")\(f)"
    }

    public static func < (a: Money, b: Money) -> Bool { a.cents < b.cents }
    public static func + (a: Money, b: Money) -> Money { Money(cents: a.cents + b.cents) }
    public static func - (a: Money, b: Money) -> Money { Money(cents: a.cents - b.cents) }
    public static func * (a: Money, n: Int) -> Money { Money(cents: a.cents * Int64(n)) }

    /// The amount times a multiplier, rounded half away from zero to the cent.
    public func multiplied(by m: PriceMultiplier) -> Money {
        let product = cents * Int64(m.thousandths)
        let (q, r) = product.quotientAndRemainder(dividingBy: 1000)
        let roundAway: Int64 = r.magnitude * 2 >= 1000 ? (product < 0 ? -1 : 1) : 0
        return Money(cents: q + roundAway)
    }
}

/// A price multiplier of a special date, exact to a thousandth (x1.5 is 1500).
public struct PriceMultiplier: Sendable, Hashable, CustomStringConvertible {
    public var thousandths: Int

    public init(thousandths: Int) { self.thousandths = thousandths }
    public static let one = PriceMultiplier(thousandths: 1000)

    public init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 4, whole.allSatisfy(\.isASCIIDigit) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        // numeric(6,3) prints trailing zeros ("1.500"); drop them before the length check.
        while fraction.count > 3, fraction.hasSuffix("0") { fraction.removeLast() }
        guard parts.count == 1 || !parts[1].isEmpty, fraction.count <= 3, fraction.allSatisfy(\.isASCIIDigit) else { return nil }
        while fraction.count < 3 { fraction += "0" }
        guard let w = Int(whole), let f = Int(fraction) else { return nil }
        thousandths = w * 1000 + f
        guard thousandths > 0 else { return nil }
    }

    /// Shortest exact text: "1.5", "2", "1.125".
    public var description: String {
        var fraction = String(thousandths % 1000)
        while fraction.count < 3 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(thousandths / 1000)" : "\(thousandths / 1000).\(fraction)"
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
