import Posix
import Testing

@Suite struct DurationTests {
    @Test func pollTimeoutsRoundUpToWholeMilliseconds() {
        #expect(Duration.zero.pollTimeoutMilliseconds == 0)
        #expect(Duration.seconds(-1).pollTimeoutMilliseconds == 0)
        #expect(Duration.microseconds(1).pollTimeoutMilliseconds == 1)
        #expect(Duration.milliseconds(1500).pollTimeoutMilliseconds == 1500)
        #expect(Duration.seconds(1_000_000).pollTimeoutMilliseconds == 86_400_000)
    }

    @Test func millisecondsRoundUpAndSaturate() {
        #expect(Duration.nanoseconds(1).millisecondsRoundedUp == 1)
        #expect(Duration.milliseconds(10).millisecondsRoundedUp == 10)
        #expect((Duration.milliseconds(10) + .nanoseconds(1)).millisecondsRoundedUp == 11)
        #expect(Duration.zero.millisecondsRoundedUp == 0)
        #expect(Duration.nanoseconds(-1).millisecondsRoundedUp == 0)
        #expect(Duration.seconds(Int64.max).millisecondsRoundedUp == Int64.max)
    }

    @Test func wholeMillisecondsTruncateTowardZero() {
        #expect(Duration.microseconds(1999).wholeMilliseconds == 1)
        #expect(Duration.microseconds(999).wholeMilliseconds == 0)
        #expect(Duration.milliseconds(-1500).wholeMilliseconds == -1500)
        #expect(Duration.seconds(Int64.max).wholeMilliseconds == Int64.max)
    }

    @Test func wholeNanoseconds() {
        #expect((Duration.seconds(2) + .nanoseconds(5)).wholeNanoseconds == 2_000_000_005)
        #expect(Duration.milliseconds(-3).wholeNanoseconds == -3_000_000)
        #expect(Duration.seconds(Int64.max / 2).wholeNanoseconds == Int64.max)
    }
}
