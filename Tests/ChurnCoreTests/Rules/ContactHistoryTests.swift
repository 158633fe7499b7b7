import XCTest
@testable import ChurnCore

/// Cooldowns and frequency caps see contacts on both sides of the as-of date, so a run for
/// an earlier date committed after a run for a later one (or concurrently with it) cannot
/// contact a user twice within a cooldown or over a cap. Expectations are hand-computed.
final class ContactHistoryTests: XCTestCase {
    func testCooldownIsTheDistanceToTheNearestContactEitherSide() {
        let h = ContactHistory([.init(user: "u", rule: "r", channel: "email", day: 100),
                                .init(user: "u", rule: "r", channel: "email", day: 120)])
        XCTAssertEqual(h.daysFromRuleContact("u", "r", asOf: 93), 7)     // 7 days before the day-100 contact
        XCTAssertEqual(h.daysFromRuleContact("u", "r", asOf: 111), 9)    // nearer to 120 than to 100
        XCTAssertEqual(h.daysFromRuleContact("u", "r", asOf: 130), 10)
        XCTAssertNil(h.daysFromRuleContact("u", "other", asOf: 100))
    }

    /// Cap windows (e − 7, e] for e in [asOf, asOf + 6] with contacts on days 10, 12, 16:
    /// asOf = 10 → windows ending 10…16 hold at most {10, 12, 16} = 3 contacts;
    /// asOf = 5 → windows ending 5…11 hold at most {10} = 1; asOf = 17 → (10, 17] holds {12, 16} = 2.
    func testCapCountsTheFullestWindowThatWouldHoldTheNewContact() {
        let h = ContactHistory([10, 12, 16].map { ContactHistory.Contact(user: "u", rule: "r", channel: "sms", day: $0) })
        XCTAssertEqual(h.contacts("u", channel: "sms", window: 7, asOf: 10), 3)
        XCTAssertEqual(h.contacts("u", channel: "sms", window: 7, asOf: 5), 1)
        XCTAssertEqual(h.contacts("u", channel: "sms", window: 7, asOf: 17), 2)
        XCTAssertEqual(h.contacts("u", channel: "sms", window: 7, asOf: 30), 0)
        XCTAssertEqual(h.contacts("u", channel: "email", window: 7, asOf: 10), 0)
    }

    /// The ledger's history query reaches forward too; and the engine then excludes the user.
    func testLedgerHistoryIncludesLaterRunsAndTheEngineHonoursThem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ledger = try Ledger(path: dir.appendingPathComponent("l.db").path)
        let f = try Frame([.string("user_id", ["a", "b"])])
        var rs = RuleSet()
        rs.rules = [Rule(name: "r", action: RuleAction(channel: "email"), cooldownDays: 14)]
        let later = Int32(DateText.days(year: 2024, month: 10, day: 8)), earlier = later - 7
        let c1 = try ledger.commit(period: DateText.format(days: later), asOf: later, lookbackDays: 14, inputsSHA256: "i", rulesSHA256: "r") { h in
            try RuleEngine.evaluate(f, rules: rs, asOf: later, history: h)
        }
        XCTAssertEqual(c1.inserted, 2)
        let c2 = try ledger.commit(period: DateText.format(days: earlier), asOf: earlier, lookbackDays: 14, inputsSHA256: "i", rulesSHA256: "r") { h in
            XCTAssertEqual(h.daysFromRuleContact("a", "r", asOf: earlier), 7)
            return try RuleEngine.evaluate(f, rules: rs, asOf: earlier, history: h)
        }
        XCTAssertEqual(c2.inserted, 0)
        XCTAssertEqual(try ledger.history(asOf: earlier - 14, lookbackDays: 14).count, 0)   // 21 days away: outside
    }

    func testEmptyOrMemoryLedgerPathIsRefused() {
        XCTAssertThrowsError(try Ledger(path: "")) { e in XCTAssertTrue("\(e)".contains("ledger path is empty"), "\(e)") }
        XCTAssertThrowsError(try Ledger(path: ":memory:"))
    }
}
