/// The life of a ticket: PRE_GENERATED -> ACTIVE -> USED, and PRE_GENERATED | ACTIVE ->
/// CANCELLED. The database enforces the same rule (tickets_lifecycle trigger).
public enum TicketStatus: String, Sendable, CaseIterable {
    case preGenerated = "PRE_GENERATED"
    case active = "ACTIVE"
    case used = "USED"
    case cancelled = "CANCELLED"

    public func canBecome(_ next: TicketStatus) -> Bool {
        switch (self, next) {
        case (.preGenerated, .active), (.preGenerated, .cancelled), (.active, .used), (.active, .cancelled): return true
        default: return false
        }
    }
}

public struct Entitlement: Sendable, Equatable {
    public var functionCode: String
    public var label: String
    public var usesTotal: Int
    public var usesLeft: Int
    public init(functionCode: String, label: String, usesTotal: Int, usesLeft: Int) {
        self.functionCode = functionCode
        self.label = label
        self.usesTotal = usesTotal
        self.usesLeft = usesLeft
    }
}

public struct Customer: Sendable, Equatable {
    public var name: String
    public var email: String?
    public var phone: String?
    public init(name: String, email: String? = nil, phone: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
    }

    public static let maxNameLength = 200
    public static let maxEmailLength = 254
    public static let maxPhoneLength = 40

    /// The name without surrounding white space, which must leave something.
    public static func name(_ raw: String, field: String) throws(FieldError) -> String {
        let name = raw.trimmingWhitespace()
        guard !name.isEmpty else { throw .invalid("\(field).name", "must not be empty") }
        return name
    }

    public static func checkEmail(_ e: String, field: String) throws(FieldError) {
        let parts = e.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !e.contains(" ") else {
            throw .invalid("\(field).email", "is not an email address")
        }
    }

    public static func checkPhone(_ p: String, field: String) throws(FieldError) {
        guard p.allSatisfy({ $0.isNumber || "+-() ".contains($0) }), p.contains(where: \.isNumber) else {
            throw .invalid("\(field).phone", "may hold digits, spaces, +, -, ( and ) only")
        }
    }
}

public struct Ticket: Sendable, Equatable {
    public var ticketCode: String
    public var partnerId: Int64
    public var productId: Int
    public var orderId: String?
    public var batchId: String?
    public var status: TicketStatus
    public var customerType: String?
    public var travelDate: LocalDate?
    public var price: Money
    public var entitlements: [Entitlement]
    public var createdAt: Timestamp
    public init(ticketCode: String, partnerId: Int64, productId: Int, orderId: String?, batchId: String? = nil, status: TicketStatus,
                customerType: String?,
                travelDate: LocalDate?, price: Money, entitlements: [Entitlement], createdAt: Timestamp) {
        self.ticketCode = ticketCode
        self.partnerId = partnerId
        self.productId = productId
        self.orderId = orderId
        self.batchId = batchId
        self.status = status
        self.customerType = customerType
        self.travelDate = travelDate
        self.price = price
        self.entitlements = entitlements
        self.createdAt = createdAt
    }
}

public struct Order: Sendable, Equatable {
    public var orderId: String
    public var partnerId: Int64
    public var reservationId: String?
    public var productId: Int
    public var status: String
    public var quantity: Int
    public var totalAmount: Money
    public var currency: String
    public var customer: Customer
    public var createdAt: Timestamp
    public init(orderId: String, partnerId: Int64, reservationId: String?, productId: Int, status: String, quantity: Int,
                totalAmount: Money, currency: String, customer: Customer, createdAt: Timestamp) {
        self.orderId = orderId
        self.partnerId = partnerId
        self.reservationId = reservationId
        self.productId = productId
        self.status = status
        self.quantity = quantity
        self.totalAmount = totalAmount
        self.currency = currency
        self.customer = customer
        self.createdAt = createdAt
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
