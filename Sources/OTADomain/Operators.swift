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

    /// Reads a create (every required field) or an update (any subset).
    public static func parse(_ body: JSONObjectReader, creating: Bool) throws(FieldError) -> OperatorInput {
        var input = OperatorInput()
        if let u = try body.optionalString("username", maxLength: 64) {
            guard creating else { throw .invalid("username", "cannot be changed; create a new operator") }
            guard isValidUsername(u) else {
                throw .invalid("username", "must be 3 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
            }
            input.username = u
        } else if creating {
            throw .invalid("username", "is required")
        }
        input.password = try body.optionalString("password", maxLength: 128)
        if creating, input.password == nil { throw .invalid("password", "is required") }
        if let d = try body.optionalString("display_name", maxLength: 200) {
            let trimmed = d.trimmingWhitespace()
            guard !trimmed.isEmpty else { throw .invalid("display_name", "must not be empty") }
            input.displayName = trimmed
        } else if creating {
            throw .invalid("display_name", "is required")
        }
        if let items = try body.optionalArray("venue_ids") {
            guard items.count <= 200 else { throw .invalid("venue_ids", "may list at most 200 venues") }
            var ids: [String] = []
            for (i, v) in items.enumerated() {
                guard case let .string(s) = v else { throw .malformed("venue_ids[\(i)]", "must be a string, got \(v.typeName)") }
                guard Venue.isValidId(s) else { throw .invalid("venue_ids[\(i)]", "is not a venue id") }
                if !ids.contains(s) { ids.append(s) }
            }
            input.venueIds = ids
        }
        if let v = body.value("status") {
            guard case let .string(s) = v else { throw .malformed("status", "must be a string, got \(v.typeName)") }
            guard s == "active" || s == "disabled" else { throw .invalid("status", "must be active or disabled") }
            input.active = s == "active"
        }
        return input
    }
}

/// `POST /venue/scan`: what to redeem, where.
public struct ScanRequest: Sendable, Equatable {
    public enum Subject: Sendable, Equatable { case qrToken(String), ticketCode(String) }
    public var subject: Subject
    public var venueId: String
    public var functionCode: String
    public var scanId: String?

    public static func parse(_ body: JSONObjectReader) throws(FieldError) -> ScanRequest {
        let token = try body.optionalString("qr_token", maxLength: 1024)
        let code = try body.optionalString("ticket_code", maxLength: 64)
        let subject: Subject
        switch (token, code) {
        case let (t?, nil): subject = .qrToken(t)
        case let (nil, c?): subject = .ticketCode(c)
        case (nil, nil): throw .invalid("qr_token", "give qr_token (scanned) or ticket_code (typed)")
        case (_?, _?): throw .invalid("ticket_code", "give either qr_token or ticket_code, not both")
        }
        let venue = try body.requiredString("venue_id", maxLength: 64)
        guard Venue.isValidId(venue) else { throw .invalid("venue_id", "is not a venue id") }
        let function = try body.requiredString("function_code", maxLength: 32)
        guard !function.isEmpty else { throw .invalid("function_code", "must not be empty") }
        let scanId = try body.optionalString("scan_id", maxLength: 128)
        if let s = scanId, s.isEmpty || !s.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            throw .invalid("scan_id", "must be 1 to 128 printable ASCII characters without spaces")
        }
        return ScanRequest(subject: subject, venueId: venue, functionCode: function, scanId: scanId)
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
