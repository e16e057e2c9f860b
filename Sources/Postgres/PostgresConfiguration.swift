import CLibPQ
import Posix

/// How to reach PostgreSQL and the session settings every connection starts with.
public struct PostgresConfiguration: Sendable {
    /// A `postgresql://` URL or a `key=value` conninfo string. May hold a password: it is
    /// handed to libpq and never logged.
    public var url: String
    /// The session's `application_name` (in pg_stat_activity and the server log), set by
    /// the executable (ota-gateway, ...); overrides one in `url`. nil keeps the url's.
    public var applicationName: String?
    /// Overrides a `connect_timeout` in `url`; bounds connecting and reconnecting.
    public var connectTimeoutSeconds: Int = 5
    /// Session `statement_timeout`; nil leaves the server's setting, `.zero` disables it.
    public var statementTimeout: Duration? = .seconds(10)
    /// Session `lock_timeout`, which bounds waits such as `SELECT ... FOR UPDATE`.
    public var lockTimeout: Duration? = .seconds(3)
    /// Session `idle_in_transaction_session_timeout`: the server ends a session that sits
    /// in an open transaction, so a stuck worker cannot hold row locks forever.
    public var idleInTransactionTimeout: Duration? = .seconds(30)

    public init(url: String, applicationName: String? = nil) {
        self.url = url
        self.applicationName = applicationName
    }

    /// The keyword/value pairs for PQconnectdbParams: the URL's own parameters, then ours.
    ///
    /// Session settings travel in the startup packet (`options=-c ...`) rather than as SET
    /// statements: no extra round trip, and PQreset re-sends them on reconnect. Options
    /// already in the URL are kept and ours are appended (a later `-c` wins).
    func connectionParameters() throws(PostgresError) -> [(keyword: String, value: String)] {
        var parameters = try Self.parse(url)
        let userOptions = parameters.first { $0.keyword == "options" }?.value
        var overridden: Set<String> = ["connect_timeout", "client_encoding", "options"]
        if applicationName != nil { overridden.insert("application_name") }
        parameters.removeAll { overridden.contains($0.keyword) }

        var settings = ["TimeZone=UTC", "DateStyle=ISO", "bytea_output=hex"]
        if let statementTimeout { settings.append("statement_timeout=\(Self.milliseconds(statementTimeout))") }
        if let lockTimeout { settings.append("lock_timeout=\(Self.milliseconds(lockTimeout))") }
        if let idleInTransactionTimeout {
            settings.append("idle_in_transaction_session_timeout=\(Self.milliseconds(idleInTransactionTimeout))")
        }
        var options = settings.map { "-c \($0)" }.joined(separator: " ")
        if let userOptions, !userOptions.isEmpty { options = userOptions + " " + options }

        if let applicationName { parameters.append(("application_name", applicationName)) }
        parameters.append(("connect_timeout", String(max(1, connectTimeoutSeconds))))
        parameters.append(("client_encoding", "UTF8"))
        parameters.append(("options", options))
        // A peer that vanishes (host down, network cut) otherwise goes unnoticed for the
        // kernel's default of about two hours; these notice it within about a minute.
        let keepalives = [("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3")]
        for (keyword, value) in keepalives where !parameters.contains(where: { $0.keyword == keyword }) {
            parameters.append((keyword, value))
        }
        return parameters
    }

    /// Splits a URL or conninfo string with libpq's own parser, so every form libpq accepts
    /// works and a malformed one fails before any network traffic.
    private static func parse(_ conninfo: String) throws(PostgresError) -> [(keyword: String, value: String)] {
        guard !conninfo.utf8.contains(0) else {
            throw .connectionFailure("invalid connection string: contains a NUL byte")
        }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            var message = "invalid connection string"
            if let errorMessage {
                message += ": " + String(cString: errorMessage).trimmingTrailingNewlines()
                PQfreemem(errorMessage)
            }
            throw .connectionFailure(message)
        }
        defer { PQconninfoFree(options) }
        var parameters: [(keyword: String, value: String)] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                parameters.append((String(cString: keyword), String(cString: value)))
            }
            option += 1
        }
        return parameters
    }

    /// Whole milliseconds, rounded up so that a tiny positive timeout never becomes 0,
    /// which PostgreSQL reads as "no timeout".
    static func milliseconds(_ duration: Duration) -> Int64 {
        // The server's timeout settings are 32-bit milliseconds.
        min(duration.millisecondsRoundedUp, Int64(Int32.max))
    }
}

extension String {
    /// libpq messages end with a newline (sometimes several lines); logs want one line.
    func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while let last = text.last, last.isNewline || last == " " { text.removeLast() }
        return String(text)
    }
}
