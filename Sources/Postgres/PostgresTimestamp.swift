#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Timestamp text in and out, by hand: the formats are fixed (the session pins
/// DateStyle=ISO and TimeZone=UTC), and plain arithmetic avoids calendars, locales and
/// formatter caches on the hot path. Works in whole microseconds, timestamptz's precision.
enum PostgresTimestamp {
    private static let unixEpochFromReferenceDate: Int64 = 978_307_200
    private static let microsPerSecond: Int64 = 1_000_000
    private static let secondsPerDay: Int64 = 86_400

    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSinceReferenceDate
        // About ±8,000 years around 2001; PostgreSQL's own range check handles the rest.
        guard seconds.isFinite, abs(seconds) < 2.5e11 else { return seconds < 0 ? "-infinity" : "infinity" }
        let micros = Int64((seconds * 1e6).rounded()) + unixEpochFromReferenceDate * microsPerSecond
        let wholeSeconds = floorDivide(micros, microsPerSecond)
        let fraction = micros - wholeSeconds * microsPerSecond
        let days = floorDivide(wholeSeconds, secondsPerDay)
        let secondOfDay = wholeSeconds - days * secondsPerDay
        let (year, month, day) = civilDate(daysSinceUnixEpoch: days)
        let time = "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))"
        if year < 1 {
            // Astronomical year 0 is 1 BC; PostgreSQL spells BC dates with a suffix.
            return "\(pad(1 - year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(time)+00 BC"
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(time)Z"
    }

    static func parse(_ text: String) -> Date? {
        switch text {
        case "infinity": return .distantFuture
        case "-infinity": return .distantPast
        default: break
        }
        var scanner = Scanner(Array(text.utf8))
        var isBC = false
        if scanner.bytes.count > 3, scanner.bytes.suffix(3) == Array(" BC".utf8) {
            scanner.bytes.removeLast(3)
            isBC = true
        }
        guard let year = scanner.number(minDigits: 4, maxDigits: 7), scanner.take("-"),
            let month = scanner.number(minDigits: 2, maxDigits: 2), scanner.take("-"),
            let day = scanner.number(minDigits: 2, maxDigits: 2),
            (1...12).contains(month), (1...daysIn(month: month, year: isBC ? 1 - year : year)).contains(day)
        else { return nil }

        var secondOfDay: Int64 = 0
        var fraction: Int64 = 0
        var offsetSeconds: Int64 = 0
        if !scanner.atEnd {
            guard scanner.take(" ") || scanner.take("T"),
                let hour = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(":"),
                let minute = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(":"),
                let second = scanner.number(minDigits: 2, maxDigits: 2),
                hour <= 24, minute <= 59, second <= 60
            else { return nil }
            secondOfDay = hour * 3600 + minute * 60 + second
            if scanner.take(".") {
                let start = scanner.index
                guard let digits = scanner.number(minDigits: 1, maxDigits: 9) else { return nil }
                // Scale to microseconds; digits past the sixth are dropped.
                var scaled = digits
                var count = scanner.index - start
                while count < 6 { scaled *= 10; count += 1 }
                while count > 6 { scaled /= 10; count -= 1 }
                fraction = scaled
            }
            if scanner.take("Z") || scanner.take("z") {
                offsetSeconds = 0
            } else if let sign: Int64 = scanner.take("+") ? 1 : scanner.take("-") ? -1 : nil {
                guard let hours = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                var minutes: Int64 = 0
                var seconds: Int64 = 0
                if scanner.take(":") || scanner.peekIsDigit {
                    guard let value = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                    minutes = value
                    if scanner.take(":") {
                        guard let value = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                        seconds = value
                    }
                }
                offsetSeconds = sign * (hours * 3600 + minutes * 60 + seconds)
            }
        }
        guard scanner.atEnd else { return nil }

        let days = daysSinceUnixEpoch(year: isBC ? 1 - year : year, month: month, day: day)
        let unixSeconds = days * secondsPerDay + secondOfDay - offsetSeconds
        let referenceSeconds = unixSeconds - unixEpochFromReferenceDate
        return Date(timeIntervalSinceReferenceDate: Double(referenceSeconds) + Double(fraction) / 1e6)
    }

    // Howard Hinnant's days_from_civil / civil_from_days: proleptic Gregorian calendar.
    static func daysSinceUnixEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilDate(daysSinceUnixEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceUnixEpoch + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private struct Scanner {
        var bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        var peekIsDigit: Bool {
            index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
        }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func number(minDigits: Int, maxDigits: Int) -> Int64? {
            var value: Int64 = 0
            var count = 0
            while count < maxDigits, peekIsDigit {
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
                count += 1
            }
            return count >= minDigits ? value : nil
        }
    }
}
