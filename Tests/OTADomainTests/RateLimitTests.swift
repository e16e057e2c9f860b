import Testing
@testable import OTADomain

@Suite struct RateLimitMathTests {
    let policy = RateLimitPolicy.partner(perMinute: 300, burstSeconds: 1)

    @Test func policyDerivesIntervalAndBurst() {
        #expect(policy.burst == 5)
        #expect(policy.intervalMicros == 200_000)
        #expect(policy.toleranceMicros == 800_000)
        #expect(policy.policyHeader == "\"partner\";q=300;w=60")
        #expect(RateLimitPolicy.partner(perMinute: 100, burstSeconds: 1).burst == 1)
    }

    @Test func remainingAndResetOfAnAllowedRequest() {
        // First request of an idle key: TAT = now + one interval.
        let d = RateLimitDecision(allowed: true, tatMicros: 1_000_200_000, nowMicros: 1_000_000_000)
        #expect(d.remaining(policy) == 4)
        #expect(d.resetSeconds(policy) == 1)
        #expect(d.header(policy) == "\"partner\";r=4;t=1")
    }

    @Test func retryAfterIsNeverEarly() {
        // Refused with TAT 1.0000001 s past the tolerance: waiting 1 s would still be early by
        // 0.1 µs, so the answer is 2 s.
        let d = RateLimitDecision(allowed: false, tatMicros: 10_000_000 + 800_000 + 1_000_001, nowMicros: 10_000_000)
        #expect(d.retryAfterSeconds(policy) == 2)
        let soon = RateLimitDecision(allowed: false, tatMicros: 10_000_000 + 800_000 + 10, nowMicros: 10_000_000)
        #expect(soon.retryAfterSeconds(policy) == 1)
        #expect(soon.remaining(policy) == 0)
    }
}
