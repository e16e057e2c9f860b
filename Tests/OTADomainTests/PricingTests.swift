import Testing
@testable import OTADomain

@Suite struct MoneyTests {
    @Test func parsesAndPrintsExactly() {
        #expect(Money("288")?.cents == 28800)
        #expect(Money("288.5")?.cents == 28850)
        #expect(Money("0.07")?.cents == 7)
        #expect(Money("-3.10")?.cents == -310)
        #expect(Money("288.00")?.description == "288.00")
        #expect(Money(cents: 5).description == "0.05")
        #expect(Money(cents: -5).description == "-0.05")
    }

    @Test(arguments: ["", "1.234", "abc", "1.", ".5", "1e3", "1,5", "--1", "99999999999999"])
    func refusesWhatIsNotAnAmount(_ text: String) {
        #expect(Money(text) == nil)
    }

    @Test func multipliesWithHalfUpRounding() {
        #expect(Money("288.00")!.multiplied(by: PriceMultiplier("1.5")!) == Money("432.00"))
        #expect(Money("0.05")!.multiplied(by: PriceMultiplier("1.5")!) == Money("0.08"))
        #expect(Money("0.03")!.multiplied(by: PriceMultiplier("1.5")!) == Money("0.05"))
        #expect(Money("10.00")!.multiplied(by: PriceMultiplier("0.333")!) == Money("3.33"))
    }

    @Test func multiplierTextIsShortestExact() {
        #expect(PriceMultiplier("1.500")?.description == "1.5")
        #expect(PriceMultiplier("2")?.description == "2")
        #expect(PriceMultiplier("1.125")?.thousandths == 1125)
        #expect(PriceMultiplier("0") == nil)
        #expect(PriceMultiplier("1.2345") == nil)
    }
}

@Suite struct CalendarTests {
    @Test func knowsWeekendsAcrossYears() {
        #expect(LocalDate("2025-11-01")!.isWeekend)      // Saturday
        #expect(LocalDate("2025-11-02")!.isWeekend)      // Sunday
        #expect(!LocalDate("2025-11-03")!.isWeekend)     // Monday
        #expect(!LocalDate("2025-12-31")!.isWeekend)     // Wednesday
        #expect(LocalDate("2026-11-21")!.isoWeekday == 6)
        #expect(LocalDate("2000-02-29")!.isoWeekday == 2)
        #expect(LocalDate("1969-12-31")!.isoWeekday == 3)
    }

    @Test(arguments: ["2025-02-29", "2025-13-01", "2025-1-01", "2025-01-32", "20250101", "2025/01/01", "abcd-ef-gh"])
    func refusesImpossibleDates(_ text: String) {
        #expect(LocalDate(text) == nil)
    }

    @Test func roundTripsDaysSinceEpoch() {
        // 0001-01-01 ... 9999-12-31
        for days in stride(from: -719_162, through: 2_932_896, by: 997) {
            let d = LocalDate(daysSinceEpoch: days)
            #expect(d.daysSinceEpoch == days)
            #expect(LocalDate(d.description) == d)
        }
    }

    @Test func parsesAndPrintsTimestamps() {
        let t = Timestamp(rfc3339: "2025-11-04T14:30:00Z")!
        #expect(t.description == "2025-11-04T14:30:00Z")
        #expect(Timestamp(rfc3339: "2025-11-04T22:30:00+08:00") == t)
        #expect(Timestamp(rfc3339: "2025-11-04 14:30:00.25+00")?.description == "2025-11-04T14:30:00.25Z")
        #expect(Timestamp(rfc3339: "2025-11-04T14:30:00") == nil)
        #expect(Timestamp(rfc3339: "2025-11-04T24:30:00Z") == nil)
        #expect(t.date == LocalDate("2025-11-04"))
        #expect(Timestamp(dateOrInstant: "2025-11-04", endOfDay: false)?.description == "2025-11-04T00:00:00Z")
        #expect(Timestamp(dateOrInstant: "2025-11-04", endOfDay: true)?.description == "2025-11-05T00:00:00Z")
        #expect(Timestamp(dateOrInstant: "2025-11-04T14:30:00Z", endOfDay: true) == t)
        #expect(Timestamp(dateOrInstant: "yesterday", endOfDay: false) == nil)
    }
}

@Suite struct UnitPriceTests {
    let premium = PricingSnapshot(
        basePrice: Money("288")!, weekendPremium: Money("30")!,
        discounts: [("child", Money("100")!), ("elderly", Money("50")!), ("student", Money("50")!)],
        specialDates: [SpecialDate(date: LocalDate("2025-12-31")!, multiplier: PriceMultiplier("1.5")!)],
        currency: "CNY")

    @Test func weekdayAndWeekendPrices() {
        #expect(premium.unitPrice(on: LocalDate("2025-11-03")!, customerType: "adult") == Money("288.00"))
        #expect(premium.unitPrice(on: LocalDate("2025-11-01")!, customerType: "adult") == Money("318.00"))
        #expect(premium.unitPrice(on: LocalDate("2025-11-01")!, customerType: "child") == Money("218.00"))
    }

    @Test func specialDateMultipliesBeforeTheDiscount() {
        // 2025-12-31 is a Wednesday: 288 * 1.5 - 50 = 382.
        #expect(premium.unitPrice(on: LocalDate("2025-12-31")!, customerType: "elderly") == Money("382.00"))
    }

    @Test func neverBelowZero() {
        var cheap = premium
        cheap.basePrice = Money("20")!
        cheap.weekendPremium = .zero
        #expect(cheap.unitPrice(on: LocalDate("2025-11-03")!, customerType: "child") == .zero)
    }
}
