/// When a failed delivery is tried again, and when the service gives up: exponential
/// backoff from `base` (doubling, at most `cap`), with ±20 % jitter so that a partner
/// coming back is not hit by every retry at once, for `window` after the event; then the
/// delivery is failed. An endpoint that has failed every attempt for `window` is disabled.
public struct WebhookRetryPolicy: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration
    public var window: Duration

    public static let defaultWindow: Duration = .seconds(3 * 24 * 3600)

    public init(base: Duration = .seconds(10), cap: Duration = .seconds(6 * 3600), window: Duration = WebhookRetryPolicy.defaultWindow) {
        self.base = base
        self.cap = cap
        self.window = window
    }

    /// The wait after failed attempt number `attempt` (1, 2, ...); `jitter` in 0..<1
    /// (0.5: none).
    public func delay(afterAttempt attempt: Int, jitter: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 40)
        let baseMicros = Self.micros(base)
        let capMicros = Self.micros(cap)
        var micros = capMicros
        if exponent < 62, baseMicros <= capMicros >> Int64(exponent) { micros = baseMicros << Int64(exponent) }
        let factor = 0.8 + 0.4 * min(max(jitter, 0), 1)
        return .microseconds(Int64(Double(micros) * factor))
    }

    public enum Decision: Sendable, Equatable {
        case retry(at: Timestamp)
        /// The next attempt would fall outside the window.
        case giveUp
    }

    /// After failed attempt `attempt` at `now` of a delivery created at `createdAt`.
    public func next(afterAttempt attempt: Int, at now: Timestamp, createdAt: Timestamp, jitter: Double) -> Decision {
        let next = Timestamp(microseconds: now.microseconds + Self.micros(delay(afterAttempt: attempt, jitter: jitter)))
        let end = Timestamp(microseconds: createdAt.microseconds + Self.micros(window))
        return next > end ? .giveUp : .retry(at: next)
    }

    /// True when an endpoint failing since `failingSince` has failed for the whole window.
    public func shouldDisable(failingSince: Timestamp, now: Timestamp) -> Bool {
        now.microseconds - failingSince.microseconds >= Self.micros(window)
    }

    static func micros(_ d: Duration) -> Int64 {
        let (seconds, attoseconds) = d.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
