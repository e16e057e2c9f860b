/// What a partner may do through the API.
public enum Permission: String, Sendable, CaseIterable, Hashable {
    case inventoryRead = "inventory:read"
    case reservationsWrite = "reservations:write"
    case ordersRead = "orders:read"
    case ticketsWrite = "tickets:write"
    case ticketsRead = "tickets:read"
    case operators = "operators"
    case billingRead = "billing:read"
    case webhooks = "webhooks"
}

/// The partner behind an authenticated request, with the limits that apply to it.
public struct PartnerPrincipal: Sendable, Equatable {
    public var partnerId: Int64
    public var code: String
    public var name: String
    public var isActive: Bool
    public var permissions: Set<Permission>
    public var apiKeyId: Int64
    public var rateLimitPerMinute: Int
    public var maxHoldSeconds: Int
    public var maxUnitsPerHold: Int

    public init(partnerId: Int64, code: String, name: String, isActive: Bool, permissions: Set<Permission>, apiKeyId: Int64,
                rateLimitPerMinute: Int, maxHoldSeconds: Int, maxUnitsPerHold: Int) {
        self.partnerId = partnerId
        self.code = code
        self.name = name
        self.isActive = isActive
        self.permissions = permissions
        self.apiKeyId = apiKeyId
        self.rateLimitPerMinute = rateLimitPerMinute
        self.maxHoldSeconds = maxHoldSeconds
        self.maxUnitsPerHold = maxUnitsPerHold
    }
}

/// Reservation states; only `active` may change, and only once.
public enum ReservationStatus: String, Sendable, CaseIterable {
    case active, expired, activated, cancelled
}

public struct Reservation: Sendable, Equatable {
    public var reservationId: String
    public var partnerId: Int64
    public var productId: Int
    public var quantity: Int
    public var status: ReservationStatus
    public var expiresAt: Timestamp
    public var createdAt: Timestamp
    public var pricing: PricingSnapshot

    public init(reservationId: String, partnerId: Int64, productId: Int, quantity: Int, status: ReservationStatus,
                expiresAt: Timestamp, createdAt: Timestamp, pricing: PricingSnapshot) {
        self.reservationId = reservationId
        self.partnerId = partnerId
        self.productId = productId
        self.quantity = quantity
        self.status = status
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.pricing = pricing
    }
}

/// OTA availability and prices of one product, as the inventory endpoint shows them.
public struct ProductAvailability: Sendable, Equatable {
    public var productId: Int
    public var available: Int
    public var pricing: ProductPricing
    public init(productId: Int, available: Int, pricing: ProductPricing) {
        self.productId = productId
        self.available = available
        self.pricing = pricing
    }
}
