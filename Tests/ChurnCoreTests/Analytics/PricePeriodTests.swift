import XCTest
@testable import ChurnCore

/// `price_period` and calendar-month MRR: a monthly plan billed on calendar months must show
/// no expansion or contraction just because February is short. Every expected value is
/// computed by hand in the comments.
final class PricePeriodTests: XCTestCase {
    // Day numbers (days since 1970-01-01).
    let jan1 = Int32(19723), feb1 = Int32(19754), mar1 = Int32(19783), apr1 = Int32(19814)

    func subs(_ rows: [(Int64, Int32, Int32, Double)], _ period: Subscriptions.PricePeriod) throws -> Subscriptions {
        try Subscriptions(try Frame([
            .int("user_id", rows.map { $0.0 }),
            Column(name: "start", data: .date(rows.map { $0.1 })),
            Column(name: "end", data: .date(rows.map { $0.2 })),
            .string("plan", rows.map { _ in "monthly" }),
            .float("price", rows.map { $0.3 }),
        ]), pricePeriod: period)
    }

    /// User 1 pays 30 a calendar month, then upgrades to 45 on Mar 1; user 2 pays 60 and leaves on Mar 1.
    /// January: both accounts at 90 on Jan 1 and Feb 1 → NRR 1, no expansion or contraction.
    /// February: 90 on Feb 1; on Mar 1 user 1 pays 45, user 2 nothing → NRR 45 / 90 = 0.5,
    /// expansion 15, churned 60, GRR (90 − 60 − 0) / 90 = 1/3.
    /// (Scaling each term by 30.4375 / days instead gave January NRR 31/28 = 1.107: fake expansion.)
    func testCalendarMonthTermsHaveNoFakeExpansion() throws {
        let rows: [(Int64, Int32, Int32, Double)] = [
            (1, jan1, feb1, 30), (1, feb1, mar1, 30), (1, mar1, apr1, 45),
            (2, jan1, feb1, 60), (2, feb1, mar1, 60),
        ]
        for period in Subscriptions.PricePeriod.allCases {
            let r = try revenueRetention(try subs(rows, period))
            XCTAssertEqual(try doubles(r, "period"), [Double(jan1), Double(feb1)], "\(period)")
            XCTAssertEqual(try doubles(r, "mrr_start"), [90, 90], "\(period)")
            XCTAssertEqual(try doubles(r, "mrr_end"), [90, 45], "\(period)")
            XCTAssertEqual(try doubles(r, "expansion"), [0, 15], "\(period)")
            XCTAssertEqual(try doubles(r, "contraction"), [0, 0], "\(period)")
            XCTAssertEqual(try doubles(r, "mrr_churned"), [0, 60], "\(period)")
            XCTAssertEqual(try doubles(r, "nrr"), [1, 0.5], "\(period)")
            XCTAssertEqual(try doubles(r, "grr")[1]!, 1.0 / 3, accuracy: 1e-15)
        }
    }

    /// An annual term: 'term' divides the yearly price by 12 calendar months; 'month' takes the price as the rate.
    func testAnnualTermUnderBothPeriods() throws {
        let jan1next = Int32(DateText.days(year: 2025, month: 1, day: 1))
        XCTAssertEqual(try subs([(1, jan1, jan1next, 120)], .term).mrr(0), 10)
        XCTAssertEqual(try subs([(1, jan1, jan1next, 10)], .month).mrr(0), 10)
        XCTAssertEqual(try subs([(1, jan1, jan1next, 120)], .month).mrr(0), 120)
    }

    func testWholeCalendarMonths() throws {
        let day = TimeUnit.microsPerDay
        func d(_ y: Int, _ m: Int, _ dd: Int) -> Int64 { Int64(DateText.days(year: y, month: m, day: dd)) * day }
        func rate(_ a: Int64, _ b: Int64) -> Double { Subscriptions.monthlyRate(price: 30, start: a, end: b) }
        XCTAssertEqual(rate(d(2024, 1, 31), d(2024, 2, 29)), 30)            // clamped to February's last day
        XCTAssertEqual(rate(d(2024, 2, 29), d(2024, 3, 31)), 30)            // month-end to month-end
        XCTAssertEqual(rate(d(2024, 2, 15), d(2024, 3, 15)), 30)            // 29 days, one month
        XCTAssertEqual(rate(d(2023, 12, 1), d(2024, 2, 1)), 15)             // two months
        XCTAssertEqual(rate(d(2024, 1, 5) + day / 2, d(2024, 2, 5) + day / 2), 30)   // same time of day
        // Not whole months: scaled by days.
        XCTAssertEqual(rate(d(2024, 1, 5), d(2024, 2, 4)), 30 * 30.4375 / 30, accuracy: 1e-12)
        XCTAssertEqual(rate(d(2024, 1, 5), d(2024, 2, 5) + day / 2), 30 * 30.4375 / 31.5, accuracy: 1e-12)
        XCTAssertEqual(rate(d(2024, 1, 30), d(2024, 2, 28)), 30 * 30.4375 / 29, accuracy: 1e-12)  // Jan 30 → Feb 29 would be one month
        XCTAssertEqual(Subscriptions.monthlyRate(price: 30, start: d(2024, 1, 1), end: Int64.max), 30)   // open-ended
        XCTAssertEqual(rate(d(1969, 12, 1), d(1970, 1, 1)), 30)             // before the epoch
    }

    func doubles(_ f: Frame, _ name: String) throws -> [Double?] {
        let c = try f.column(name)
        return (0..<c.count).map { c.double(at: $0) }
    }
}
