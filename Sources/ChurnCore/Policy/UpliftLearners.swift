/// How an uplift policy estimates P(outcome | x, a) for every action: the meta-learners of
/// Künzel et al. (2019), each fitting any binary model kind through a `FitFunction`.
public protocol ActionOutcomeModel {
    /// Row-major n × K estimates of P(outcome | x, a).
    func outcomes(_ X: FeatureMatrix, actions K: Int) throws -> [Double]
    /// "T-learner" or "X-learner", for summaries.
    var name: String { get }
}

/// T-learner: one model per action, each fitted on the logged rows that took it.
public struct TLearnerOutcomes: ActionOutcomeModel {
    public let models: [any BinaryClassifier]
    public var name: String { "T-learner" }

    public static func fit(_ X: FeatureMatrix, outcome y: [Double], taken: [Int], actions: [String], weights: [Double]?,
                           fit: FitFunction) throws -> TLearnerOutcomes {
        TLearnerOutcomes(models: try UpliftPolicy.fitModels(X, outcome: y, taken: taken, actions: actions, weights: weights, fit: fit))
    }

    public func outcomes(_ X: FeatureMatrix, actions K: Int) throws -> [Double] {
        let n = X.nrow
        var q = [Double](repeating: 0, count: n * K)
        for a in 0..<K {
            let p = try models[a].predictProba(X)
            for i in 0..<n { q[i * K + a] = p[i] }
        }
        return q
    }
}

/// X-learner (Künzel et al. 2019), action 0 the reference ("none"), each other action a against it:
///
/// 1. μ₀, μ_a: the T-learner's models (rows that took 0, rows that took a).
/// 2. Imputed effects: D = Y − μ₀(x) on the rows that took a, D = μ_a(x) − Y on the rows that
///    took 0; τ₁ is fitted to D on the a-rows, τ₀ on the 0-rows.
/// 3. τ_a(x) = g(x)·τ₀(x) + (1 − g(x))·τ₁(x), g(x) = P(a | x, a or 0) fitted on those rows,
///    so each arm's effect model is trusted where the *other* arm is rare (it was fitted on the
///    many rows there). P(outcome | x, a) = μ₀(x) + τ_a(x).
///
/// Any binary model kind fits the effects: D ∈ [−1, 1] for a 0/1 outcome, and a classifier
/// fitted with log-loss on the soft label (1 + D)/2 — each row given twice, label 1 with weight
/// (1 + D)/2 and label 0 with weight (1 − D)/2 — estimates E[(1 + D)/2 | x] (log-loss is a
/// proper scoring rule), so τ = 2p − 1.
public struct XLearnerOutcomes: ActionOutcomeModel {
    public let base: [any BinaryClassifier]
    /// Per action a ≥ 1 (index a − 1): τ₀ (fitted on the reference rows), τ₁ (on the a-rows), g.
    public let effects: [(control: any BinaryClassifier, treated: any BinaryClassifier, share: any BinaryClassifier)]
    public var name: String { "X-learner" }

    public static func fit(_ X: FeatureMatrix, outcome y: [Double], taken: [Int], actions: [String], weights: [Double]?,
                           fit: FitFunction) throws -> XLearnerOutcomes {
        let base = try UpliftPolicy.fitModels(X, outcome: y, taken: taken, actions: actions, weights: weights, fit: fit)
        let ref = (0..<X.nrow).filter { taken[$0] == 0 }
        let Xref = X.take(ref)
        let mu0 = try base[0].predictProba(X)
        var effects: [(control: any BinaryClassifier, treated: any BinaryClassifier, share: any BinaryClassifier)] = []
        for a in 1..<actions.count {
            try ExecutionContext.check()
            let rows = (0..<X.nrow).filter { taken[$0] == a }
            let muA = try base[a].predictProba(Xref)
            let dControl = ref.enumerated().map { k, i in muA[k] - y[i] }
            let dTreated = rows.map { y[$0] - mu0[$0] }
            let w0 = weights.map { w in ref.map { w[$0] } }, w1 = weights.map { w in rows.map { w[$0] } }
            let tau0 = try SoftLabel.fit(Xref, d: dControl, weights: w0, fit: fit, what: "X-learner effect of '\(actions[a])' on '\(actions[0])' rows")
            let tau1 = try SoftLabel.fit(X.take(rows), d: dTreated, weights: w1, fit: fit, what: "X-learner effect of '\(actions[a])' on its rows")
            let both = ref + rows
            let share = try fit(X.take(both), both.map { taken[$0] == a ? 1 : 0 }, weights.map { w in both.map { w[$0] } })
            effects.append((tau0, tau1, share))
        }
        return XLearnerOutcomes(base: base, effects: effects)
    }

    public func outcomes(_ X: FeatureMatrix, actions K: Int) throws -> [Double] {
        let n = X.nrow
        let mu0 = try base[0].predictProba(X)
        var q = [Double](repeating: 0, count: n * K)
        for i in 0..<n { q[i * K] = mu0[i] }
        for a in 1..<K {
            let e = effects[a - 1]
            let t0 = try e.control.predictProba(X), t1 = try e.treated.predictProba(X), g = try e.share.predictProba(X)
            for i in 0..<n {
                let tau = g[i] * (2 * t0[i] - 1) + (1 - g[i]) * (2 * t1[i] - 1)
                q[i * K + a] = mu0[i] + tau
            }
        }
        return q
    }
}

/// Regression of a bounded target D ∈ [−1, 1] with any binary classifier (see `XLearnerOutcomes`).
enum SoftLabel {
    static func fit(_ X: FeatureMatrix, d: [Double], weights: [Double]?, fit: FitFunction, what: String) throws -> any BinaryClassifier {
        var rows: [Int] = [], labels: [Double] = [], w: [Double] = []
        for (i, v) in d.enumerated() {
            guard v.isFinite, v >= -1 - 1e-9, v <= 1 + 1e-9 else { throw FrameError.invalid("\(what): imputed effect \(v) at row \(i + 1) is outside [-1, 1]") }
            let base = weights?[i] ?? 1
            let up = base * (1 + v) / 2, down = base * (1 - v) / 2
            if up > 0 { rows.append(i); labels.append(1); w.append(up) }
            if down > 0 { rows.append(i); labels.append(0); w.append(down) }
        }
        guard labels.contains(1), labels.contains(0) else {
            throw FrameError.invalid("\(what): every imputed effect is \(d.first ?? 0); the effect model needs varying outcomes")
        }
        return try fit(X.take(rows), labels, w)
    }
}
