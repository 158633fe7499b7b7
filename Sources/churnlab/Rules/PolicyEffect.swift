import ChurnCore
import ChurnLua
import Foundation
import LuaRuntime

/// `churnlab rules effect --policy CANDIDATE.lua`: the off-policy value of a candidate policy
/// from a run's logged decisions (action, propensity, context) and their outcomes, next to
/// the holdout comparison. The candidate script returns a cl.Policy; it runs sandboxed to
/// its own directory with the given limits.
enum PolicyEffect {
    static func loadPolicy(_ path: String, timeout: Double, memoryMB: Double) throws -> (DecisionPolicy, LuaState) {
        let options = LuaOptions(limits: LuaLimits(timeout: timeout, memoryBytes: LuaLimits.megabytes(memoryMB)),
                                 sandbox: SandboxPolicy(roots: [ScriptHost.directory(of: path)]))
        let state = try ScriptHost.makeState(options: options, scriptPath: path, args: [])
        var policy: DecisionPolicy?
        state.push(function: "policy.returned") { c in
            guard c.isObject(1, PolicyObject.self) else { throw LuaScriptError("\(path) must return a cl.Policy (e.g. cl.policy.epsilon_greedy{…}), got \(c.typeName(1))") }
            policy = try c.object(1, PolicyObject.self).decisionPolicy
            return 0
        }
        try state.load(file: path)
        try state.pcall(nargs: 0, nresults: 1)
        try state.pcall(nargs: 1, nresults: 0)
        guard let policy else { throw RulesError("\(path) returned no policy") }
        return (policy, state)
    }

    /// The report lines: IPS and SNIPS from the logged propensities; DM, DR and switch-DR with a
    /// per-action ridge reward model on the logged context (numeric and text columns without
    /// nulls); bootstrap intervals, effective sample sizes and the support check from the stored
    /// action distributions (schema-3 rows).
    static func report(_ rows: [LedgerDecision], outcomes: OutcomeTable, policy: DecisionPolicy, value: Double?,
                       level: Double, seed: UInt64, tau: Double = 10) throws -> [String] {
        let (frame, noP, noO) = try DecisionLog.frame(rows.filter { $0.propensity != nil }, outcomes: outcomes,
                                                      options: DecisionLog.Options(value: value, usableOnly: true))
        let withoutP = rows.filter { $0.propensity == nil }.count + noP
        var lines: [String] = []
        let what = value.map { "reward = \(LuaValue.format($0)) × retained − cost" } ?? "reward = retained (0/1)"
        lines.append("off-policy value of the candidate (\(policy.summary)); \(what)")
        lines.append("  \(frame.nrow) logged decisions used" + (withoutP > 0 ? "; \(withoutP) without a propensity (written before ledger schema 2) left out" : "")
                     + (noO > 0 ? "; \(noO) without an outcome left out" : ""))
        guard frame.nrow > 0 else { lines.append("  nothing to evaluate"); return lines }
        let logs = try LoggedDecisions(frame: frame, actionNames: policy.actions)
        let pi = try policy.probabilities(frame)
        let loggedValue = logs.rewards.reduce(0, +) / Double(logs.count)
        lines.append("  logged policy (mean reward): \(fmt(loggedValue))")
        // Reward model: per-action ridge on the logged context (not the log's own columns).
        let fixed: Set<String> = ["run_id", "as_of", "user_id", "rule", "group", "action", "propensity", "cost", "horizon_days", "retained", "reward"]
        let features = frame.columns.filter {
            !fixed.contains($0.name) && !$0.name.hasPrefix("p_") && $0.nullCount == 0 && [.float64, .string, .category].contains($0.dtype)
        }.map(\.name)
        var q: [Double]? = nil
        if !features.isEmpty {
            let enc = try ContextEncoder(features: features)
            let X = try enc.encode(frame)
            q = try RewardModel.predict(logs, design: X, d: enc.dimension, RewardModel.Settings()).q
        }
        var s = OffPolicyEvaluation.Settings()
        s.level = level; s.seed = seed; s.tau = tau
        lines.append("  method     value      ci_lower   ci_upper   ess")
        var warnings: [String] = []
        let methods: [OffPolicyEvaluation.Method] = [.ips, .snips] + (q == nil ? [] : [.dm, .dr, .switchDR])
        for m in methods {
            s.method = m
            let r: OffPolicyEvaluation.Result
            do { r = try OffPolicyEvaluation.evaluate(logs, target: pi, q: q, s) } catch {
                // SNIPS is undefined when the candidate never takes a logged action: say so, keep the others.
                lines.append("  " + m.rawValue.padding(9) + "  n/a: \(error)"); continue
            }
            lines.append("  " + [m.rawValue.padding(9), fmt(r.value).padding(9), fmt(r.lower).padding(9), fmt(r.upper).padding(9),
                                  fmt(r.effectiveSampleSize)].joined(separator: "  "))
            for w in r.warnings where !warnings.contains(w) { warnings.append(w) }
        }
        if q == nil { lines.append("  (no context logged: DM, DR and switch-DR need a reward model, left out)") }
        else { lines.append("  (reward model: ridge per action on \(features.joined(separator: ", ")); switch_dr tau = \(LuaValue.format(tau)))") }
        if logs.loggingProbabilities == nil {
            lines.append("  support not checked: rows written before ledger schema 3 have no stored action distribution")
        } else if !warnings.contains(where: { $0.contains("leaves the logged support") }) {
            lines.append("  support: the candidate stays within the actions the logging rule could take")
        }
        lines += warnings.map { "  warning: " + $0 }
        return lines
    }

    static func fmt(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : "\(x)" }
}
