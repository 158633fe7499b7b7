/// Treatment-vs-control retention per rule and tier after the horizon.
public struct RuleEffectRow: Sendable {
    public var rule: String
    /// "" = all tiers of the rule.
    public var tier: String
    public var treated: Int
    public var treatedRetained: Int
    public var control: Int
    public var controlRetained: Int
    public var treatedRate: Double
    public var controlRate: Double
    /// Absolute lift (treated − control retention) = uplift estimate of the rule.
    public var lift: Double
    /// lift / control rate.
    public var relativeLift: Double
    public var lower: Double
    public var upper: Double
    public var pValue: Double
    public var cost: Double
    /// cost / (lift × treated): what one additionally retained user cost (NaN when lift ≤ 0).
    public var costPerRetained: Double
}

public struct RuleEffectReport: Sendable {
    public var rows: [RuleEffectRow]
    /// Decisions whose user had no outcome (left out).
    public var missingOutcomes: Int

    public func toFrame() throws -> Frame {
        try Frame([
            .string("rule", rows.map(\.rule)), .string("tier", rows.map(\.tier)),
            .int("treated", rows.map { Int64($0.treated) }), .int("treated_retained", rows.map { Int64($0.treatedRetained) }),
            .int("control", rows.map { Int64($0.control) }), .int("control_retained", rows.map { Int64($0.controlRetained) }),
            .float("treated_rate", rows.map(\.treatedRate)), .float("control_rate", rows.map(\.controlRate)),
            .float("lift", rows.map(\.lift)), .float("relative_lift", rows.map(\.relativeLift)),
            .float("ci_lower", rows.map(\.lower)), .float("ci_upper", rows.map(\.upper)), .float("p_value", rows.map(\.pValue)),
            .float("cost", rows.map(\.cost)), .float("cost_per_retained", rows.map(\.costPerRetained)),
        ])
    }
}

public enum RuleEffect {
    /// One logged decision as the effect analysis needs it.
    public struct Decision: Sendable {
        public var user: String, rule: String, tier: String, control: Bool, cost: Double
        /// The decision's as-of (days since epoch) and outcome horizon, for a dated `OutcomeTable`.
        public var asOfDay: Int32, horizonDays: Int?
        public init(user: String, rule: String, tier: String, control: Bool, cost: Double, asOfDay: Int32 = 0, horizonDays: Int? = nil) {
            self.user = user; self.rule = rule; self.tier = tier; self.control = control; self.cost = cost
            self.asOfDay = asOfDay; self.horizonDays = horizonDays
        }
    }

    /// Retention outcomes from a frame, one per user (see `OutcomeTable` for the rules).
    public static func outcomes(_ frame: Frame, userColumn: String = "user_id") throws -> [String: Bool] {
        try OutcomeTable(frame, userColumn: userColumn).byUser
    }

    /// Per rule (tier "") and per rule × tier, with a pooled two-proportion z-test and a Wald interval.
    public static func report(_ decisions: [Decision], outcomes: [String: Bool], level: Double = 0.95) throws -> RuleEffectReport {
        try report(decisions, outcome: { outcomes[$0.user] }, level: level)
    }

    /// The same, joining outcomes by user and horizon.
    public static func report(_ decisions: [Decision], outcomes: OutcomeTable, level: Double = 0.95) throws -> RuleEffectReport {
        try report(decisions, outcome: { outcomes.outcome(user: $0.user, asOfDay: $0.asOfDay, horizonDays: $0.horizonDays) }, level: level)
    }

    static func report(_ decisions: [Decision], outcome: (Decision) -> Bool?, level: Double) throws -> RuleEffectReport {
        struct Acc { var nt = 0, rt = 0, nc = 0, rc = 0, cost = 0.0 }
        var keys: [String] = []
        var acc: [String: Acc] = [:]
        var missing = 0
        for d in decisions {
            guard let kept = outcome(d) else { missing += 1; continue }
            for tier in d.tier.isEmpty ? [""] : ["", d.tier] {
                let key = d.rule + "\u{1F}" + tier
                if acc[key] == nil { keys.append(key); acc[key] = Acc() }
                if d.control { acc[key]!.nc += 1; acc[key]!.rc += kept ? 1 : 0 }
                else { acc[key]!.nt += 1; acc[key]!.rt += kept ? 1 : 0; acc[key]!.cost += d.cost }
            }
        }
        var rows: [RuleEffectRow] = []
        for key in keys.sorted() {
            let a = acc[key]!
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            let pt = a.nt > 0 ? Double(a.rt) / Double(a.nt) : .nan
            let pc = a.nc > 0 ? Double(a.rc) / Double(a.nc) : .nan
            var lift = pt - pc, lo = Double.nan, hi = Double.nan, p = Double.nan, rel = pc > 0 ? (pt - pc) / pc : .nan
            if a.nt > 0 && a.nc > 0 {
                let z = try Stats.twoProportionZTest(successes1: Double(a.rt), trials1: Double(a.nt),
                                                     successes2: Double(a.rc), trials2: Double(a.nc), level: level)
                lift = z.difference; lo = z.lower; hi = z.upper; p = z.pValue; rel = z.relativeDifference
            }
            let incremental = lift * Double(a.nt)
            rows.append(RuleEffectRow(rule: String(parts[0]), tier: String(parts[1]), treated: a.nt, treatedRetained: a.rt,
                                      control: a.nc, controlRetained: a.rc, treatedRate: pt, controlRate: pc, lift: lift,
                                      relativeLift: rel, lower: lo, upper: hi, pValue: p, cost: a.cost,
                                      costPerRetained: incremental > 0 ? a.cost / incremental : .nan))
        }
        return RuleEffectReport(rows: rows, missingOutcomes: missing)
    }
}
