import Testing
import OTADomain

@Suite struct TimestampTests {
    @Test func roundingDownNeverGoesLater() {
        let t = Timestamp(microseconds: 1_796_139_184_987_654)
        #expect(t.roundedDown(toMicroseconds: 1_000_000).microseconds == 1_796_139_184_000_000)
        #expect(t.roundedDown(toMicroseconds: 1_000).microseconds == 1_796_139_184_987_000)
        #expect(Timestamp(microseconds: 5_000_000).roundedDown(toMicroseconds: 1_000_000).microseconds == 5_000_000)
        #expect(Timestamp(microseconds: -1).roundedDown(toMicroseconds: 1_000_000).microseconds == -1_000_000)
    }
}
