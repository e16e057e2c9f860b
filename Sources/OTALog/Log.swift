public import Glibc
public import JSON
public import Posix

/// Structured logs of every executable: one JSON object per line on standard output
/// (ts, level, event, then the fields), so one log pipeline reads them all. Secrets never
/// go in.
public enum Log {
    public static func event(_ name: String, _ fields: [(String, JSONValue)] = [], level: String = "info") {
        let line = JSONValue.object([
            ("ts", .string(isoNow())), ("level", .string(level)), ("event", .string(name)),
        ] + fields)
        var bytes = line.encoded()
        bytes.append(0x0A)
        // One write per line keeps lines whole; a short write (a full pipe) goes on. A
        // failed write loses the line: there is nowhere else to report it.
        _ = bytes.withUnsafeBytes { Syscall.writeAll(1, $0) }
    }

    static func isoNow() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ n: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        let ms = Int32(ts.tv_nsec / 1_000_000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(ms, 3))Z"
    }
}
