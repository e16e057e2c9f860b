public import OTADomain
public import Postgres

/// One of the cruise operator's staff who may open the console (never a partner).
public struct ConsoleUser: Sendable, Equatable {
    public var consoleUserId: Int64
    public var username: String
    public var isActive: Bool
    public var createdAt: Timestamp
    public var lastLoginAt: Timestamp?

    /// 3 to 64 of a-z 0-9 . _ -, starting with a letter or digit (as operators).
    public static func isValidUsername(_ s: String) -> Bool { OperatorInput.isValidUsername(s) }
}

/// Console accounts, their cookie sessions, and their logins (throttled and locked out as
/// operator logins are, under keys of their own so one kind of login never locks the other).
public struct ConsoleUserStore {
    let db: PostgresConnection

    public init(_ db: PostgresConnection) { self.db = db }

    static let columns = "u.console_user_id, u.username, u.status, u.created_at, u.last_login_at"

    public enum CreateOutcome: Sendable, Equatable { case created(ConsoleUser), usernameTaken }

    public func create(username: String, passwordHash: String) throws(StoreError) -> CreateOutcome {
        try storeCall {
            guard let row = try db.query("""
                INSERT INTO console_users AS u (username, password_hash) VALUES (\(username), \(passwordHash))
                ON CONFLICT (username) DO NOTHING
                RETURNING \(unescaped: Self.columns)
                """).first else { return .usernameTaken }
            return .created(try Self.user(row))
        }
    }

    public func list() throws(StoreError) -> [ConsoleUser] {
        try storeCall {
            try db.query("SELECT \(unescaped: Self.columns) FROM console_users u ORDER BY u.username").map(Self.user)
        }
    }

    /// Enables or disables the account; disabling ends its sessions. nil: no such user.
    public func setActive(username: String, _ active: Bool) throws(StoreError) -> ConsoleUser? {
        try change(username: username, status: active ? "active" : "disabled", passwordHash: nil, endSessions: !active)
    }

    /// A new password; every session of the account ends. nil: no such user.
    public func setPassword(username: String, passwordHash: String) throws(StoreError) -> ConsoleUser? {
        try change(username: username, status: nil, passwordHash: passwordHash, endSessions: true)
    }

    func change(username: String, status: String?, passwordHash: String?, endSessions: Bool) throws(StoreError) -> ConsoleUser? {
        try storeCall {
            try db.transaction {
                guard let row = try db.query("""
                    UPDATE console_users u SET status = coalesce(\(status), u.status),
                           password_hash = coalesce(\(passwordHash), u.password_hash), updated_at = now()
                     WHERE u.username = \(username)
                    RETURNING \(unescaped: Self.columns)
                    """).first else { return nil }
                let user = try Self.user(row)
                if endSessions {
                    try db.query("""
                        UPDATE console_sessions SET revoked_at = now() WHERE console_user_id = \(user.consoleUserId) AND revoked_at IS NULL
                        """)
                }
                return user
            }
        }
    }

    public typealias LoginOutcome = OTAStore.LoginOutcome<ConsoleUser>

    /// The login: the per-address rate, the lockouts, the password and the session, as
    /// OperatorStore.logIn does it. `verify` runs outside any transaction (slow on purpose)
    /// and gets nil for an unknown user (so a dummy hash keeps the timing the same).
    public func logIn(username: String, address: String, addressPolicy: RateLimitPolicy?, tokenHash: [UInt8],
                      ttlSeconds: Int, verify: (String?) -> Bool) throws(StoreError) -> LoginOutcome {
        try ThrottledLogin<ConsoleUser>(db: db, rateKey: "console-login:\(address)", accountKey: "cu:\(username)",
                                        addressKey: "ca:\(address)").run(
            addressPolicy: addressPolicy,
            lookup: { () throws(StoreError) in
                try loginRecord(username: username).map { (account: $0.user, passwordHash: $0.passwordHash, usable: $0.user.isActive) }
            },
            verify: verify,
            startSession: { (user: ConsoleUser) throws(StoreError) in
                try startSession(userId: user.consoleUserId, tokenHash: tokenHash, ttlSeconds: ttlSeconds)
            })
    }

    func loginRecord(username: String) throws(StoreError) -> (user: ConsoleUser, passwordHash: String)? {
        try storeCall {
            guard let row = try db.query("""
                SELECT \(unescaped: Self.columns), u.password_hash FROM console_users u WHERE u.username = \(username)
                """).first else { return nil }
            return (try Self.user(row), try row.decode("password_hash"))
        }
    }

    func startSession(userId: Int64, tokenHash: [UInt8], ttlSeconds: Int) throws(StoreError) -> Timestamp {
        try storeCall {
            try db.transaction {
                try db.query("UPDATE console_users SET last_login_at = now() WHERE console_user_id = \(userId)")
                // Sessions long over are of no use to anyone: each login sweeps a few.
                try db.query("""
                    DELETE FROM console_sessions WHERE token_hash IN (
                        SELECT token_hash FROM console_sessions WHERE expires_at < now() - interval '1 day' LIMIT 100)
                    """)
                guard let row = try db.query("""
                    INSERT INTO console_sessions (token_hash, console_user_id, expires_at)
                    VALUES (\(tokenHash), \(userId), now() + make_interval(secs => \(ttlSeconds)))
                    RETURNING expires_at
                    """).first else { throw StoreError.corrupt("session insert returned nothing") }
                return try row.decode("expires_at", as: Timestamp.self)
            }
        }
    }

    /// The live, active account behind a session cookie.
    public func session(tokenHash: [UInt8]) throws(StoreError) -> ConsoleUser? {
        try storeCall {
            try db.query("""
                SELECT \(unescaped: Self.columns)
                  FROM console_sessions s JOIN console_users u ON u.console_user_id = s.console_user_id
                 WHERE s.token_hash = \(tokenHash) AND s.revoked_at IS NULL AND s.expires_at > now() AND u.status = 'active'
                """).first.map(Self.user)
        }
    }

    /// Ends the session (logout); true if it was live.
    @discardableResult
    public func logOut(tokenHash: [UInt8]) throws(StoreError) -> Bool {
        try storeCall {
            try db.query("""
                UPDATE console_sessions SET revoked_at = now() WHERE token_hash = \(tokenHash) AND revoked_at IS NULL
                """).affectedRows == 1
        }
    }

    static func user(_ row: PostgresRow) throws -> ConsoleUser {
        ConsoleUser(consoleUserId: try row.decode("console_user_id"), username: try row.decode("username"),
                    isActive: try row.decode("status", as: String.self) == "active", createdAt: try row.decode("created_at"),
                    lastLoginAt: try row.decodeIfPresent("last_login_at"))
    }
}
