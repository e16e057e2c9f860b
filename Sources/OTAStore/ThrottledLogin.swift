public import OTADomain
public import Postgres

/// How a password login of any kind of account ended (operators, console staff).
public enum LoginOutcome<Account: Sendable & Equatable>: Sendable, Equatable {
    case loggedIn(Account, expiresAt: Timestamp)
    /// Too many logins from this address (the stricter per-address rate).
    case rateLimited(retryAfterSeconds: Int)
    /// Too many failures for this account or address; a wrong password in the lock counts
    /// again, the right one does not.
    case locked(seconds: Int)
    case refused
}

/// The one login algorithm every kind of account shares: the per-address rate, the
/// lockouts (login_throttle), the password check and the session. It never confirms a
/// password to a caller who may not use it: an account that is not usable is refused like
/// a wrong password.
struct ThrottledLogin<Account: Sendable & Equatable> {
    let db: PostgresConnection
    /// Rate-limit key of the address, and the throttle keys of the account and the address.
    let rateKey: String
    let accountKey: String
    let addressKey: String

    /// `lookup` finds the account with its stored hash and whether it may log in now;
    /// `verify` checks the password against that hash (nil: no such account, so a dummy
    /// hash keeps the timing the same) and runs outside any transaction, since it is slow
    /// on purpose; `startSession` records the session of a successful login.
    func run(addressPolicy: RateLimitPolicy?, lookup: () throws(StoreError) -> (account: Account, passwordHash: String, usable: Bool)?,
             verify: (String?) -> Bool, startSession: (Account) throws(StoreError) -> Timestamp) throws(StoreError) -> LoginOutcome<Account> {
        if let policy = addressPolicy {
            let decision = try RateLimitStore(db).take(key: rateKey, policy: policy)
            guard decision.allowed else { return .rateLimited(retryAfterSeconds: decision.retryAfterSeconds(policy)) }
        }
        let throttle = OperatorStore(db)
        let locked = try throttle.lockedSeconds(keys: [accountKey, addressKey])
        let record = try lookup()
        let verified = verify(record?.passwordHash)
        if locked > 0 {
            if !verified { try throttle.recordFailure(key: accountKey, policy: .perUsername) }
            return .locked(seconds: locked)
        }
        guard verified, let found = record, found.usable else {
            try throttle.recordFailure(key: accountKey, policy: .perUsername)
            try throttle.recordFailure(key: addressKey, policy: .perAddress)
            return .refused
        }
        try throttle.clearFailures(key: accountKey)
        return .loggedIn(found.account, expiresAt: try startSession(found.account))
    }
}
