import XCTest
@testable import ChurnCore

/// Ledger schema 2: decisions log their action, propensity, context and horizon; a schema-1
/// file migrates in place; policies chosen inside rules log exact propensities; outcomes join
/// back by user and horizon.
final class LedgerPropensityTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    let oct1 = Int32(DateText.days(year: 2024, month: 10, day: 1))

    /// The fixture was written by the schema-1 code (Fixtures/README.md lists its 12 decisions).
    func testSchema1FileMigratesInPlace() throws {
        let src = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/ledger/ledger_v1.db")
        let path = dir.appendingPathComponent("old.db").path
        try FileManager.default.copyItem(atPath: src.path, toPath: path)
        let ledger = try Ledger(path: path)
        XCTAssertEqual(try ledger.schemaVersion(), 3)
        XCTAssertEqual(try ledger.verify(), [])
        let runs = try ledger.runs()
        XCTAssertEqual(runs.count, 2)
        let first = try ledger.decisions(run: "6fb9ed54ac306ef8")
        XCTAssertEqual(first.map(\.userID), ["a", "c", "e", "f", "b", "d"])
        XCTAssertEqual(first.map(\.group), ["treatment", "treatment", "treatment", "control", "treatment", "treatment"])
        // Old rows: action = the rule (treatment) or "none" (control); no propensity (the holdout was not recorded).
        XCTAssertEqual(first.map(\.action), ["call", "call", "call", "none", "mail", "mail"])
        XCTAssertTrue(first.allSatisfy { $0.propensity == nil && $0.context == "{}" && $0.horizonDays == nil && $0.probabilities == nil })
        XCTAssertEqual(first[0].message, "call a")
        XCTAssertEqual(first[0].asOfDay, oct1)
        XCTAssertEqual(try ledger.decisionLog().count, 12)
        XCTAssertEqual(try ledger.loggedCounts()["6fb9ed54ac306ef8"], 0)
        // The old contacts still drive cooldowns: call (14 days) treated a, c, e on 10-01.
        let h = try ledger.history(asOf: oct1 + 9, lookbackDays: 14)
        XCTAssertEqual(h.daysFromRuleContact("e", "call", asOf: oct1 + 9), 9)
        // Reopening does not migrate again; new decisions carry propensities.
        let again = try Ledger(path: path)
        XCTAssertEqual(try again.schemaVersion(), 3)
        let f = try Frame([.string("user_id", ["g"]), .float("risk", [0.9])])
        var rs = RuleSet()
        rs.rules = [Rule(name: "call", action: RuleAction(channel: "phone", cost: 3), holdout: 0.25)]
        let d = try RuleEngine.evaluate(f, rules: rs, asOf: oct1 + 20)
        let c = try again.commit(d, inputsSHA256: "i", rulesSHA256: "r")
        let row = try XCTUnwrap(try again.decisions(run: c.runID).first)
        XCTAssertEqual(row.propensity, row.group == "control" ? 0.25 : 0.75)
        XCTAssertEqual(row.probabilities, #"{"call":0.75,"none":0.25}"#)
        XCTAssertEqual(try again.verify(), [])
        // A file from a newer churnlab is refused, not rewritten.
        try again.db.exec("PRAGMA user_version = 4")
        XCTAssertThrowsError(try Ledger(path: path)) { XCTAssertTrue("\($0)".contains("schema 4"), "\($0)") }
    }

    /// The fixture was written by the schema-2 code (Fixtures/README.md): decisions with the chosen
    /// action's propensity only. Opening adds the schema-3 column; old rows keep their propensity
    /// and have no distribution; new rows store the whole distribution; the log frame marks the
    /// old rows' p_<action> as null, so the support check is skipped rather than guessed.
    func testSchema2FileMigratesToSchema3() throws {
        let src = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/ledger/ledger_v2.db")
        let path = dir.appendingPathComponent("v2.db").path
        try FileManager.default.copyItem(atPath: src.path, toPath: path)
        let ledger = try Ledger(path: path)
        XCTAssertEqual(try ledger.schemaVersion(), 3)
        XCTAssertEqual(try ledger.verify(), [])
        let old = try ledger.decisionLog()
        XCTAssertEqual(old.map(\.userID), ["a", "b", "c", "d", "e", "f"])
        XCTAssertEqual(old.map(\.action), ["none", "mail", "call", "mail", "call", "call"])
        XCTAssertEqual(old.map(\.propensity), [0.25, 0.6, 0.6, 0.6, 0.6, 0.6])
        XCTAssertTrue(old.allSatisfy { $0.probabilities == nil })
        XCTAssertEqual(old[1].context, #"{"tenure":10,"risk":0.5}"#)
        // A new decision on the migrated file: the same rule as the fixture's, user g (risk 0.2 → mail).
        let f = try Frame([.string("user_id", ["g"]), .float("risk", [0.2]), .float("tenure", [5])])
        let pol = try TierPolicy(actions: ["none", "mail", "call"], column: "risk", tiers: [TierPolicy.Tier(below: 0.7, action: 1)], fallback: 2, explore: 0)
        let use = try RulePolicy(policy: pol, explore: 0.3, deliveries: [nil, RuleAction(channel: "email", cost: 1, name: "mail"),
                                                                         RuleAction(channel: "phone", cost: 3, name: "call")])
        var rs = RuleSet()
        rs.contextColumns = ["tenure"]
        rs.rules = [Rule(name: "learned", action: RuleAction(channel: ""), holdout: 0.25, policy: use)]
        let d = try RuleEngine.evaluate(f, rules: rs, asOf: oct1 + 7)
        // By hand: π = (0.1, 0.8, 0.1) with explore 0.3 over 3 actions; × 0.75, and none += 0.25.
        let dist = d.distribution(0)
        XCTAssertEqual(dist.map(\.action), ["none", "mail", "call"])
        for (got, want) in zip(dist.map(\.probability), [0.25 + 0.075, 0.6, 0.075]) { XCTAssertEqual(got, want, accuracy: 1e-12) }
        let c = try ledger.commit(d, inputsSHA256: "i2", rulesSHA256: "r")
        let new = try XCTUnwrap(try ledger.decisions(run: c.runID).first)
        XCTAssertEqual(new.probabilities, d.probabilities(0))
        // The log frame over old and new rows: p_ columns null for the old ones.
        let log = try DecisionLog.frame(try ledger.decisionLog()).frame
        XCTAssertEqual(log.nrow, 7)
        let pMail = try log.column("p_mail")
        XCTAssertTrue((0..<6).allSatisfy { pMail.isNull($0) })
        XCTAssertEqual(pMail.double(at: 6)!, 0.6, accuracy: 1e-12)
        // Marginal propensity of the new row's action (whichever was drawn).
        let want = ["none": 0.325, "mail": 0.6, "call": 0.075][new.action]!
        XCTAssertEqual(try log.column("propensity").double(at: 6)!, want, accuracy: 1e-12)
        // Mixed log: the support is unknown (nil), the weights still work.
        let reward = try Frame(log.columns + [.float("reward", [Double](repeating: 1, count: 7))])
        let ld = try LoggedDecisions(frame: reward, actionNames: ["none", "mail", "call"])
        XCTAssertNil(ld.loggingProbabilities)
        XCTAssertEqual(ld.propensities[1], 0.6)
    }

    func testPlainRulesLogHoldoutPropensityContextAndHorizon() throws {
        let f = try Frame([.string("user_id", (1...200).map { "u\($0)" }), .float("risk", (1...200).map { Double($0) / 200 }),
                           .int("tenure", (1...200).map { Int64($0 % 7) }), .string("plan", (1...200).map { $0 % 2 == 0 ? "pro" : "free" })])
        var rs = RuleSet()
        rs.tiers = Tiers(scoreColumn: "risk", thresholds: [("high", 0.5)])
        rs.contextColumns = ["tenure", "plan"]
        rs.rules = [Rule(name: "call", action: RuleAction(channel: "phone", cost: 2, name: "phone_call"), tiers: ["high"], holdout: 0.2, horizonDays: 30),
                    Rule(name: "mail", action: RuleAction(channel: "email"), priority: -1)]
        let d = try RuleEngine.evaluate(f, rules: rs, asOf: oct1)
        var controls = 0
        for k in 0..<d.count {
            switch (d.rule(k).name, d.group(k)) {
            case ("call", "control"): controls += 1; XCTAssertEqual(d.propensity(k), 0.2); XCTAssertEqual(d.actionName(k), "none")
            case ("call", "treatment"): XCTAssertEqual(d.propensity(k), 0.8); XCTAssertEqual(d.actionName(k), "phone_call")
            case ("mail", "treatment"): XCTAssertEqual(d.propensity(k), 1); XCTAssertEqual(d.actionName(k), "mail")
            default: XCTFail("unexpected \(d.rule(k).name) \(d.group(k))")
            }
        }
        XCTAssertGreaterThan(controls, 5)
        // Context: the run's context columns, then the tier score. u200: risk 1.0, tenure 200 % 7 = 4, plan pro.
        let k200 = try XCTUnwrap((0..<d.count).first { d.user($0) == "u200" })
        XCTAssertEqual(d.context(k200), #"{"tenure":4,"plan":"pro","risk":1.0}"#)
        XCTAssertEqual(d.horizonDays(k200), 30)
        let ledger = try Ledger(path: dir.appendingPathComponent("l.db").path)
        let c = try ledger.commit(d, inputsSHA256: "i", rulesSHA256: "r")
        let rows = try ledger.decisions(run: c.runID)
        let r200 = try XCTUnwrap(rows.first { $0.userID == "u200" })
        XCTAssertEqual(r200.context, #"{"tenure":4,"plan":"pro","risk":1.0}"#)
        XCTAssertEqual(r200.horizonDays, 30)
        XCTAssertEqual(r200.propensity, r200.group == "control" ? 0.2 : 0.8)

        // The log frame: context expanded, outcomes joined by user and horizon, reward = 10·retained − cost.
        let out = try OutcomeTable(try Frame([.string("user_id", ["u200", "u200", "u1"]), .float("retained", [0, 1, 1]),
                                              .string("date", ["2024-10-15", "2024-11-02", "2024-10-01"])]))
        let log = try DecisionLog.frame(rows, outcomes: out, options: DecisionLog.Options(value: 10, usableOnly: true))
        // u200 (horizon 30 → due 10-31) takes the 11-02 outcome; u1 (mail, no horizon → due 10-01) the 10-01 one; others have none.
        XCTAssertEqual(log.frame.nrow, 2)
        XCTAssertEqual(log.noOutcome, rows.count - 2)
        let users = try log.frame.column("user_id"), reward = try log.frame.column("reward").toDoubles()!
        let i200 = try XCTUnwrap((0..<2).first { users.string(at: $0) == "u200" })
        XCTAssertEqual(reward[i200], r200.group == "control" ? 10 : 8)      // 10·1 − 2 when treated
        XCTAssertEqual(reward[1 - i200], 10)                                 // mail costs 0
        XCTAssertEqual(try log.frame.column("tenure").double(at: i200), 4)
        XCTAssertEqual(try log.frame.column("plan").string(at: i200), "pro")
        XCTAssertEqual(try log.frame.column("action").string(at: 1 - i200), "mail")
    }

    func testOutcomesJoinByUserAndHorizon() throws {
        let t = try OutcomeTable(try Frame([.string("user_id", ["a", "a", "b"]), .float("churned", [1, 0, 0]),
                                            .string("date", ["2024-10-05", "2024-11-05", "2024-09-01"])]))
        XCTAssertEqual(t.outcome(user: "a", asOfDay: oct1, horizonDays: nil), false)   // 10-05 ≥ 10-01, churned
        XCTAssertEqual(t.outcome(user: "a", asOfDay: oct1, horizonDays: 30), true)     // due 10-31 → 11-05, retained
        XCTAssertNil(t.outcome(user: "a", asOfDay: oct1, horizonDays: 40))             // due 11-10: not observed yet
        XCTAssertNil(t.outcome(user: "b", asOfDay: oct1, horizonDays: 0))              // observed before the decision
        XCTAssertNil(t.outcome(user: "z", asOfDay: oct1, horizonDays: 0))
        let undated = try OutcomeTable(try Frame([.string("user_id", ["a"]), .float("retained", [1])]))
        XCTAssertEqual(undated.outcome(user: "a", asOfDay: oct1, horizonDays: 1000), true)
        XCTAssertThrowsError(try OutcomeTable(try Frame([.string("user_id", ["a"]), .float("retained", [1]), .string("date", ["soon"])])))
    }

    /// A deterministic tier policy with exploration inside a rule: propensity = (1 − holdout)·((1 − ε)·1{a = π(x)} + ε/K).
    func testPolicyInsideRuleLogsExactPropensitiesAndRespectsBudgetAndCooldown() throws {
        let n = 400
        let f = try Frame([.string("user_id", (0..<n).map { "u\($0)" }), .float("risk", (0..<n).map { Double($0) / Double(n) })])
        // risk < 0.5 → none, else coupon.
        let pol = try TierPolicy(actions: ["none", "email", "coupon"], column: "risk", tiers: [TierPolicy.Tier(below: 0.5, action: 0)], fallback: 2, explore: 0)
        let use = try RulePolicy(policy: pol, explore: 0.3, deliveries: [nil, RuleAction(channel: "email", cost: 1, name: "email"),
                                                                         RuleAction(channel: "coupon", offer: "10%", cost: 5, name: "coupon")])
        var rs = RuleSet()
        rs.rules = [Rule(name: "learned", action: RuleAction(channel: ""), cooldownDays: 7, holdout: 0.1, policy: use)]
        let d = try RuleEngine.evaluate(f, rules: rs, asOf: oct1)
        XCTAssertEqual(d.count, n)
        var counts: [String: Int] = [:]
        for k in 0..<d.count {
            let risk = Double(Int(d.user(k).dropFirst())!) / Double(n)
            let greedy = risk < 0.5 ? "none" : "coupon"
            let a = d.actionName(k)
            counts[d.group(k), default: 0] += 1
            if d.group(k) == "control" { XCTAssertEqual(d.propensity(k), 0.1); XCTAssertEqual(a, "none"); continue }
            XCTAssertEqual(d.propensity(k), 0.9 * ((a == greedy ? 0.7 : 0) + 0.1), accuracy: 1e-12, "\(d.user(k)) \(a)")
            XCTAssertEqual(d.group(k), a == "none" ? "none" : "treatment")
            XCTAssertEqual(d.cost(k), a == "coupon" ? 5 : a == "email" ? 1 : 0)
            XCTAssertEqual(d.action(k).channel, a == "none" ? "" : a)
        }
        // Expected shares: control 10 %; of the rest, none = ½·0.8 + ½·0.1 = 45 %.
        XCTAssertEqual(Double(counts["control"]!) / Double(n), 0.1, accuracy: 0.05)
        XCTAssertEqual(Double(counts["none"]!) / Double(n), 0.9 * 0.45, accuracy: 0.07)
        // Reproducible: the same period decides the same way.
        let d2 = try RuleEngine.evaluate(f, rules: rs, asOf: oct1)
        XCTAssertEqual((0..<n).map { d2.actionName($0) }, (0..<n).map { d.actionName($0) })
        XCTAssertEqual(d.summary()[0].treatment, counts["treatment"])

        // Budget: at most 20 contacted users (logged non-contacts do not use it); the rule then stops.
        var rb = rs
        rb.rules[0].budget = RuleBudget(maxUsers: 20)
        let db = try RuleEngine.evaluate(f, rules: rb, asOf: oct1)
        XCTAssertEqual((0..<db.count).filter { db.group($0) == "treatment" }.count, 20)
        XCTAssertEqual(db.skipped["learned"]?["budget"], n - db.count)

        // Cooldown: commit, then a day later only the users not contacted remain candidates.
        let ledger = try Ledger(path: dir.appendingPathComponent("p.db").path)
        _ = try ledger.commit(d, inputsSHA256: "i", rulesSHA256: "r")
        let h = try ledger.history(asOf: oct1 + 1, lookbackDays: 7)
        let next = try RuleEngine.evaluate(f, rules: rs, asOf: oct1 + 1, history: h)
        XCTAssertEqual(next.count, n - counts["treatment"]!)
        XCTAssertEqual(next.skipped["learned"]?["cooldown"], counts["treatment"])
        // The ledger keeps group 'none' rows (not contacts) with their propensities; the outbox leaves them out.
        let rows = try ledger.decisionLog()
        XCTAssertEqual(rows.filter { $0.group == "none" }.count, counts["none"])
        XCTAssertEqual(Outbox.rows(rows, Outbox.Options()).count, counts["treatment"])
    }
}
