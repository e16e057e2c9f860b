public import OTADomain
public import Postgres

/// POST /operators/login as one store command: the per-address limit, the lockouts, the
/// password check and the session. The command never confirms a password to a caller who
/// may not use it: a disabled operator (or partner) is refused like a wrong password.
extension OperatorStore {
    public typealias LoginOutcome = OTAStore.LoginOutcome<Operator>

    /// `verify` checks the password against a stored hash (nil: no such operator, so a
    /// dummy hash keeps the timing the same); it runs outside any transaction, since it is
    /// slow on purpose. `addressPolicy` nil: no per-address rate limit (tests, benchmarks).
    public func logIn(partnerCode: String, username: String, address: String, addressPolicy: RateLimitPolicy?, tokenHash: [UInt8],
                      ttlSeconds: Int, verify: (String?) -> Bool) throws(StoreError) -> LoginOutcome {
        // Per operator (partner and username), so no partner's failures lock out another's.
        try ThrottledLogin<Operator>(db: db, rateKey: "login:\(address)", accountKey: "u:\(partnerCode)/\(username)",
                                     addressKey: "a:\(address)").run(
            addressPolicy: addressPolicy,
            lookup: { () throws(StoreError) in
                try loginRecord(partnerCode: partnerCode, username: username)
                    .map { (account: $0.op, passwordHash: $0.passwordHash, usable: $0.op.isActive && $0.partnerActive) }
            },
            verify: verify,
            startSession: { (op: Operator) throws(StoreError) in try startSession(operatorId: op.operatorId, tokenHash: tokenHash, ttlSeconds: ttlSeconds) })
    }
}
