import HTTP
import OTACrypto
import OTAStore
import Postgres
import Foundation

extension Route {
    /// The operator's console and its API: for console accounts only, never partner keys.
    var isConsole: Bool { path == "/console" || path.hasPrefix("/console/") || path.hasPrefix("/api/admin/") }

    /// A page a browser opens: without a session it is sent to the login form, and with
    /// the database away it still renders, with a banner.
    var isConsolePage: Bool { method == .get && path == "/console" }
}

/// The console's session cookie: random (32 bytes behind `ocs_`), stored only as its
/// SHA-256, HttpOnly and SameSite=Strict (so another site can neither read it nor make
/// the browser send it), Secure when the gateway is served over TLS.
enum ConsoleCookie {
    static let name = "ota_console"
    static let prefix = "ocs_"

    static func issue() throws -> (token: String, hash: [UInt8]) {
        let token = prefix + Base64URL.encode(try SecureRandom.bytes(32))
        return (token, Digest.sha256(token))
    }

    static func isPlausible(_ token: String) -> Bool { token.hasPrefix(prefix) && token.utf8.count == prefix.utf8.count + 43 }

    /// The cookie's value in the request's Cookie header(s), if any.
    static func value(in request: HTTPRequest) -> String? {
        for header in request.headers.values("Cookie") {
            for pair in header.split(separator: ";") {
                let item = pair.trimmingCharacters(in: .whitespaces)
                if item.hasPrefix(name + "=") { return String(item.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }

    static func set(_ token: String, maxAgeSeconds: Int, secure: Bool) -> String {
        "\(name)=\(token); Path=/; Max-Age=\(maxAgeSeconds); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    static func clear(secure: Bool) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}

/// The console steps of the pipeline.
extension GatewayHandler {
    enum ConsoleAuthentication {
        case user(ConsoleUser)
        /// What to answer instead of running the handler (a redirect to the login form, or
        /// the page's database-away banner).
        case answer(HTTPResponse)
    }

    /// Partner keys never reach the console (403, whatever else the request carries), and
    /// a POST must come from the console's own pages: a browser's Sec-Fetch-Site or Origin,
    /// when it sends them, must say so. (SameSite=Strict already keeps the cookie off
    /// cross-site requests; this also covers the login form, which has no cookie yet.)
    static func guardConsole(_ request: HTTPRequest) throws(APIError) {
        if request.headers["X-API-Key"] != nil {
            throw APIError(.consoleForPartners, "The console and /api/admin are for the operator's staff: log in at /console/login. Partner API keys are refused here.")
        }
        guard request.method == .post else { return }
        let crossSite = APIError(.crossSiteRequest, "This form may only be sent from the console's own pages.")
        if let site = request.headers["Sec-Fetch-Site"]?.lowercased(), site != "same-origin", site != "none" { throw crossSite }
        if let origin = request.headers["Origin"] {
            guard let host = request.headers["Host"], hostname(ofOrigin: origin) == hostname(ofAuthority: host) else { throw crossSite }
        }
    }

    /// "https://ota.example.com:8443" -> "ota.example.com"; "null" and garbage -> nil.
    static func hostname(ofOrigin origin: String) -> String? {
        guard let scheme = origin.range(of: "://") else { return nil }
        return hostname(ofAuthority: String(origin[scheme.upperBound...]))
    }

    /// The host of an authority without its port (a proxy may drop the port from Host).
    static func hostname(ofAuthority authority: String) -> String? {
        let a = authority.lowercased()
        guard !a.isEmpty, !a.contains("/") else { return nil }
        if a.hasPrefix("[") { return a.split(separator: "]").first.map { $0 + "]" } }
        return a.split(separator: ":", omittingEmptySubsequences: false).first.map(String.init)
    }

    func authenticateConsole(_ request: HTTPRequest, route: Route) throws -> ConsoleAuthentication {
        guard let token = ConsoleCookie.value(in: request), ConsoleCookie.isPlausible(token) else {
            if route.isConsolePage { return .answer(ConsolePage.redirect(to: "/console/login")) }
            throw APIError(.consoleLoginRequired, "Log in at /console/login; the console's API takes the same session cookie.")
        }
        let user: ConsoleUser?
        do {
            user = try ConsoleUserStore(try database()).session(tokenHash: Digest.sha256(token))
        } catch where route.isConsolePage && Self.isDatabaseAway(error) {
            return .answer(ConsolePage.unavailable(config: config))
        }
        guard let user else {
            if route.isConsolePage {
                return .answer(ConsolePage.redirect(to: "/console/login", headers: [("Set-Cookie", ConsoleCookie.clear(secure: config.consoleSecureCookie))]))
            }
            throw APIError(.consoleLoginRequired, "The console session is unknown, expired or ended; log in again at /console/login.")
        }
        return .user(user)
    }

    static func isDatabaseAway(_ error: any Error) -> Bool {
        switch error {
        case let e as APIError: return e.type == .serviceUnavailable
        case let e as StoreError: if case .unavailable = e { return true } else { return false }
        case let e as PostgresError: return e.code == .connectionFailure
        default: return false
        }
    }
}
