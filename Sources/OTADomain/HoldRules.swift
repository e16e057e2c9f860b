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

    /// Reads `{"product_id", "quantity", "reservation_expires_at"?}`.
    public static func parse(_ body: JSONObjectReader, now: Timestamp, maxHoldSeconds: Int) throws(FieldError) -> HoldRequest {
        let productId = try body.requiredInteger("product_id")
        guard productId >= 1 else { throw .invalid("product_id", "must be a positive product id") }
        let quantity = try body.requiredInteger("quantity")
        guard quantity >= 1 else { throw .invalid("quantity", "must be a whole number of at least 1") }
        let expiresAt: Timestamp
        if let text = try body.optionalString("reservation_expires_at") {
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
            expiresAt = t
        } else {
            expiresAt = now.adding(seconds: min(defaultHoldSeconds, Int64(maxHoldSeconds)))
        }
        return HoldRequest(productId: productId, quantity: quantity, expiresAt: expiresAt)
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
