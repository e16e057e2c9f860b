public import OTADomain

/// When the worker sweeps next, as an instant of the local monotonic clock, worked out
/// from the database's clock: expiries are database timestamps, and the worker's wall
/// clock may differ from the database's. The outlook's `now()` anchors the two.
public struct WakeSchedule: Sendable, Equatable {
    public typealias Instant = ContinuousClock.Instant

    /// Local instant at which the database clock read `anchorDatabase`.
    public let anchorLocal: Instant
    public let anchorDatabase: Timestamp
    public private(set) var deadline: Instant

    /// After waking exactly at an expiry, the sweep's now() must already have passed it;
    /// a little margin saves a futile round trip when the clocks tick unevenly.
    public static let margin: Duration = .milliseconds(2)
    /// A hold already due that the sweep did not get is locked by another transaction
    /// (another worker's batch, a cancel); look again soon instead of spinning.
    public static let lockedRetry: Duration = .milliseconds(500)

    /// - Parameters:
    ///   - now: local instant just after the outlook was read.
    ///   - databaseNow, earliestExpiry: the outlook.
    ///   - pollInterval: the longest sleep.
    public init(now: Instant, databaseNow: Timestamp, earliestExpiry: Timestamp?, pollInterval: Duration) {
        anchorLocal = now
        anchorDatabase = databaseNow
        var deadline = now + pollInterval
        if let earliestExpiry {
            let untilExpiry = Self.duration(from: databaseNow, to: earliestExpiry)
            let wake = untilExpiry > .zero ? now + untilExpiry + Self.margin : now + Self.lockedRetry
            deadline = min(deadline, wake)
        }
        self.deadline = deadline
    }

    /// The local instant at which the database clock will read `timestamp`.
    public func localInstant(of timestamp: Timestamp) -> Instant {
        anchorLocal + Self.duration(from: anchorDatabase, to: timestamp)
    }

    /// A new hold expires at `expiry`: wake earlier if that is before the scheduled wake
    /// (at once if it already passed); a later one changes nothing. True when the
    /// deadline moved.
    @discardableResult
    public mutating func consider(expiry: Timestamp) -> Bool {
        let wake = localInstant(of: expiry) + Self.margin
        guard wake < deadline else { return false }
        deadline = wake
        return true
    }

    static func duration(from start: Timestamp, to end: Timestamp) -> Duration {
        let (difference, overflow) = end.microseconds.subtractingReportingOverflow(start.microseconds)
        guard !overflow else { return end > start ? .seconds(Int64.max / 2) : .seconds(Int64.min / 2) }
        return .microseconds(difference)
    }
}

/// The notification a new hold sends (migration 0006).
public enum HoldCreatedNotification {
    public static let channel = "ota_hold_created"

    /// The payload is `extract(epoch FROM expires_at)::text`, e.g. "1762266600.123456" (or
    /// "1762266600" without a fraction; "-12.5" before 1970). Read exactly, to the
    /// microsecond, without floating point; nil for anything else.
    public static func expiry(fromPayload payload: String) -> Timestamp? {
        var text = Substring(payload)
        let negative = text.first == "-"
        if negative { text = text.dropFirst() }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeText = parts.first, !wholeText.isEmpty, wholeText.count <= 12,
              wholeText.allSatisfy(\.isASCIIDigit), let whole = Int64(wholeText) else { return nil }
        var micros: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy(\.isASCIIDigit) else { return nil }
            var digits = 0
            for character in fraction.prefix(6) {
                micros = micros * 10 + Int64(character.wholeNumberValue ?? 0)
                digits += 1
            }
            while digits < 6 {
                micros *= 10
                digits += 1
            }
        }
        let total = whole * 1_000_000 + micros
        return Timestamp(microseconds: negative ? -total : total)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
