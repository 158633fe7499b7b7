import XCTest
@testable import ChurnCore

final class RuleEngineTests: XCTestCase {
    /// Six users: risk, tenure, opt-out flag, reason code.
    func users() throws -> Frame {
        try Frame([
            .string("user_id", ["u1", "u2", "u3", "u4", "u5", "u6"]),
            .float("risk", [0.9, 0.8, 0.75, 0.5, 0.45, 0.1]),
            .int("tenure_days", [40, 10, 100, 50, 5, 300]),
            .string("name", ["Ann", "Bo", "Cy", "Di", "Ed", "Flo"]),
            .bool("opt_out", [false, false, false, false, true, false]),
            .string("reason_1", ["low usage", "price", "support calls", nil, "price", "none"]),
        ])
    }

    func ruleSet() -> RuleSet {
        var rs = RuleSet()
        rs.tiers = Tiers(scoreColumn: "risk", thresholds: [("high", 0.7), ("medium", 0.4)])
        rs.suppressColumn = "opt_out"
        rs.rules = [
            Rule(name: "recs", action: RuleAction(channel: "app", offer: "recommendations"), priority: 0),
            Rule(name: "win_back", condition: .expr((Expr.col("risk") >= 0.7) & (Expr.col("tenure_days") > 30)),
                 action: RuleAction(channel: "coupon", offer: "20% off", cost: 5, message: "Hi {name}, {{sorry}} about {reason_1}"),
                 priority: 10, budget: RuleBudget(maxUsers: 1)),
            Rule(name: "email_medium", action: RuleAction(channel: "email", offer: "tips", cost: 1, message: "{tier}:{user_id}"),
                 priority: 5, tiers: ["high", "medium"], cooldownDays: 14, reason: "because {reason_1}"),
        ]
        return rs
    }

    let asOf = Int32(DateText.days(year: 2024, month: 10, day: 1))

    func testPriorityBudgetTiersSuppressionAndTemplates() throws {
        let d = try RuleEngine.evaluate(try users(), rules: ruleSet(), asOf: asOf)
        XCTAssertEqual((0..<d.count).map { d.user($0) }, ["u1", "u2", "u3", "u4", "u6"])
        XCTAssertEqual((0..<d.count).map { d.rule($0).name }, ["win_back", "email_medium", "email_medium", "email_medium", "recs"])
        XCTAssertEqual((0..<d.count).map { d.tier($0) }, ["high", "high", "high", "medium", "low"])
        XCTAssertEqual(d.message(0), "Hi Ann, {sorry} about low usage")
        XCTAssertEqual(d.message(3), "medium:u4")
        XCTAssertEqual(d.reason(3), "because ")           // null reason code renders empty
        XCTAssertTrue(d.reason(0) == "((col(\"risk\") >= 0.7) & (col(\"tenure_days\") > 30))", d.reason(0))
        XCTAssertEqual(d.skipped["*"]?["suppressed"], 1)
        XCTAssertEqual(d.skipped["win_back"]?["budget"], 1)   // u3 cut by max_users = 1 (u1 has the higher score)
        XCTAssertEqual(d.summary().map(\.cost), [5, 3, 0])
        XCTAssertEqual(d.period, "2024-10-01")
        let f = try d.toFrame()
        XCTAssertEqual(f.nrow, 5)
        XCTAssertEqual(try f.column("group").string(at: 0), "treatment")
        XCTAssertEqual(try f.column("cost").double(at: 1), 1)
    }

    func testBudgetByCostTakesHighestScoresFirst() throws {
        var rs = RuleSet()
        rs.orderBy = "risk"
        rs.rules = [Rule(name: "r", action: RuleAction(channel: "sms", cost: 2), budget: RuleBudget(maxCost: 5))]
        let d = try RuleEngine.evaluate(try users(), rules: rs, asOf: asOf)
        XCTAssertEqual((0..<d.count).map { d.user($0) }, ["u1", "u2"])   // 2 × 2 ≤ 5, a third would be 6
        XCTAssertEqual(d.skipped["r"]?["budget"], 4)
    }

    func testCooldownAndFrequencyCapsFromHistory() throws {
        var rs = ruleSet()
        rs.caps = [FrequencyCap(channel: "email", maxContacts: 1, windowDays: 7)]
        let history = ContactHistory([
            .init(user: "u2", rule: "email_medium", channel: "email", day: asOf - 3),   // cooldown 14d
            .init(user: "u3", rule: "other", channel: "email", day: asOf - 2),          // email cap 1 per 7d
            .init(user: "u4", rule: "other", channel: "email", day: asOf - 7),          // outside the 7-day window
        ])
        let d = try RuleEngine.evaluate(try users(), rules: rs, asOf: asOf, history: history)
        XCTAssertEqual((0..<d.count).map { "\(d.user($0)):\(d.rule($0).name)" },
                       ["u1:win_back", "u4:email_medium", "u2:recs", "u3:recs", "u6:recs"])
        XCTAssertEqual(d.skipped["email_medium"]?["cooldown"], 1)
        XCTAssertEqual(d.skipped["email_medium"]?["frequency_cap"], 1)
    }

