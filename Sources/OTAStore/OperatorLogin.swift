public import OTADomain
public import Postgres

/// POST /operators/login as one store command: the per-address limit, the lockouts, the
/// password check and the session. The command never confirms a password to a caller who
/// may not use it: a disabled operator (or partner) is refused like a wrong password.
extension OperatorStore {
    public enum LoginOutcome: Sendable, Equatable {
        case loggedIn(Operator, expiresAt: Timestamp)
        /// Too many logins from this address (the stricter per-address rate).
        case rateLimited(retryAfterSeconds: Int)
        /// Too many failures for this username or address; a wrong password in the lock
        /// counts again, the right one does not.
        case locked(seconds: Int)
        case refused
    }

    /// `verify` checks the password against a stored hash (nil: no such operator, so a
    /// dummy hash keeps the timing the same); it runs outside any transaction, since it is
    /// slow on purpose. `addressPolicy` nil: no per-address rate limit (tests, benchmarks).
    public func logIn(partnerCode: String, username: String, address: String, addressPolicy: RateLimitPolicy?, tokenHash: [UInt8],
                      ttlSeconds: Int, verify: (String?) -> Bool) throws(StoreError) -> LoginOutcome {
        if let policy = addressPolicy {
            let decision = try RateLimitStore(db).take(key: "login:\(address)", policy: policy)
            guard decision.allowed else { return .rateLimited(retryAfterSeconds: decision.retryAfterSeconds(policy)) }
        }
        // Per operator (partner and username), so no partner's failures lock out another's.
        let keys = (username: "u:\(partnerCode)/\(username)", address: "a:\(address)")
        let locked = try lockedSeconds(keys: [keys.username, keys.address])
        let record = try loginRecord(partnerCode: partnerCode, username: username)
        let verified = verify(record?.passwordHash)
        if locked > 0 {
            if !verified { try recordFailure(key: keys.username, policy: .perUsername) }
            return .locked(seconds: locked)
        }
        guard verified, let found = record, found.op.isActive, found.partnerActive else {
            try recordFailure(key: keys.username, policy: .perUsername)
            try recordFailure(key: keys.address, policy: .perAddress)
            return .refused
        }
        try clearFailures(key: keys.username)
        let expires = try startSession(operatorId: found.op.operatorId, tokenHash: tokenHash, ttlSeconds: ttlSeconds)
        return .loggedIn(found.op, expiresAt: expires)
    }
}
