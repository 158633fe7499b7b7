import XCTest
@testable import ChurnCore

/// Hand-computed analytics on a three-user log (2024-01-01 = day 19723, a Monday;
/// Feb 1 = 19754, Mar 1 = 19783 — 2024 is a leap year).
final class AnalyticsTests: XCTestCase {
    func log() throws -> EventLog {
        try EventLog(try featureEventFrame([
            (1, fday(19723), "purchase", 30), (1, fday(19725), "login", nil),
            (1, fday(19764), "renew", 30), (1, fday(19787), "login", nil),
            (2, fday(19742), "login", nil), (2, fday(19742, h: 5), "login", nil), (2, fday(19784), "purchase", 10),
            (3, fday(19759), "login", nil),
        ]), amount: "amount")
    }

    func doubles(_ f: Frame, _ c: String) throws -> [Double?] {
        let col = try f.column(c)
        return (0..<col.count).map { col.double(at: $0) }
    }

    func testCalendarMonths() {
        XCTAssertTrue(CalendarMonth.civil(19723) == (2024, 1, 1))
        XCTAssertTrue(CalendarMonth.civil(0) == (1970, 1, 1))
        XCTAssertTrue(CalendarMonth.civil(-1) == (1969, 12, 31))
        XCTAssertTrue(CalendarMonth.civil(19782) == (2024, 2, 29))
        XCTAssertEqual(CalendarMonth.days(year: 2024, month: 3, day: 1), 19783)
        XCTAssertEqual(CalendarMonth.firstDay(ofIndex: CalendarMonth.index(ofDay: 19770)), 19754)
    }

    func testCohortRetention() throws {
        let f = try cohortRetention(try log())
        XCTAssertEqual(try doubles(f, "cohort"), [19723, 19754])      // March has no signups
        XCTAssertEqual(try doubles(f, "users"), [2, 1])
        XCTAssertEqual(try doubles(f, "m0"), [1, 1])
        XCTAssertEqual(try doubles(f, "m1"), [0.5, 0])                // Jan cohort: only user 1 in Feb
        XCTAssertEqual(try doubles(f, "m2"), [1, nil])                // Feb cohort's month 2 is after the data
    }

    func testRetentionCurve() throws {
        let f = try retentionCurve(try log(), maxDays: 70)
        let e = try doubles(f, "eligible"), r = try doubles(f, "retained"), s = try doubles(f, "share")
        XCTAssertEqual(e[0], 3); XCTAssertEqual(r[0], 3)
        XCTAssertEqual(e[1], 3); XCTAssertEqual(r[1], 2)              // user 3 never came back
        XCTAssertEqual(e[29], 2); XCTAssertEqual(r[29], 2)            // user 3 signed up 28 days before the end
        XCTAssertEqual(e[43], 2); XCTAssertEqual(r[43], 1)            // user 2 last seen 42 days after signup
        XCTAssertEqual(e[46], 1); XCTAssertEqual(s[46], 1)
        XCTAssertEqual(e[65], 0); XCTAssertNil(s[65])
    }

    func testActiveUsers() throws {
        var f = try activeUsers(try log(), from: 19723, to: 19730)
        XCTAssertEqual(try doubles(f, "dau"), [1, 0, 1, 0, 0, 0, 0])
        XCTAssertEqual(try doubles(f, "wau"), [1, 1, 1, 1, 1, 1, 1])
        XCTAssertEqual(try doubles(f, "mau"), [1, 1, 1, 1, 1, 1, 1])
        XCTAssertEqual(try doubles(f, "stickiness"), [1, 0, 1, 0, 0, 0, 0])
        f = try activeUsers(try log(), from: 19742, to: 19743)
        // User 2 twice that day; user 1 last active on 19725: outside the week, inside the 30 days.
        XCTAssertEqual(try doubles(f, "dau"), [1]); XCTAssertEqual(try doubles(f, "wau"), [1])
        XCTAssertEqual(try doubles(f, "mau"), [2]); XCTAssertEqual(try doubles(f, "stickiness"), [0.5])
        let all = try activeUsers(try log())
        XCTAssertEqual(all.nrow, 19787 - 19723 + 1)
        XCTAssertEqual(try doubles(all, "dau").compactMap { $0 }.reduce(0, +), 7)  // 7 distinct user-days
    }

