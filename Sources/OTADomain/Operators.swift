/// A partner's venue staff member, who logs in to redeem tickets at the partner's venues.
public struct Operator: Sendable, Equatable {
    public var operatorId: Int64
    public var partnerId: Int64
    public var username: String
    public var displayName: String
    /// Venues the operator may scan at; empty means every venue of the partner.
    public var venueIds: [String]
    public var isActive: Bool
    public var createdAt: Timestamp

    public init(operatorId: Int64, partnerId: Int64, username: String, displayName: String, venueIds: [String], isActive: Bool,
                createdAt: Timestamp) {
        self.operatorId = operatorId
        self.partnerId = partnerId
        self.username = username
        self.displayName = displayName
        self.venueIds = venueIds
        self.isActive = isActive
        self.createdAt = createdAt
    }

    public func mayScan(at venueId: String) -> Bool { venueIds.isEmpty || venueIds.contains(venueId) }
}

public struct Venue: Sendable, Equatable {
    public var venueId: String
    public var partnerId: Int64
    public var name: String
    public var address: String?
    public var isOpen: Bool
    public init(venueId: String, partnerId: Int64, name: String, address: String?, isOpen: Bool) {
        self.venueId = venueId
        self.partnerId = partnerId
        self.name = name
        self.address = address
        self.isOpen = isOpen
    }

    public static func isValidId(_ s: String) -> Bool {
        let b = Array(s.utf8)
        func alnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
        return (1...64).contains(b.count) && alnum(b[0]) && b.allSatisfy { alnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }
}

/// `POST /api/ota/operators` and its update.
public struct OperatorInput: Sendable, Equatable {
    public var username: String?
    public var password: String?
    public var displayName: String?
    public var venueIds: [String]?
    public var active: Bool?

    public init(username: String? = nil, password: String? = nil, displayName: String? = nil, venueIds: [String]? = nil, active: Bool? = nil) {
        self.username = username
        self.password = password
        self.displayName = displayName
        self.venueIds = venueIds
        self.active = active
    }

