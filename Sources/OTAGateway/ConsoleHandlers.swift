import HTTP
import JSON
import OTACrypto
import OTADomain
import OTALog
import OTAStore

/// The operator's console: its login, logout and page. Console accounts are made with
/// `ota-admin console-user create`; partner keys never get in (the pipeline's console guard).
enum ConsoleHandlers {
    static let routes: [Route] = [
        Route("GET", "/console", "getConsole", .consoleSession, page),
        Route("GET", "/console/login", "getConsoleLogin", .none, loginPage),
        Route("POST", "/console/login", "consoleLogin", .none, login),
        Route("POST", "/console/logout", "consoleLogout", .consoleSession, logout),
    ]

    /// Logins per client address, as for operators but counted apart.
    static let loginPolicy = RateLimitPolicy(name: "console-login", limit: 30, windowSeconds: 60, burst: 10)

    static func loginPage(_ ctx: RequestContext) -> HTTPResponse {
        ConsolePage.login(message: nil, status: 200)
    }

    /// The login's fields: a form (application/x-www-form-urlencoded, what the page's form
    /// sends) or the same as a JSON object (a body that starts with `{`).
    struct Credentials {
        var username: String
        var password: String
        var isForm: Bool
    }

    static func isJSON(_ body: [UInt8]) -> Bool {
        body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{")
    }

    static func credentials(_ ctx: RequestContext) throws -> Credentials {
        if isJSON(ctx.request.body) {
            let body = try ctx.jsonBody()
            return Credentials(username: try body.requiredString("username", maxLength: 64), password: try body.requiredString("password", maxLength: 128),
                               isForm: false)
        }
        let form = ConsoleForm.parse(ctx.request.body)
        guard let username = form["username"], !username.isEmpty, username.count <= 64, !username.utf8.contains(0) else {
            throw APIError.invalid("username", "is required (at most 64 characters)")
        }
        guard let password = form["password"], !password.isEmpty, password.count <= 128, !password.utf8.contains(0) else {
            throw APIError.invalid("password", "is required (at most 128 characters)")
        }
        return Credentials(username: username, password: password, isForm: true)
    }

    static func login(_ ctx: RequestContext) throws -> HTTPResponse {
        let isForm = !isJSON(ctx.request.body)
        let given: Credentials
        do {
            given = try credentials(ctx)
        } catch let e as APIError where isForm {
            return ConsolePage.login(message: e.detail, status: e.status)
        }
        let username = given.username.lowercased()
        let address = ctx.clientAddress
        let session = try ConsoleCookie.issue()
        let outcome = try ConsoleUserStore(try ctx.db).logIn(
            username: username, address: address, addressPolicy: ctx.config.rateLimitsEnabled ? loginPolicy : nil,
            tokenHash: session.hash, ttlSeconds: ctx.config.consoleSessionHours * 3600,
            // A dummy hash when the user does not exist, so timing does not tell.
            verify: { PasswordHash.verify(given.password, against: $0 ?? PasswordHash.dummy) })
        let problem: APIError
        switch outcome {
        case let .loggedIn(user, _):
            Log.event("ota.console.login", [("request_id", .string(ctx.requestId)), ("console_user_id", .number(String(user.consoleUserId)))])
            var h = HTTPHeaders()
            h.set("Location", "/console")
            h.set("Cache-Control", "no-store")
            h.set("Set-Cookie", ConsoleCookie.set(session.token, maxAgeSeconds: ctx.config.consoleSessionHours * 3600,
                                                  secure: ctx.config.consoleSecureCookie))
            return HTTPResponse(status: 303, headers: h)
        case let .rateLimited(wait):
            problem = APIError(.rateLimited, "Too many logins from this address; retry after \(wait) seconds.", headers: [("Retry-After", String(wait))])
        case let .locked(seconds):
            problem = APIError(.loginLocked, "Too many failed logins; try again in \(seconds) seconds.", headers: [("Retry-After", String(seconds))])
        case .refused:
            Log.event("ota.console.login_failed", [("request_id", .string(ctx.requestId)), ("username", .string(echo(username))),
                                                   ("address", .string(address))], level: "warn")
            problem = APIError(.invalidCredentials, "Unknown username or wrong password.")
        }
        guard given.isForm else { throw problem }
        var page = ConsolePage.login(message: problem.detail, status: problem.status)
        for (k, v) in problem.headers { page.headers.set(k, v) }
        return page
    }

    static func logout(_ ctx: RequestContext) throws -> HTTPResponse {
        if let token = ConsoleCookie.value(in: ctx.request) {
            try ConsoleUserStore(try ctx.db).logOut(tokenHash: Digest.sha256(token))
        }
        return ConsolePage.redirect(to: "/console/login", headers: [("Set-Cookie", ConsoleCookie.clear(secure: ctx.config.consoleSecureCookie))])
    }

    /// The page: the window's figures (today, 7 or 30 days), drawn by the server. With the
    /// database away it still renders, with a banner saying so.
    static func page(_ ctx: RequestContext) -> HTTPResponse {
        let window = ConsoleWindow(rawValue: ctx.request.queryValue("window") ?? "") ?? .week
        let now = currentTimestamp()
        let (from, to) = window.range(now: now)
        do {
            let store = KPIStore(try ctx.db)
            let report = try store.report(from: from, to: to, filter: KPI.Filter())
            let step: KPI.Step = window == .today ? .hour : .day
            let holds = try store.series(.holds, step: step, from: from, to: to, filter: KPI.Filter())
            let rates = try store.series(.rates, step: step, from: from, to: to, filter: KPI.Filter())
            return ConsolePage.dashboard(ConsolePage.Figures(window: window, report: report, holds: holds, rates: rates,
                                                             currency: (try? CatalogStore(try ctx.db).currency()) ?? "CNY",
                                                             user: ctx.consoleUser?.username ?? ""))
        } catch {
            guard GatewayHandler.isDatabaseAway(error) else {
                _ = ProblemMapping.problem(for: error, requestId: ctx.requestId, operation: ctx.route.operationId)
                return ConsolePage.unavailable(config: ctx.config, reason: "The figures could not be computed (request \(ctx.requestId)).", status: 500)
            }
            return ConsolePage.unavailable(config: ctx.config)
        }
    }
}

/// The windows the page offers; the API takes the same names, or from/to.
enum ConsoleWindow: String, CaseIterable {
    case today, week = "7d", month = "30d"

    var label: String {
        switch self {
        case .today: "Today"
        case .week: "7 days"
        case .month: "30 days"
        }
    }

    /// Today: since midnight UTC. 7 and 30 days: whole UTC days, today included, to now.
    func range(now: Timestamp) -> (Timestamp, Timestamp) {
        let seconds = now.microseconds / 1_000_000
        let midnight = seconds - ((seconds % 86_400) + 86_400) % 86_400
        let days: Int64 = self == .today ? 0 : (self == .week ? 6 : 29)
        return (Timestamp(seconds: midnight - days * 86_400), Timestamp(microseconds: now.microseconds + 1))
    }
}

/// application/x-www-form-urlencoded, as browsers send a form: name=value pairs joined by
/// `&`, `+` for a space, percent-escapes. The first value of a name wins.
enum ConsoleForm {
    static func parse(_ body: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(0x20)
            } else if b == UInt8(ascii: "%"), i + 2 < bytes.endIndex, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
