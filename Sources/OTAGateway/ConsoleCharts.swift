import Foundation
import OTADomain

/// Inline SVG charts drawn by the server (no script, no library): bars per bucket, and
/// lines of rates with their targets. Scaled by a viewBox, so they fit any screen.
enum ConsoleCharts {
    struct Line {
        var name: String
        var color: String
        var values: [Double?]
    }

    static let width = 480.0, height = 210.0
    static let left = 44.0, right = 8.0, top = 10.0, bottom = 28.0

    /// "01-10" for days, "13h" for hours.
    static func label(_ t: Timestamp, hourly: Bool) -> String {
        let d = t.description
        guard d.count >= 16 else { return d }
        let chars = Array(d)
        return hourly ? String(chars[11...12]) + "h" : String(chars[5...9])
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() ? String(Int64(v)) : String(format: "%.1f", v)
    }

    /// A round maximum for the y axis at or above `v`, whose quarters (the grid lines)
    /// are whole numbers: counts read 0, 2, 4, 6, 8, never 1.2 or 3.8.
    static func niceMax(_ v: Double) -> Double {
        guard v > 0 else { return 4 }
        let magnitude = pow(10, floor(log10(v)))
        var nice = 10 * magnitude
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= v {
            nice = step * magnitude
            break
        }
        return max(4, (nice / 4).rounded(.up) * 4)
    }

    static func frame(_ starts: [Timestamp], hourly: Bool, yMax: Double, percent: Bool, into svg: inout String) {
        let plotH = height - top - bottom
        for i in 0...4 {
            let y = top + plotH * Double(4 - i) / 4
            let value = yMax * Double(i) / 4
            svg += "<line x1=\"\(left)\" y1=\"\(f(y))\" x2=\"\(width - right)\" y2=\"\(f(y))\" stroke=\"#dde3ea\"/>"
            svg += "<text x=\"\(left - 4)\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(percent ? format(value * 100) + "%" : format(value))</text>"
        }
        let n = max(starts.count, 1)
        let slot = (width - left - right) / Double(n)
        let every = max(1, Int((Double(n) / 7).rounded(.up)))
        for (i, t) in starts.enumerated() where i % every == 0 {
            let x = left + slot * (Double(i) + 0.5)
            svg += "<text x=\"\(f(x))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">\(label(t, hourly: hourly))</text>"
        }
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Bars side by side per bucket, one per line.
    static func bars(_ starts: [Timestamp], _ lines: [Line], hourly: Bool, title: String) -> String {
        let maxValue = lines.flatMap { $0.values.compactMap { $0 } }.max() ?? 0
        let yMax = niceMax(maxValue)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(ConsolePage.escape(title))\">"
        frame(starts, hourly: hourly, yMax: yMax, percent: false, into: &svg)
        let plotH = height - top - bottom
        let slot = (width - left - right) / Double(max(starts.count, 1))
        let barW = max(1, slot * 0.8 / Double(max(lines.count, 1)))
        for (i, t) in starts.enumerated() {
            for (j, line) in lines.enumerated() {
                let v = line.values.indices.contains(i) ? (line.values[i] ?? 0) : 0
                let h = plotH * v / yMax
                let x = left + slot * Double(i) + slot * 0.1 + barW * Double(j)
                svg += "<rect x=\"\(f(x))\" y=\"\(f(top + plotH - h))\" width=\"\(f(barW))\" height=\"\(f(h))\" fill=\"\(line.color)\">"
                svg += "<title>\(label(t, hourly: hourly)) \(ConsolePage.escape(line.name)): \(format(v))</title></rect>"
            }
        }
        return svg + "</svg>"
    }

    /// Rates (0...1) as lines with dots, and dashed target lines.
    static func rates(_ starts: [Timestamp], _ lines: [Line], targets: [(value: Double, color: String)], hourly: Bool, title: String) -> String {
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(ConsolePage.escape(title))\">"
        frame(starts, hourly: hourly, yMax: 1, percent: true, into: &svg)
        let plotH = height - top - bottom
        let slot = (width - left - right) / Double(max(starts.count, 1))
        for target in targets {
            let y = top + plotH * (1 - target.value)
            svg += "<line x1=\"\(left)\" y1=\"\(f(y))\" x2=\"\(width - right)\" y2=\"\(f(y))\" stroke=\"\(target.color)\" stroke-dasharray=\"5 4\" stroke-width=\"1.5\"/>"
        }
        for (n, line) in lines.enumerated() {
            var path = ""
            var gap = true
            // Later lines draw smaller dots, so equal values stay visible as a dot in a ring.
            let radius = max(2.5, 5.0 - 1.8 * Double(n))
            for (i, v) in line.values.enumerated() {
                // No value (nothing ended in the bucket): the line breaks there.
                guard let v else { gap = true; continue }
                let x = left + slot * (Double(i) + 0.5), y = top + plotH * (1 - min(max(v, 0), 1))
                path += (gap ? (path.isEmpty ? "M" : " M") : " L") + "\(f(x)) \(f(y))"
                gap = false
                svg += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(radius))\" fill=\"\(line.color)\"><title>\(label(starts[i], hourly: hourly)) \(ConsolePage.escape(line.name)): \(format(v * 100))%</title></circle>"
            }
            if !path.isEmpty { svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"/>" }
        }
        return svg + "</svg>"
    }

    static func legend(_ items: [(String, String)]) -> String {
        "<div class=\"legend\">" + items.map { "<span><i style=\"background:\($0.1)\"></i>\(ConsolePage.escape($0.0))</span>" }.joined() + "</div>"
    }
}