    func testHoldoutIsStableHMACAndMatchesPython() throws {
        // Reference: Tests/ChurnCoreTests/References/rules_effect.py
        let h = HoldoutHasher(key: Array("k".utf8))
        XCTAssertEqual(h.uniform(experiment: "exp", user: "u1"), 0.023106566003422535, accuracy: 1e-15)
        XCTAssertTrue(h.isControl(experiment: "exp", user: "u1", holdout: 0.05))
        XCTAssertFalse(h.isControl(experiment: "exp", user: "u1", holdout: 0.02))
        XCTAssertEqual(try Pseudonymizer(key: Array("k".utf8)).pseudonym("u1"),
                       "731757b19387f029ed2b9879ee82a5384d99f3d717476fd935e43d11f4a1f2e3")
        // Over many users the control share is near the holdout; controls cost nothing and skip the budget.
        let n = 4000
        let f = try Frame([.int("user_id", (0..<Int64(n)).map { $0 }), .float("s", [Double](repeating: 1, count: n))])
        var rs = RuleSet()
        rs.rules = [Rule(name: "r", action: RuleAction(channel: "c", cost: 1), holdout: 0.25)]
        let d = try RuleEngine.evaluate(f, rules: rs, asOf: asOf)
        let controls = d.control.filter { $0 }.count
        XCTAssertEqual(Double(controls) / Double(n), 0.25, accuracy: 0.03)
        let again = try RuleEngine.evaluate(f, rules: rs, asOf: asOf)
        XCTAssertEqual(d.control, again.control)
        XCTAssertEqual(d.summary()[0].cost, Double(n - controls))
    }

    func testErrorsNameRuleAndField() throws {
        var rs = ruleSet()
        rs.rules[0].action.message = "Hi {nmae}"
        XCTAssertThrowsError(try RuleEngine.evaluate(try users(), rules: rs, asOf: asOf)) {
            XCTAssertTrue("\($0)".hasPrefix("rule 'recs': template field {nmae} is not a column"), "\($0)")
        }
        rs = ruleSet()
        rs.rules[1].condition = .expr(Expr.col("risk") + 1)
        XCTAssertThrowsError(try RuleEngine.evaluate(try users(), rules: rs, asOf: asOf)) {
            XCTAssertTrue("\($0)".contains("rule 'win_back': condition"), "\($0)")
        }
        rs = ruleSet()
        rs.rules[2].holdout = 1
        XCTAssertThrowsError(try rs.validate()) { XCTAssertTrue("\($0)".contains("holdout must be in [0, 1)")) }
        XCTAssertThrowsError(try MessageTemplate("a {b")) { XCTAssertTrue("\($0)".contains("never closed")) }
        XCTAssertEqual(try RuleDuration.days("2w"), 14)
        XCTAssertEqual(try RuleDuration.days("36h"), 2)
        XCTAssertThrowsError(try RuleDuration.days("3x"))
    }

    func testPeriodLabels() {
        let d = Int32(DateText.days(year: 2024, month: 12, day: 30))   // Monday of ISO week 2025-W01
        XCTAssertEqual(RulePeriod.week.label(asOf: d), "2025-W01")
        XCTAssertEqual(RulePeriod.week.label(asOf: Int32(DateText.days(year: 2024, month: 10, day: 1))), "2024-W40")
        XCTAssertEqual(RulePeriod.month.label(asOf: d), "2024-12")
        XCTAssertEqual(RulePeriod.day.label(asOf: d), "2024-12-30")
    }

    func testEffectMatchesStatsmodels() throws {
        // Reference: Tests/ChurnCoreTests/References/rules_effect.py (proportions_ztest, confint_proportions_2indep wald)
        var ds: [RuleEffect.Decision] = []
        var outcomes: [String: Bool] = [:]
        for i in 0..<100 { ds.append(.init(user: "t\(i)", rule: "r", tier: "high", control: false, cost: 5)); outcomes["t\(i)"] = i < 70 }
        for i in 0..<40 { ds.append(.init(user: "c\(i)", rule: "r", tier: "high", control: true, cost: 0)); outcomes["c\(i)"] = i < 20 }
        ds.append(.init(user: "nobody", rule: "r", tier: "high", control: false, cost: 5))
        let rep = try RuleEffect.report(ds, outcomes: outcomes)
        XCTAssertEqual(rep.missingOutcomes, 1)
        XCTAssertEqual(rep.rows.map(\.tier), ["", "high"])
        let r = rep.rows[0]
        XCTAssertEqual(r.treated, 100); XCTAssertEqual(r.control, 40)
        XCTAssertEqual(r.lift, 0.2, accuracy: 1e-12)
        XCTAssertEqual(r.relativeLift, 0.4, accuracy: 1e-12)
        XCTAssertEqual(r.pValue, 0.025674942578765014, accuracy: 1e-9)
        XCTAssertEqual(r.lower, 0.020901755584271625, accuracy: 1e-9)
        XCTAssertEqual(r.upper, 0.37909824441572826, accuracy: 1e-9)
        XCTAssertEqual(r.costPerRetained, 25, accuracy: 1e-9)     // 500 / (0.2 × 100)
    }
}

final class HoldoutHashTests: XCTestCase {
    /// The one-block fast path equals the streaming HMAC for every message length it takes, and long keys.
    func testShortPathMatchesGenericHMAC() {
        for key in [Array("k".utf8), [UInt8](repeating: 7, count: 64), [UInt8](repeating: 3, count: 100)] {
            let h = HoldoutHasher(key: key)
            let prefix = Array("exp/rule".utf8) + [0x1F]
            for n in 0...(ShortHMAC.maxMessage - prefix.count + 3) {
                let user = (0..<n).map { UInt8(33 + ($0 * 7) % 90) }
                let fast = prefix.withUnsafeBytes { p in user.withUnsafeBytes { h.uniform(prefix: p, user: $0) } }
                let slow = prefix.withUnsafeBytes { p in user.withUnsafeBytes { h.genericUniform(prefix: p, user: $0) } }
                XCTAssertEqual(fast, slow, "key \(key.count) bytes, user \(n) bytes")
            }
        }
    }
}
