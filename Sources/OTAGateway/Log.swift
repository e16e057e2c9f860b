import Foundation
import JSON

/// Structured logs: one JSON object per line on standard output. Secrets never go in.
public enum Log {
    public static func event(_ name: String, _ fields: [(String, JSONValue)] = [], level: String = "info") {
        let line = JSONValue.object([
            ("ts", .string(isoNow())), ("level", .string(level)), ("event", .string(name)),
        ] + fields)
        var bytes = line.encoded()
        bytes.append(0x0A)
        // One write per line keeps lines from different threads whole.
        bytes.withUnsafeBytes { p in _ = write(1, p.baseAddress, p.count) }
    }

    static func isoNow() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        let ms = Int(ts.tv_nsec / 1_000_000)
        func p(_ v: Int32, _ n: Int = 2) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
        return "\(p(parts.tm_year + 1900, 4))-\(p(parts.tm_mon + 1))-\(p(parts.tm_mday))T\(p(parts.tm_hour)):\(p(parts.tm_min)):\(p(parts.tm_sec)).\(p(Int32(ms), 3))Z"
    }
}
