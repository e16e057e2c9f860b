/// An instant, in microseconds since 1970-01-01T00:00:00Z (PostgreSQL's precision).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    public init(seconds: Int64) { microseconds = seconds * 1_000_000 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(microseconds: microseconds + seconds * 1_000_000) }
    /// The instant rounded down to a whole multiple of `unit` microseconds (1_000_000: the
    /// second), also before 1970: never later than the instant itself.
    public func roundedDown(toMicroseconds unit: Int64) -> Timestamp {
        Timestamp(microseconds: microseconds - ((microseconds % unit) + unit) % unit)
    }

    public var date: LocalDate {
        let days = microseconds >= 0 ? microseconds / 86_400_000_000 : (microseconds - 86_399_999_999) / 86_400_000_000
        return LocalDate(daysSinceEpoch: Int(days))
    }

    /// RFC 3339 in UTC: "2025-11-04T14:30:00Z", with a fraction only when there is one.
    public var description: String {
        let dayMicros: Int64 = 86_400_000_000
        let days = microseconds >= 0 ? microseconds / dayMicros : (microseconds - dayMicros + 1) / dayMicros
        let rest = microseconds - days * dayMicros
        let secs = Int(rest / 1_000_000)
        let micros = Int(rest % 1_000_000)
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        var out = "\(LocalDate(daysSinceEpoch: Int(days)))T\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2))"
        if micros != 0 {
            var f = pad(micros, 6)
            while f.hasSuffix("0") { f.removeLast() }
            out += "." + f
        }
        return out + "Z"
    }

    /// A query bound: an RFC 3339 instant as it is, or a date meaning its start (or, with
    /// `endOfDay`, the start of the next day, for an exclusive upper bound).
    public init?(dateOrInstant raw: String, endOfDay: Bool) {
        if let t = Timestamp(rfc3339: raw) {
            self = t
        } else if let d = LocalDate(raw) {
            self.init(seconds: Int64(d.adding(days: endOfDay ? 1 : 0).daysSinceEpoch) * 86_400)
        } else {
            return nil
        }
    }

    /// Parses RFC 3339 date-time ("2025-11-04T14:30:00Z", "2025-11-04T22:30:00.5+08:00").
    /// Also accepts PostgreSQL's text output ("2025-11-04 14:30:00.123+00").
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        guard b.count >= 20, let date = LocalDate(String(decoding: b[0..<10], as: UTF8.self)),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") else { return nil }
        func digits(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= b.count else { return nil }
            var v = 0
            for i in r {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let h = digits(11..<13), let mi = digits(14..<16), let s = digits(17..<19),
              h < 24, mi < 60, s < 60 else { return nil }
        var i = 19
        var micros = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if n < 6 { micros = micros * 10 + Int(b[i] - 0x30) }
                n += 1
                i += 1
            }
            guard n > 0 else { return nil }
            for _ in n..<max(n, 6) { micros *= 10 }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1..<i + 3), oh < 24 else { return nil }
            i += 3
            var om = 0
            if i < b.count, b[i] == UInt8(ascii: ":") {
                guard let m = digits(i + 1..<i + 3), m < 60 else { return nil }
                om = m
                i += 3
            }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let secs = Int64(date.daysSinceEpoch) * 86_400 + Int64(h * 3600 + mi * 60 + s) - Int64(offsetSeconds)
        microseconds = secs * 1_000_000 + Int64(micros)
    }
}
