/// The generic cell rate algorithm (GCRA) for "N requests per window": one request per
/// emission interval on average, with a small burst tolerance. The state itself lives in
/// PostgreSQL (ota_rate_take) so that every gateway agrees; this is the arithmetic around
/// it, and the answer's headers.
public struct RateLimitPolicy: Sendable, Equatable {
    public var name: String
    public var limit: Int
    public var windowSeconds: Int
    /// Requests that may arrive at once on top of the steady rate.
    public var burst: Int

    public init(name: String, limit: Int, windowSeconds: Int = 60, burst: Int) {
        self.name = name
        self.limit = max(1, limit)
        self.windowSeconds = max(1, windowSeconds)
        self.burst = max(1, burst)
    }

    /// A partner's policy: `perMinute` requests a minute, with a burst of `burstSeconds`
    /// worth of the rate. A small burst keeps the limit exact over any long stretch: a
    /// client sending twice its rate for two minutes gets its policy plus one burst.
    public static func partner(perMinute: Int, burstSeconds: Int) -> RateLimitPolicy {
        RateLimitPolicy(name: "partner", limit: perMinute, burst: max(1, perMinute * burstSeconds / 60))
    }

    public var intervalMicros: Int64 { Int64(windowSeconds) * 1_000_000 / Int64(limit) }
    public var toleranceMicros: Int64 { intervalMicros * Int64(burst - 1) }

    /// `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers): quota per window.
    public var policyHeader: String { "\"\(name)\";q=\(limit);w=\(windowSeconds)" }
}

/// What the database said about one request.
public struct RateLimitDecision: Sendable, Equatable {
    public var allowed: Bool
    /// Theoretical arrival time after this request (allowed) or as it stands (refused).
    public var tatMicros: Int64
    public var nowMicros: Int64

    public init(allowed: Bool, tatMicros: Int64, nowMicros: Int64) {
        self.allowed = allowed
        self.tatMicros = tatMicros
        self.nowMicros = nowMicros
    }

    /// Requests that could be sent right now.
    public func remaining(_ p: RateLimitPolicy) -> Int {
        let headroom = p.toleranceMicros + p.intervalMicros - (max(tatMicros, nowMicros) - nowMicros)
        return max(0, Int(headroom / p.intervalMicros))
    }

    /// Whole seconds until the allowance is full again (rounded up).
    public func resetSeconds(_ p: RateLimitPolicy) -> Int {
        Int((max(0, tatMicros - nowMicros) + 999_999) / 1_000_000)
    }

    /// Seconds until a refused request would be allowed: rounded up, at least 1, so a
    /// client that obeys it is never refused for being early.
    public func retryAfterSeconds(_ p: RateLimitPolicy) -> Int {
        let wait = tatMicros - p.toleranceMicros - nowMicros
        return max(1, Int((wait + 999_999) / 1_000_000))
    }

    /// `RateLimit`: remaining quota and seconds to reset.
    public func header(_ p: RateLimitPolicy) -> String {
        "\"\(p.name)\";r=\(remaining(p));t=\(resetSeconds(p))"
    }
}
