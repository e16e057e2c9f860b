import OTADomain
import Testing
@testable import OTAWorker

/// The wake-up arithmetic, without a database: expiries are database timestamps, the
/// deadline an instant of the local monotonic clock.
@Suite struct WakeScheduleTests {
    let local = ContinuousClock.now
    let dbNow = Timestamp(seconds: 1_762_266_600)

    @Test func sleepsUntilTheNextExpiryWhenItComesBeforeThePollInterval() {
        let schedule = WakeSchedule(now: local, databaseNow: dbNow, earliestExpiry: dbNow.adding(seconds: 7), pollInterval: .seconds(30))
        #expect(schedule.deadline == local + .seconds(7) + WakeSchedule.margin)
    }

    @Test func pollIntervalBoundsTheSleep() {
        let later = WakeSchedule(now: local, databaseNow: dbNow, earliestExpiry: dbNow.adding(seconds: 3600), pollInterval: .seconds(30))
        #expect(later.deadline == local + .seconds(30))
        let none = WakeSchedule(now: local, databaseNow: dbNow, earliestExpiry: nil, pollInterval: .seconds(30))
        #expect(none.deadline == local + .seconds(30))
    }

    @Test func anOverdueHoldSomeoneElseLockedIsRetriedSoonWithoutSpinning() {
        let schedule = WakeSchedule(now: local, databaseNow: dbNow, earliestExpiry: dbNow.adding(seconds: -5), pollInterval: .seconds(30))
        #expect(schedule.deadline == local + WakeSchedule.lockedRetry)
    }

    @Test func aNotificationOnlyEverBringsTheWakeForward() {
        var schedule = WakeSchedule(now: local, databaseNow: dbNow, earliestExpiry: dbNow.adding(seconds: 20), pollInterval: .seconds(30))
        let movedByLater = schedule.consider(expiry: dbNow.adding(seconds: 61))
        #expect(!movedByLater)
        #expect(schedule.deadline == local + .seconds(20) + WakeSchedule.margin)
        let movedByEarlier = schedule.consider(expiry: Timestamp(microseconds: dbNow.microseconds + 5_500_000))
        #expect(movedByEarlier)
        #expect(schedule.deadline == local + .milliseconds(5_500) + WakeSchedule.margin)
        // Already past: wake at once.
        let movedByPast = schedule.consider(expiry: dbNow.adding(seconds: -3600))
        #expect(movedByPast)
        #expect(schedule.deadline < local)
    }

    @Test func theDatabaseClockNotTheLocalOneDecides() {
        // The database runs an hour ahead of this machine: only differences matter.
        let skewed = WakeSchedule(now: local, databaseNow: dbNow.adding(seconds: 3600),
                                  earliestExpiry: dbNow.adding(seconds: 3610), pollInterval: .seconds(30))
        #expect(skewed.deadline == local + .seconds(10) + WakeSchedule.margin)
    }

    @Test func notificationPayloadsAreReadExactly() {
        #expect(HoldCreatedNotification.expiry(fromPayload: "1762266600.123456") == Timestamp(microseconds: 1_762_266_600_123_456))
        #expect(HoldCreatedNotification.expiry(fromPayload: "1762266600.5") == Timestamp(microseconds: 1_762_266_600_500_000))
        #expect(HoldCreatedNotification.expiry(fromPayload: "1762266600") == Timestamp(seconds: 1_762_266_600))
        #expect(HoldCreatedNotification.expiry(fromPayload: "-1.25") == Timestamp(microseconds: -1_250_000))
        for bad in ["", ".5", "1.", "abc", "1e9", "12.3.4", " 1", "99999999999999999999"] {
            #expect(HoldCreatedNotification.expiry(fromPayload: bad) == nil, "\(bad)")
        }
    }

    @Test func backoffGrowsToTenSecondsWithJitter() {
        var backoff = Backoff()
        let delays = (0..<10).map { _ in backoff.next() }
        #expect(delays[0] >= .milliseconds(500) && delays[0] <= .milliseconds(600))
        #expect(delays[1] >= .milliseconds(1000) && delays[1] <= .milliseconds(1200))
        #expect(delays.allSatisfy { $0 <= .seconds(12) })
        #expect(delays[9] >= .seconds(10))
        #expect(backoff.attempts == 10)
    }
}