    func testCohortLTV() throws {
        let f = try cohortLTV(try log())
        XCTAssertEqual(try doubles(f, "users"), [2, 1])
        XCTAssertEqual(try doubles(f, "revenue"), [70, 0])
        XCTAssertEqual(try doubles(f, "ltv_observed"), [35, 0])
        XCTAssertEqual(try doubles(f, "user_months"), [6, 1])
        XCTAssertEqual(try doubles(f, "arpu_month")[0]!, 70.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(try doubles(f, "monthly_churn"), [0, 1])       // user 3 gone before March
        XCTAssertEqual(try doubles(f, "expected_lifetime_months"), [nil, 1])
        XCTAssertEqual(try doubles(f, "ltv_expected"), [nil, 0])
    }

    func testFunnel() throws {
        let f = try funnel(try log(), steps: ["purchase", "renew"])
        XCTAssertEqual(try f.column("stage").string(at: 2), "renew")
        XCTAssertEqual(try doubles(f, "users"), [3, 2, 1])
        XCTAssertEqual(try doubles(f, "conversion"), [1, 2.0 / 3, 0.5])
        XCTAssertEqual(try doubles(f, "conversion_from_start"), [1, 2.0 / 3, 1.0 / 3])
        // Purchases 0 days (user 1) and 42 days (user 2) after signup; renewal 41 days after the purchase.
        XCTAssertEqual(try doubles(f, "median_days_from_previous"), [nil, 21, 41])
        XCTAssertThrowsError(try funnel(try log(), steps: ["upgrade"]))
    }

    func subscriptions() throws -> Subscriptions {
        let rows: [(Int64, Int32, Int32?, Double)] = [
            (1, 19723, nil, 10),
            (2, 19711, 19768, 60),
            (3, 19692, nil, 20), (3, 19737, nil, 5),
            (4, 19732, nil, 7),
            (5, 19692, 19754, 62), (5, 19754, nil, 10),
        ]
        return try Subscriptions(try Frame([
            .int("user_id", rows.map { $0.0 }),
            Column(name: "start", data: .date(rows.map { $0.1 })),
            Column(name: "end", data: .date(rows.map { $0.2 ?? 0 }), validity: Validity(rows.map { $0.2 != nil })),
            .string("plan", rows.map { _ in "m" }),
            .float("price", rows.map { $0.3 }),
        ]))
    }

    func testChurnAndRevenueRetention() throws {
        let subs = try subscriptions()
        let a = 60 * 30.4375 / 57                                     // user 2's MRR (57-day term)
        let c = try churnRates(subs, from: 19723, to: 19783)
        XCTAssertEqual(try doubles(c, "period"), [19723, 19754])
        XCTAssertEqual(try doubles(c, "active_start"), [4, 5])       // user 4 joins mid-January
        XCTAssertEqual(try doubles(c, "churned"), [0, 1])             // user 2's term ends Feb 15
        XCTAssertEqual(try doubles(c, "churn_rate"), [0, 0.2])
        // User 5's 62 over [2023-12-01, 2024-02-01) is two calendar months: 31 a month.
        XCTAssertEqual(try doubles(c, "mrr_start")[0]!, 10 + a + 20 + 31, accuracy: 1e-9)
        XCTAssertEqual(try doubles(c, "mrr_churned")[1]!, a, accuracy: 1e-9)
        XCTAssertEqual(try doubles(c, "revenue_churn_rate")[1]!, a / (52 + a), accuracy: 1e-9)
        let r = try revenueRetention(subs, from: 19723, to: 19783)
        XCTAssertEqual(try doubles(r, "expansion"), [5, 0])           // user 3's add-on
        XCTAssertEqual(try doubles(r, "contraction")[0]!, 21, accuracy: 1e-9)  // user 5's downgrade 31 → 10
        XCTAssertEqual(try doubles(r, "nrr")[0]!, (45 + a) / (61 + a), accuracy: 1e-9)
        XCTAssertEqual(try doubles(r, "grr")[0]!, (40 + a) / (61 + a), accuracy: 1e-9)
        XCTAssertEqual(try doubles(r, "nrr")[1]!, 52 / (52 + a), accuracy: 1e-9)
    }
}
