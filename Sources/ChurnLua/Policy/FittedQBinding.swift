import CLua
import ChurnCore
import LuaRuntime

/// `cl.policy.fitted_q(model, transitions, {…})`: fitted-Q iteration over context features,
/// with a linear Q per action or any regression model kind (a GBDT).
enum FittedQBinding {
    /// Q(x, a) = θ_a · (1, x) over numeric features (the linear fitted-Q's coefficients).
    struct LinearQ: QFunction {
        let theta: [Double]
        let d: Int, K: Int
        func values(_ X: FeatureMatrix) throws -> [Double] {
            let n = X.nrow
            let cols: [[Double]] = try X.features.enumerated().map { j, f in
                guard case .numeric(let v) = f else { throw FrameError.invalid("fitted_q: linear Q needs numeric features ('\(X.names[j])' is text)") }
                return v
            }
            var q = [Double](repeating: 0, count: n * K)
            for i in 0..<n {
                for a in 0..<K {
                    var s = theta[a * d]
                    for j in 0..<cols.count { s += theta[a * d + 1 + j] * cols[j][i] }
                    q[i * K + a] = s
                }
            }
            return q
        }
    }

    static func register(_ m: ModuleBuilder) {
        m.function("fitted_q", "fitted_q(model, transitions, {actions =, features =, next = 'next_', action = 'action', reward = 'reward', done =, discount = 0.9, iterations = 50, tolerance = 1e-4, ridge = 1})",
                   "Fitted-Q iteration (Ernst et al. 2005) from multi-period transitions: one row per (state features, action, reward, next-state features `next`..feature, optional done 0/1). Each iteration regresses r + discount·(1 − done)·max_b Q(x′, b) on the state features, per action. model: 'linear' (ridge per action on numeric features, design factored once) or a regression model of any kind, e.g. cl.model.gbdt{objective = 'regression'} (refitted every iteration; captures non-linear Q). Returns the greedy policy (a cl.Policy deciding on `features`); policy:q_values(frame) gives Q. discount in [0, 1), iterations 1…1000000, tolerance >= 0, ridge > 0.") { c in
            let linear = c.luaType(1) == LUA_TSTRING
            if linear {
                let s = try c.string(1)
                guard s == "linear" else { throw LuaArgumentError(1, "model: expected 'linear' or a regression model (e.g. cl.model.gbdt{objective = 'regression'}), got '\(s)'") }
            }
            let spec = linear ? nil : try SelectionModule.spec(c, 1).spec(overriding: [:])
            if let spec, spec.targetKind != .continuous {
                throw LuaArgumentError(1, "model: fitted_q regresses Q-values, so it needs a regression model (e.g. cl.model.gbdt{objective = 'regression'}); this \(spec.kind) model fits a \(spec.targetKind.rawValue) target")
            }
            let f = try c.frame(2)
            let o = try c.options(3)
            try o.checkKeys(["actions", "features", "next", "action", "reward", "done", "discount", "iterations", "tolerance", "ridge"])
            let acts = try PolicyModule.actions(o)
            guard let features = try o.strings("features"), !features.isEmpty else {
                throw LuaArgumentError(3, "field 'features' is required: the state columns (with next-state columns next_<feature>)")
            }
            let prefix = try o.string("next") ?? "next_"
            let discount = try o.number("discount", in: .closedOpen(0, 1)) ?? 0.9
            let iterations = try o.integer("iterations", in: 1...1_000_000) ?? 50
            let tolerance = try o.number("tolerance", in: .nonNegative) ?? 1e-4
            let ridge = try o.number("ridge", in: .positive) ?? 1
            let action = try o.string("action") ?? "action", reward = try o.string("reward") ?? "reward"
            let done = try o.string("done")
            let p = try c.core { () -> FittedQPolicy in
                let X = try FeatureMatrix(frame: f, columns: features)
                let levels = X.categoricalLevels
                let nextFrame = try Frame(try features.map { name -> Column in
                    guard let col = f.columnIfPresent(prefix + name) else {
                        throw FrameError.invalid("fitted_q: transitions have no next-state column '\(prefix + name)' for feature '\(name)'")
                    }
                    return Column(name: name, data: col.data, validity: col.validity)
                })
                let Xn = try FeatureMatrix(frame: nextFrame, columns: features, levels: levels)
                for (name, v) in zip(features, X.features + Xn.features) {
                    if case .numeric(let x) = v, let i = x.firstIndex(where: { !$0.isFinite }) {
                        throw FrameError.invalid("fitted_q: feature '\(name)' (or its next-state column) is null or not finite at row \(i + 1)")
                    }
                }
                let ac = try f.column(action)
                var t = Transitions(states: [], actions: [], rewards: [], nextStates: [], done: [])
                guard let r = try f.column(reward).toDoubles() else { throw FrameError.invalid("fitted_q: column '\(reward)' must be numeric") }
                t.rewards = r
                let dc = try done.map { try f.column($0) }
                for i in 0..<f.nrow {
                    guard let a = ac.string(at: i), let j = acts.firstIndex(of: a) else {
                        throw FrameError.invalid("fitted_q: action at row \(i + 1) is not one of \(acts.joined(separator: ", "))")
                    }
                    t.actions.append(j); t.states.append(i); t.nextStates.append(i)
                    t.done.append((dc?.double(at: i) ?? 0) != 0)
                }
                let q: any QFunction
                if let spec {
                    q = try FittedQ.fit(t, X: X, Xnext: Xn, actions: acts.count, discount: discount, iterations: iterations, tolerance: tolerance) { Xa, y in
                        let model = try spec.fit(Xa, y)
                        return { try model.predictValues($0) }
                    }
                } else {
                    func design(_ m: FeatureMatrix) throws -> [Double] {
                        let cols = try m.features.enumerated().map { j, v -> [Double] in
                            guard case .numeric(let x) = v else { throw FrameError.invalid("fitted_q: 'linear' needs numeric features ('\(m.names[j])' is text); use a GBDT") }
                            return x
                        }
                        var out = [Double](repeating: 1, count: m.nrow * (cols.count + 1))
                        for i in 0..<m.nrow { for j in 0..<cols.count { out[i * (cols.count + 1) + 1 + j] = cols[j][i] } }
                        return out
                    }
                    let d = features.count + 1
                    let theta = try QLearning.fittedLinear(t, X: try design(X), Xnext: try design(Xn), d: d, actions: acts.count,
                                                           discount: discount, ridge: ridge, iterations: iterations, tolerance: tolerance)
                    q = LinearQ(theta: theta, d: d, K: acts.count)
                }
                return FittedQPolicy(actions: acts, q: q, features: features, discount: discount, label: spec?.kind ?? "linear") { frame in
                    try FeatureMatrix(frame: frame, columns: features, levels: levels)
                }
            }
            return c.push(object: PolicyObject(p, kind: "fitted_q"))
        }
    }
}
