import ChurnCore
import LuaRuntime

/// `cl.policy.evaluate`: off-policy evaluation of a policy from logs.
enum EvaluateBinding {
    static func register(_ m: ModuleBuilder) {
        m.function("evaluate", "evaluate(logs, policy, {method = 'dr', reward = 'reward', action = 'action', propensity = 'propensity', features =, model = 'ridge', ridge = 1, folds = 1, q =, tau =, bootstrap = 200, level = 0.95, seed =})",
                   "Off-policy value of `policy` from logged decisions (one row each: context, `action` name, the `propensity` it was chosen with, `reward`). method: 'ips', 'snips', 'dm', 'dr' or 'switch_dr' (DR's correction only where the weight ≤ tau; formulas as Open Bandit Pipeline). dm/dr/switch_dr need a reward model of reward on `features`: model = 'ridge' (default: one ridge regression per action, ridge > 0) or 'logistic' (0/1 rewards: one L2 logistic regression on features ⊕ a one-hot of the action, scikit-learn's objective with C = 1/ridge — what obp's RegressionModel(LogisticRegression()) fits); folds (1…100, default 1) > 1 cross-fits it (seeded shuffle, KFold fold sizes: each row's q̂ from a model fitted on the other folds); or `q`, a frame of q_<action> predictions for the log's rows. Returns {value, lower, upper (percentile bootstrap, `bootstrap` 0…100000 resamples, seeded), se, ess (effective sample size (Σw)²/Σw²), n, max_weight, unsupported (target mass on actions the logging policy never takes, when the log has p_<action> columns), warnings = {…}}. tau >= 0, level in (0, 1).") { c in
            let o = try c.options(3)
            try o.checkKeys(PolicyObject.logKeys.union(["method", "features", "ridge", "q", "tau", "bootstrap", "level", "seed", "model", "folds"]))
            let pol = try c.object(2, PolicyObject.self)
            let acts = pol.policy.actions
            let logs = try PolicyObject.logs(c, frame: 1, options: o, actions: acts)
            var s = OffPolicyEvaluation.Settings()
            if let name = try o.string("method") {
                guard let mm = OffPolicyEvaluation.Method(rawValue: name) else {
                    throw LuaArgumentError(3, "field 'method': expected 'ips', 'snips', 'dm', 'dr' or 'switch_dr', got '\(name)'")
                }
                s.method = mm
            }
            var rm = RewardModel.Settings()
            if let model = try o.string("model") {
                guard let kind = RewardModel.Kind(rawValue: model) else {
                    throw LuaArgumentError(3, "field 'model': expected 'ridge' or 'logistic', got '\(model)' (give `q =` for other reward models)")
                }
                rm.kind = kind
            }
            rm.folds = try o.integer("folds", in: 1...RewardModel.maxFolds) ?? 1
            s.tau = try o.number("tau", in: .nonNegative) ?? .infinity
            s.bootstrap = try o.integer("bootstrap", in: 0...100_000) ?? 200
            s.level = try o.number("level", in: .open(0, 1)) ?? 0.95
            s.seed = try o.seed()
            rm.lambda = try o.number("ridge", in: .positive) ?? 1
            rm.seed = s.seed
            let features = try o.strings("features")
            var q: [Double]? = nil
            var warnings: [String] = []
            if o.has("q") {
                q = try readQ(c, o, actions: acts, n: logs.count)
            } else if s.method != .ips && s.method != .snips {
                guard let features else {
                    throw LuaArgumentError(3, "method '\(s.method.rawValue)' needs a reward model: give features = {…} (model = 'ridge' or 'logistic') or q = <frame of q_<action> columns>")
                }
                let (qq, missing) = try c.core { () -> ([Double], [String]) in
                    let enc = try ContextEncoder(features: features)
                    let X = try enc.encode(logs.context)
                    return try RewardModel.predict(logs, design: X, d: enc.dimension, rm)
                }
                q = qq
                if !missing.isEmpty { warnings.append("no logged rows for \(missing.joined(separator: ", ")): the reward model predicts 0 for them") }
            }
            let pi = try c.core { try pol.policy.probabilities(logs.context) }
            let r = try c.core { try OffPolicyEvaluation.evaluate(logs, target: pi, q: q, s) }
            let t = c.newTable(record: 12)
            t.set("method", r.method.rawValue)
            t.set("value", r.value); t.set("lower", r.lower); t.set("upper", r.upper)
            t.set("se", r.standardError); t.set("ess", r.effectiveSampleSize); t.set("n", r.n)
            t.set("max_weight", r.maxWeight)
            if let u = r.unsupportedMass { t.set("unsupported", u) }
            t.set("warnings", .table((warnings + r.warnings).enumerated().map { (key: .integer(Int64($0.offset + 1)), value: .string($0.element)) }))
            return 1
        }
    }

    /// `q =`: a frame with a q_<action> column per action, one row per log row.
    static func readQ(_ c: LuaCall, _ o: LuaTable, actions: [String], n: Int) throws -> [Double] {
        _ = o.push("q")
        defer { c.state.pop() }
        let f = try c.frame(-1)
        guard f.nrow == n else { throw LuaArgumentError(3, "field 'q': \(f.nrow) rows, the log has \(n)") }
        let k = actions.count
        var q = [Double](repeating: 0, count: n * k)
        for (a, name) in actions.enumerated() {
            guard let col = f.columnIfPresent("q_" + name) else { throw LuaArgumentError(3, "field 'q': no column 'q_\(name)'") }
            guard let v = col.toDoubles() else { throw LuaArgumentError(3, "field 'q': column 'q_\(name)' must be numeric") }
            for i in 0..<n { q[i * k + a] = v[i] }
        }
        return q
    }
}
