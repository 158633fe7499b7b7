import XCTest
@testable import ChurnCore

/// Run by scripts/bench/rules_bench.sh in release mode (CHURNLAB_BENCH=1).
final class RulesBenchTests: XCTestCase {
    /// 1,000,000 scored users; 10 vectorized rules with tiers, budgets, holdouts, an opt-out column.
    static func users(_ n: Int) throws -> Frame {
        var rng = SeededRandom(seed: 11)
        var ids = [Int64](repeating: 0, count: n), risk = [Double](repeating: 0, count: n)
        var tenure = [Int64](repeating: 0, count: n), spend = [Double](repeating: 0, count: n), opt = [Bool](repeating: false, count: n)
        var plan = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            ids[i] = Int64(i); risk[i] = rng.uniform(); tenure[i] = Int64(rng.below(900))
            spend[i] = rng.uniform() * 200; opt[i] = rng.uniform() < 0.02; plan[i] = Int32(rng.below(3))
        }
        return try Frame([.int("user_id", ids), .float("risk", risk), .int("tenure_days", tenure), .float("spend", spend),
                          .bool("opt_out", opt), Column(name: "plan", data: .category(codes: plan, levels: ["basic", "plus", "pro"]))])
    }

    static func tenRules() -> RuleSet {
        var rs = RuleSet()
        rs.tiers = Tiers(scoreColumn: "risk", thresholds: [("high", 0.7), ("medium", 0.4)])
        rs.suppressColumn = "opt_out"
        let c = Expr.col
        let specs: [(String, Expr, Int, RuleBudget, Double)] = [
            ("r1", (c("risk") >= 0.9) & (c("tenure_days") > 30), 10, RuleBudget(maxUsers: 50_000), 0.1),
            ("r2", (c("risk") >= 0.85) & (c("spend") > 100), 9, RuleBudget(maxCost: 200_000), 0.1),
            ("r3", (c("risk") >= 0.8) & c("plan").eq("pro"), 8, RuleBudget(), 0.1),
            ("r4", (c("risk") >= 0.75) & (c("tenure_days") < 60), 7, RuleBudget(), 0.05),
            ("r5", (c("risk") >= 0.7) & c("plan").eq("plus"), 6, RuleBudget(maxUsers: 20_000), 0.1),
            ("r6", (c("risk") >= 0.6) & (c("spend") * 2 > 150), 5, RuleBudget(), 0.1),
            ("r7", (c("risk") >= 0.5) & (c("tenure_days") > 365), 4, RuleBudget(), 0),
            ("r8", (c("risk") >= 0.4) & c("plan").eq("basic"), 3, RuleBudget(), 0.1),
            ("r9", (c("risk") >= 0.3) | (c("spend") > 190), 2, RuleBudget(), 0),
            ("r10", c("tenure_days") < 10, 1, RuleBudget(), 0),
        ]
        rs.rules = specs.map { Rule(name: $0.0, condition: .expr($0.1), action: RuleAction(channel: "ch\($0.2 % 3)", cost: 2),
                                    priority: $0.2, budget: $0.3, holdout: $0.4) }
        return rs
    }

    func testBenchTenRulesOneMillionUsers() throws {
        guard ProcessInfo.processInfo.environment["CHURNLAB_BENCH"] != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        let f = try Self.users(1_000_000)
        let rs = Self.tenRules()
        let asOf = Int32(DateText.days(year: 2024, month: 10, day: 1))
        var best = Double.infinity
        var decided = 0
        for _ in 0..<5 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let d = try RuleEngine.evaluate(f, rules: rs, asOf: asOf)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            decided = d.count
        }
        print(String(format: "BENCH churnlab 10 rules x 1,000,000 users (evaluate)   %8.3f s   decisions=%d", best, decided))
        var bestFrame = Double.infinity
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let d = try RuleEngine.evaluate(f, rules: rs, asOf: asOf)
            _ = try d.toFrame()
            bestFrame = min(bestFrame, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        print(String(format: "BENCH churnlab 10 rules x 1,000,000 users (+ decisions frame with messages) %8.3f s", bestFrame))
    }
}
