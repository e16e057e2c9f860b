/// A partner's request to hold units of the OTA pool, checked against the rules that need
/// no database: types, ranges, and the expiry window.
public struct HoldRequest: Sendable, Equatable {
    public var productId: Int
    /// Clamped to Int32.max: availability is checked before the per-hold maximum, so any
    /// quantity above what exists answers 409, whatever its size.
    public var quantity: Int
    public var expiresAt: Timestamp

    public static let defaultHoldSeconds: Int64 = 86_400
    public static let minimumHoldSeconds: Int64 = 60

    public init(productId: Int, quantity: Int, expiresAt: Timestamp) {
        self.productId = productId
        self.quantity = quantity
        self.expiresAt = expiresAt
    }

    public static func checkQuantity(_ quantity: Int) throws(FieldError) {
        guard quantity >= 1 else { throw .invalid("quantity", "must be a whole number of at least 1") }
    }

    /// When the hold ends: the requested RFC 3339 instant, at least a minute and at most the
    /// partner's maximum hold ahead; without one, a day (or the partner's maximum if shorter).
    public static func expiry(requested text: String?, now: Timestamp, maxHoldSeconds: Int) throws(FieldError) -> Timestamp {
        guard let text else { return now.adding(seconds: min(defaultHoldSeconds, Int64(maxHoldSeconds))) }
        guard let t = Timestamp(rfc3339: text) else {
            throw .invalid("reservation_expires_at", "must be an RFC 3339 date-time such as 2025-11-04T14:30:00Z")
        }
        let ahead = t.microseconds - now.microseconds
        guard ahead >= minimumHoldSeconds * 1_000_000 else {
            throw .invalid("reservation_expires_at", "must be at least 1 minute ahead")
        }
        guard ahead <= Int64(maxHoldSeconds) * 1_000_000 else {
            throw .invalid("reservation_expires_at", "must be at most \(maxHoldSeconds) seconds ahead (the partner's maximum hold)")
        }
        return t
    }
}

/// What the database answered to a hold.
public enum HoldOutcome: Sendable, Equatable {
    case held(available: Int, createdAt: Timestamp, expiresAt: Timestamp)
    case insufficient(available: Int)
    case overLimit(available: Int, maxPerHold: Int)
    /// The partner's own allotment of the product (inside the shared pool) has only
    /// `remaining` units left; the pool itself had enough.
    case overAllotment(remaining: Int)
    case noAllocation
}
