/// Conversions of `Duration` to the integer units system calls and servers take, written
/// once: each rounds in the direction its users need and saturates instead of trapping.
extension Duration {
    /// Whole milliseconds rounded up (a timeout never ends before its duration, and a tiny
    /// positive one never becomes 0, which many APIs read as "no wait" or "no timeout");
    /// 0 for zero and negative durations; saturates at Int64.max.
    public var millisecondsRoundedUp: Int64 {
        guard self > .zero else { return 0 }
        let (seconds, attoseconds) = components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return .max }
        let (total, overflowAdding) = whole.addingReportingOverflow(
            attoseconds / perMillisecond + (attoseconds % perMillisecond > 0 ? 1 : 0))
        return overflowAdding ? .max : total
    }

    /// Whole milliseconds rounded toward zero (for log fields); saturates.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, overflowAdding) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return overflowAdding ? (seconds < 0 ? .min : .max) : total
    }

    /// Whole nanoseconds rounded toward zero; saturates (Int64 nanoseconds span 292 years).
    public var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, overflowAdding) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflowAdding ? (seconds < 0 ? .min : .max) : total
    }

    /// A timeout for poll/epoll_wait: milliseconds rounded up (so a loop does not wake just
    /// before its deadline and spin), 0 for past deadlines, at most a day (callers wake
    /// earlier anyway, and the C argument is 32-bit).
    public var pollTimeoutMilliseconds: Int32 {
        Int32(Swift.min(millisecondsRoundedUp, 86_400_000))
    }
}
