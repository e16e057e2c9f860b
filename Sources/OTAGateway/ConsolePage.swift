import Foundation
import HTTP
import OTADomain
import OTAStore

/// The console's HTML, rendered by the server with the stylesheet inline (console.css,
/// embedded at build time): nothing is loaded from anywhere else. Figures carry
/// `data-kpi` attributes, so a test (or a script) finds them without parsing the layout.
enum ConsolePage {
    struct Figures {
        var window: ConsoleWindow
        var report: KPI.Report
        var holds: KPI.SeriesReport
        var rates: KPI.SeriesReport
        var currency: String
        var user: String
    }

    static let css = String(decoding: EmbeddedFiles.consoleCSS, as: UTF8.self)

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func percent(_ v: Double?) -> String {
        guard let v else { return "–" }
        return String(format: "%.1f%%", v * 100)
    }

    static func seconds(_ v: Double?) -> String {
        guard let v else { return "–" }
        return v < 1 ? String(format: "%.0f ms", v * 1000) : String(format: "%.2f s", v)
    }

    static func html(_ status: Int, title: String, body: String, headers: [(String, String)] = []) -> HTTPResponse {
        let page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>\(css)</style></head>
            <body>\(body)</body></html>
            """
        var h = HTTPHeaders()
        h.set("Content-Type", "text/html; charset=utf-8")
        h.set("Cache-Control", "no-store")
        // Nothing from elsewhere, no framing by other sites, no inline script (there is none).
        h.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        h.set("X-Content-Type-Options", "nosniff")
        h.set("Referrer-Policy", "same-origin")
        for (k, v) in headers { h.add(k, v) }
        return HTTPResponse(status: status, headers: h, body: Array(page.utf8))
    }

    static func redirect(to location: String, headers: [(String, String)] = []) -> HTTPResponse {
        var h = HTTPHeaders()
        h.set("Location", location)
        h.set("Cache-Control", "no-store")
        for (k, v) in headers { h.add(k, v) }
        return HTTPResponse(status: 303, headers: h)
    }

    static func login(message: String?, status: Int) -> HTTPResponse {
        let error = message.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" } ?? ""
        return html(status, title: "OTA console: log in", body: """
            <form class="login" method="post" action="/console/login">
            <h1>OTA channel console</h1>\(error)
            <label for="username">Username</label><input id="username" name="username" autocomplete="username" required maxlength="64">
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128">
            <button type="submit">Log in</button>
            <p class="muted">Accounts: <code>ota-admin console-user create NAME</code>.</p>
            </form>
            """)
    }

    /// A time as a person reads it: to the second, in UTC (the exact instant stays in the
    /// `datetime` attribute of the as-of time).
    static func shown(_ t: Timestamp) -> String {
        escape(t.roundedDown(toMicroseconds: 1_000_000).description.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC"))
    }

    /// A time for a `datetime` attribute: RFC 3339 in UTC to the millisecond (HTML allows
    /// at most three fraction digits).
    static func machineReadable(_ t: Timestamp) -> String {
        t.roundedDown(toMicroseconds: 1_000).description
    }

    /// The page without figures: the database cannot be reached (or the figures failed).
    static func unavailable(config: GatewayConfiguration, reason: String? = nil, status: Int = 503) -> HTTPResponse {
        let text = reason ?? "The database cannot be reached: no figures can be shown, and logins cannot be checked. The page will work again as soon as the database is back."
        return html(status, title: "OTA console: unavailable", body: """
            <header><h1>OTA channel console</h1><span class="asof">as of \(shown(Timestamp.now))</span></header>
            <main><div class="banner" role="alert" data-kpi="database_unavailable">\(escape(text))</div></main>
            """, headers: [("Retry-After", "5")])
    }

    /// One headline figure against its PRD target: green when met, red when not, grey
    /// without data.
    static func tile(_ id: String, _ label: String, value: String, met: Bool?, target: String) -> String {
        let cls = met.map { $0 ? "good" : "bad" } ?? "none"
        return "<div class=\"tile \(cls)\" data-tile=\"\(id)\"><div class=\"label\">\(escape(label))</div>"
            + "<div class=\"value\" data-kpi=\"\(id)\">\(escape(value))</div><div class=\"target\">\(escape(target))</div></div>"
    }

    static func dashboard(_ f: Figures) -> HTTPResponse {
        let r = f.report
        let hourly = f.window == .today
        let total = r.total
        let requests = r.requests
        let drift = r.invariants.filter { $0.status == .drift }.count
        let ota = r.utilisation(channel: "ota")
        var body = "<header><h1>OTA channel console</h1>"
        body += "<span class=\"asof\">as of <time data-kpi=\"as_of\" datetime=\"\(escape(machineReadable(r.asOf)))\">\(shown(r.asOf))</time> · \(escape(f.window.label)) from \(shown(r.from))</span><nav>"
        for w in ConsoleWindow.allCases {
            body += "<a href=\"/console?window=\(w.rawValue)\"\(w == f.window ? " class=\"on\"" : "")>\(w.label)</a>"
        }
        body += "<form method=\"post\" action=\"/console/logout\"><button type=\"submit\">Log out \(escape(f.user))</button></form></nav></header><main>"
        if drift > 0 {
            body += "<div class=\"banner\" role=\"alert\">Inventory invariants drifted: \(drift) checks. Run <code>ota-admin verify</code>.</div>"
        }
        body += "<div class=\"tiles\">"
        body += tile("ota_utilisation", "OTA utilisation (now)", value: percent(ota), met: ota.map { $0 > KPI.Target.utilisation }, target: "target > 80%")
        body += tile("activation_rate", "Hold → activation", value: percent(total.holds.activationRate),
                     met: total.holds.activationRate.map { $0 > KPI.Target.activationRate }, target: "target > 70% · \(total.holds.ended) ended")
        body += tile("expiry_rate", "Hold expiry rate", value: percent(total.holds.expiryRate),
                     met: total.holds.expiryRate.map { $0 <= KPI.Target.expiryRateAlert }, target: "alert above 10%")
        body += tile("error_rate", "5xx error rate", value: percent(requests.errorRate),
                     met: requests.errorRate.map { _ in r.routes.allSatisfy { ($0.errorRate ?? 0) < KPI.Target.errorRate } },
                     target: "target < 1% per endpoint")
        body += tile("p99", "Slowest route p99", value: seconds(requests.p99), met: requests.p99.map { $0 < KPI.Target.responseSeconds },
                     target: "target < 2 s")
        body += tile("conflicts", "Inventory conflicts", value: String(drift), met: r.invariants.isEmpty ? nil : drift == 0, target: "target 0")
        body += tile("holds_made", "Holds made", value: String(total.holds.made), met: nil, target: "\(total.holds.madeUnits) units")
        body += tile("units_sold", "Units sold", value: String(total.sales.total), met: nil,
                     target: "\(total.sales.fromHolds) from holds · \(total.sales.fromBatches) batches")
        body += tile("billed_gross", "Billed gross", value: "\(total.billing.gross) \(f.currency)", met: nil,
                     target: "net \(total.billing.net) · \(total.billing.redemptions) redemptions")
        body += tile("partners_onboarded", "Partners onboarded", value: String(r.partnersOnboarded), met: nil, target: "\(r.partnersActive) active")
        body += "</div><div class=\"grid\">"
        body += utilisation(r)
        body += holdsChart(f, hourly: hourly)
        body += ratesChart(f, hourly: hourly)
        body += partners(r, currency: f.currency)
        body += routes(r)
        body += invariants(r)
        body += "</div></main>"
        return html(200, title: "OTA console", body: body)
    }

    static func utilisation(_ r: KPI.Report) -> String {
        var s = "<section class=\"card\"><h2>Utilisation by product and channel (now)</h2>"
        for p in r.pools {
            let u = p.utilisation ?? 0
            let width = String(format: "%.1f", min(u, 1) * 100)
            s += "<div class=\"bar\" data-pool=\"\(p.productId)/\(p.channel)\"><span>\(p.productId) \(escape(p.productName)) · \(p.channel)</span>"
            s += "<span class=\"track\"><span class=\"fill\(u > KPI.Target.utilisation ? " good" : "")\" style=\"width:\(width)%\"></span>"
            s += "<span class=\"mark\" style=\"left:80%\" title=\"target 80%\"></span></span>"
            s += "<span class=\"pct\" data-kpi=\"utilisation_\(p.productId)_\(p.channel)\">\(percent(p.utilisation))</span></div>"
        }
        return s + "<p class=\"muted\">(reserved + sold) / allocated; the mark is the 80% target.</p></section>"
    }

    static func values(_ s: KPI.SeriesReport, _ name: String) -> [Double?] { s.series.first { $0.name == name }?.values ?? [] }

    static func holdsChart(_ f: Figures, hourly: Bool) -> String {
        let lines = [ConsoleCharts.Line(name: "made", color: "#2f6fb3", values: values(f.holds, "made")),
                     ConsoleCharts.Line(name: "activated", color: "#1e7f4f", values: values(f.holds, "activated")),
                     ConsoleCharts.Line(name: "cancelled", color: "#c77700", values: values(f.holds, "cancelled")),
                     ConsoleCharts.Line(name: "expired", color: "#b3261e", values: values(f.holds, "expired"))]
        return "<section class=\"card\"><h2>Holds by outcome, per \(hourly ? "hour" : "day")</h2>"
            + ConsoleCharts.bars(f.holds.starts, lines, hourly: hourly, title: "Holds by outcome")
            + ConsoleCharts.legend(lines.map { ($0.name, $0.color) }) + "</section>"
    }

    static func ratesChart(_ f: Figures, hourly: Bool) -> String {
        let lines = [ConsoleCharts.Line(name: "activation rate", color: "#1e7f4f", values: values(f.rates, "activation_rate")),
                     ConsoleCharts.Line(name: "expiry rate", color: "#b3261e", values: values(f.rates, "expiry_rate"))]
        return "<section class=\"card\"><h2>Activation and expiry rates, per \(hourly ? "hour" : "day")</h2>"
            + ConsoleCharts.rates(f.rates.starts, lines, targets: [(0.7, "#1e7f4f"), (0.1, "#b3261e")], hourly: hourly, title: "Rates")
            + ConsoleCharts.legend(lines.map { ($0.name, $0.color) } + [("targets: 70% activation, 10% expiry (dashed)", "#dde3ea")])
            + "</section>"
    }

    static func partners(_ r: KPI.Report, currency: String) -> String {
        var s = "<section class=\"card wide\"><h2>Top partners</h2><div class=\"scroll\"><table><thead><tr><th>Partner</th><th>Holds</th>"
            + "<th>Activated</th><th>Rate</th><th>Sold</th><th>Billed (\(escape(currency)))</th></tr></thead><tbody>"
        if r.partners.isEmpty { s += "<tr><td colspan=\"6\" class=\"muted\">No partner activity in this window.</td></tr>" }
        for p in r.partners.prefix(10) {
            let a = p.activity
            s += "<tr data-partner=\"\(escape(p.code))\"><td>\(escape(p.name)) <span class=\"muted\">\(escape(p.code))</span></td>"
                + "<td>\(a.holds.made)</td><td>\(a.holds.activated)</td><td>\(percent(a.holds.activationRate))</td>"
                + "<td data-kpi=\"partner_sold_\(escape(p.code))\">\(a.sales.total)</td><td>\(a.billing.gross)</td></tr>"
        }
        return s + "</tbody></table></div></section>"
    }

    static func routes(_ r: KPI.Report) -> String {
        var s = "<section class=\"card wide\"><h2>Requests per route (all gateways)</h2><div class=\"scroll\"><table><thead><tr><th>Route</th>"
            + "<th>Requests</th><th>4xx</th><th>5xx</th><th>Error rate</th><th>p50</th><th>p99</th></tr></thead><tbody>"
        if r.routes.isEmpty { s += "<tr><td colspan=\"7\" class=\"muted\">No requests recorded in this window yet (gateways write each minute).</td></tr>" }
        for route in r.routes {
            let badRate = (route.errorRate ?? 0) >= KPI.Target.errorRate
            let slow = (route.p99 ?? 0) >= KPI.Target.responseSeconds
            s += "<tr data-route=\"\(escape(route.route))\"><td>\(escape(route.route))</td><td data-kpi=\"requests_\(escape(route.route))\">\(route.requests)</td>"
                + "<td>\(route.clientErrors)</td><td>\(route.serverErrors)</td><td\(badRate ? " class=\"bad\"" : "")>\(percent(route.errorRate))</td>"
                + "<td>\(seconds(route.p50))</td><td\(slow ? " class=\"bad\"" : "")>\(seconds(route.p99))</td></tr>"
        }
        return s + "</tbody></table></div></section>"
    }

    static func invariants(_ r: KPI.Report) -> String {
        var s = "<section class=\"card wide\"><h2>Invariants (ota-admin verify)</h2><ul class=\"checks\">"
        for c in r.invariants {
            let cls = c.status == .ok ? "ok" : (c.status == .drift ? "drift" : "warn")
            s += "<li data-check=\"\(escape(c.name))\"><span class=\"badge \(cls)\">\(c.status.rawValue)</span><span><b>\(escape(c.name))</b> "
                + "<span class=\"muted\">\(escape(c.summary))</span></span></li>"
        }
        return s + "</ul></section>"
    }
}

extension Timestamp {
    static var now: Timestamp { currentTimestamp() }
}
