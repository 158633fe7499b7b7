import XCTest
@testable import ChurnCore

final class CronTests: XCTestCase {
    let utc = TimeZone(identifier: "UTC")!
    func at(_ s: String) -> Date { ScheduleClock.parse(s)! }
    func next(_ expr: String, _ after: String, _ tz: String = "UTC") throws -> String {
        try CronExpression(expr).next(after: at(after), in: TimeZone(identifier: tz)!).map(ScheduleClock.iso) ?? "none"
    }

    func testFieldsListsRangesStepsNames() throws {
        XCTAssertEqual(try next("*/15 9-17 * * mon-fri", "2024-10-04T17:50:00Z"), "2024-10-07T09:00:00Z")   // Fri → Mon
        XCTAssertEqual(try next("*/15 9-17 * * mon-fri", "2024-10-07T09:00:00Z"), "2024-10-07T09:15:00Z")
        XCTAssertEqual(try next("5,35 */6 * jan,jul *", "2024-10-01T00:00:00Z"), "2025-01-01T00:05:00Z")
        XCTAssertEqual(try next("0 12 * * 7", "2024-10-01T00:00:00Z"), "2024-10-06T12:00:00Z")             // 7 = Sunday
        XCTAssertEqual(try next("0 0 29 2 *", "2024-03-01T00:00:00Z"), "2028-02-29T00:00:00Z")
        XCTAssertEqual(try next("@hourly", "2024-10-01T10:00:00Z"), "2024-10-01T11:00:00Z")
        XCTAssertEqual(try next("10-20/5 0 1 * *", "2024-10-01T00:10:00Z"), "2024-10-01T00:15:00Z")
    }

    func testDayOfMonthOrDayOfWeek() throws {
        // Both restricted: the 13th OR any Friday (Vixie cron).
        XCTAssertEqual(try next("0 0 13 * fri", "2024-10-01T00:00:00Z"), "2024-10-04T00:00:00Z")
        XCTAssertEqual(try next("0 0 13 * fri", "2024-10-11T00:00:00Z"), "2024-10-13T00:00:00Z")
        // Only one restricted: AND with the star.
        XCTAssertEqual(try next("0 0 13 * *", "2024-10-01T00:00:00Z"), "2024-10-13T00:00:00Z")
    }

    func testTimeZonesAndDST() throws {
        XCTAssertEqual(try next("0 9 * * *", "2024-10-01T00:00:00Z", "Europe/Berlin"), "2024-10-01T07:00:00Z")
        // 2026-03-08 02:30 does not exist in New York: skipped.
        XCTAssertEqual(try next("30 2 * * *", "2026-03-07T12:00:00Z", "America/New_York"), "2026-03-09T06:30:00Z")
        // 2026-11-01 01:30 happens twice: run once, at the first (EDT) instant.
        XCTAssertEqual(try next("30 1 * * *", "2026-11-01T00:00:00Z", "America/New_York"), "2026-11-01T05:30:00Z")
        XCTAssertEqual(try next("30 1 * * *", "2026-11-01T05:30:00Z", "America/New_York"), "2026-11-02T06:30:00Z")
        // Hourly across fall-back: 01:00 EDT, then 01:00 EST is the same wall time and is not repeated.
        let occ = try CronExpression("0 * * * *").occurrences(after: at("2026-11-01T04:30:00Z"), through: at("2026-11-01T08:30:00Z"),
                                                              in: TimeZone(identifier: "America/New_York")!)
        XCTAssertEqual(occ.map(ScheduleClock.iso), ["2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"])
    }

    func testMalformedExpressions() {
        for (e, msg) in [("61 * * * *", "minute value 61 is out of range 0-59"), ("* * * *", "expected 5 fields"),
                         ("* * * foo *", "month field: 'foo' is not a number or a name"), ("*/0 * * * *", "step must be a positive"),
                         ("5-1 * * * *", "runs backwards"), ("@weird", "unknown macro"), ("1,,2 * * * *", "empty list item")] {
            XCTAssertThrowsError(try CronExpression(e), e) { XCTAssertTrue("\($0)".contains(msg), "\(e): \($0)") }
        }
    }

    func testCatchUpPlans() throws {
        var job = ScheduledJob(name: "j", cron: try CronExpression("0 * * * *"), arguments: ["run", "x.lua", "{date}"])
        let now = at("2024-10-01T10:00:30Z")
        var p = SchedulePlanner.plan(job, last: at("2024-10-01T06:00:00Z"), now: now)
        XCTAssertEqual(p.run.map(ScheduleClock.iso), ["2024-10-01T10:00:00Z"])
        XCTAssertEqual(p.skip.count, 3)
        p = SchedulePlanner.plan(job, last: at("2024-10-01T06:00:00Z"), now: at("2024-10-01T09:30:00Z"))
        XCTAssertEqual(p.run, []); XCTAssertEqual(p.skip.count, 3)
        job.catchUp = .once
        p = SchedulePlanner.plan(job, last: at("2024-10-01T06:00:00Z"), now: at("2024-10-01T09:30:00Z"))
        XCTAssertEqual(p.run.map(ScheduleClock.iso), ["2024-10-01T09:00:00Z"]); XCTAssertEqual(p.skip.count, 2)
        XCTAssertEqual(job.arguments(for: at("2024-10-01T23:00:00Z")), ["run", "x.lua", "2024-10-01"])
        XCTAssertEqual(job.retryDelay(3), 4)
    }
}