    public static func isValidUsername(_ s: String) -> Bool {
        let b = Array(s.utf8)
        func ok(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) }
        return (3...64).contains(b.count) && ok(b[0]) && b.allSatisfy { ok($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    public static let maxUsernameLength = 64
    public static let maxPasswordLength = 128
    public static let maxDisplayNameLength = 200
    public static let maxVenues = 200

    // A create needs every field; an update may give any subset, except the username,
    // which never changes. Each rule takes the field as read (nil: not given).

    public static func username(_ u: String?, creating: Bool) throws(FieldError) -> String? {
        guard let u else {
            if creating { throw .invalid("username", "is required") }
            return nil
        }
        guard creating else { throw .invalid("username", "cannot be changed; create a new operator") }
        guard isValidUsername(u) else {
            throw .invalid("username", "must be 3 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        return u
    }

    public static func password(_ p: String?, creating: Bool) throws(FieldError) -> String? {
        if creating, p == nil { throw .invalid("password", "is required") }
        return p
    }

    /// The display name without surrounding white space, which must leave something.
    public static func displayName(_ d: String?, creating: Bool) throws(FieldError) -> String? {
        guard let d else {
            if creating { throw .invalid("display_name", "is required") }
            return nil
        }
        let trimmed = d.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .invalid("display_name", "must not be empty") }
        return trimmed
    }

    public static func checkVenueCount(_ count: Int) throws(FieldError) {
        guard count <= maxVenues else { throw .invalid("venue_ids", "may list at most \(maxVenues) venues") }
    }

    public static func checkVenueId(_ id: String, field: String) throws(FieldError) {
        guard Venue.isValidId(id) else { throw .invalid(field, "is not a venue id") }
    }

    /// `status`: "active" or "disabled".
    public static func isActive(status: String) throws(FieldError) -> Bool {
        guard status == "active" || status == "disabled" else { throw .invalid("status", "must be active or disabled") }
        return status == "active"
    }
}

/// `POST /venue/scan`: what to redeem, where.
public struct ScanRequest: Sendable, Equatable {
    public enum Subject: Sendable, Equatable { case qrToken(String), ticketCode(String) }
    public var subject: Subject
    public var venueId: String
    public var functionCode: String
    public var scanId: String?

    public static let maxQRTokenLength = 1024
    public static let maxTicketCodeLength = 64
    public static let maxVenueIdLength = 64
    public static let maxFunctionCodeLength = 32
    public static let maxScanIdLength = 128

    public init(subject: Subject, venueId: String, functionCode: String, scanId: String?) {
        self.subject = subject
        self.venueId = venueId
        self.functionCode = functionCode
        self.scanId = scanId
    }

    /// What is scanned: a QR token or a typed ticket code, exactly one of them.
    public static func subject(qrToken: String?, ticketCode: String?) throws(FieldError) -> Subject {
        switch (qrToken, ticketCode) {
        case let (t?, nil): return .qrToken(t)
        case let (nil, c?): return .ticketCode(c)
        case (nil, nil): throw .invalid("qr_token", "give qr_token (scanned) or ticket_code (typed)")
        case (_?, _?): throw .invalid("ticket_code", "give either qr_token or ticket_code, not both")
        }
    }

    public static func checkVenueId(_ id: String) throws(FieldError) {
        guard Venue.isValidId(id) else { throw .invalid("venue_id", "is not a venue id") }
    }

    public static func checkFunctionCode(_ code: String) throws(FieldError) {
        guard !code.isEmpty else { throw .invalid("function_code", "must not be empty") }
    }

    public static func checkScanId(_ s: String) throws(FieldError) {
        guard !s.isEmpty, s.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalid("scan_id", "must be 1 to 128 printable ASCII characters without spaces")
        }
    }
}

/// One redemption and what it left.
public struct Redemption: Sendable, Equatable {
    public var redemptionId: Int64
    public var ticketCode: String
    public var functionCode: String
    public var venueId: String
    public var operatorId: Int64
    public var scanId: String?
    public var usesLeft: Int
    public var redeemedAt: Timestamp
    public init(redemptionId: Int64, ticketCode: String, functionCode: String, venueId: String, operatorId: Int64, scanId: String?,
                usesLeft: Int, redeemedAt: Timestamp) {
        self.redemptionId = redemptionId
        self.ticketCode = ticketCode
        self.functionCode = functionCode
        self.venueId = venueId
        self.operatorId = operatorId
        self.scanId = scanId
        self.usesLeft = usesLeft
        self.redeemedAt = redeemedAt
    }
}

/// A ticket's billing line, written once at its first redemption.
public struct BillingLine: Sendable, Equatable {
    public var ticketCode: String
    public var productId: Int
    public var batchId: String?
    public var resellerId: String?
    public var amount: Money
    public var commissionRate: CommissionRate
    public var commission: Money
    public var net: Money
    public var currency: String
    public var billedAt: Timestamp
    public init(ticketCode: String, productId: Int, batchId: String?, resellerId: String?, amount: Money, commissionRate: CommissionRate,
                commission: Money, net: Money, currency: String, billedAt: Timestamp) {
        self.ticketCode = ticketCode
        self.productId = productId
        self.batchId = batchId
        self.resellerId = resellerId
        self.amount = amount
        self.commissionRate = commissionRate
        self.commission = commission
        self.net = net
        self.currency = currency
        self.billedAt = billedAt
    }

    /// The line for a ticket sold at `amount` with a reseller commission `rate`.
    public static func amounts(price: Money, rate: CommissionRate) -> (commission: Money, net: Money) {
        let c = rate.of(price)
        return (c, price - c)
    }
}

/// Growing lockouts for failed logins: the first few failures are free, each one after
/// locks the key for twice as long as the last, up to a cap.
public struct LoginThrottlePolicy: Sendable, Equatable {
    public var freeFailures: Int
    public var baseLockSeconds: Int
    public var maxLockSeconds: Int

    public static let perUsername = LoginThrottlePolicy(freeFailures: 5, baseLockSeconds: 1, maxLockSeconds: 900)
    public static let perAddress = LoginThrottlePolicy(freeFailures: 20, baseLockSeconds: 1, maxLockSeconds: 900)

    public init(freeFailures: Int, baseLockSeconds: Int, maxLockSeconds: Int) {
        self.freeFailures = freeFailures
        self.baseLockSeconds = baseLockSeconds
        self.maxLockSeconds = maxLockSeconds
    }

    /// Seconds to lock after the `failures`-th consecutive failure (0: not locked).
    public func lockSeconds(afterFailures failures: Int) -> Int {
        guard failures > freeFailures else { return 0 }
        let exponent = min(failures - freeFailures - 1, 20)
        return min(baseLockSeconds << exponent, maxLockSeconds)
    }
}
