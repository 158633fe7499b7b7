import Foundation

/// A fitted Q-function: Q(x, a) for every row of a feature matrix, row-major n × K.
public protocol QFunction {
    func values(_ X: FeatureMatrix) throws -> [Double]
}

/// Fitted-Q iteration with any regressor (Ernst, Geurts & Wehenkel 2005, who used tree
/// ensembles): Q_{k+1}(·, a) is a regression, on the transitions that took a, of
/// r + γ·(1 − done)·max_b Q_k(x′, b). Unlike the linear version (`QLearning.fittedLinear`)
/// nothing is factored once — every iteration refits — but a tree ensemble captures a
/// Q-function that is not linear in the features (thresholds, interactions).
public enum FittedQ {
    /// Fits a regressor to targets and returns its predictor.
    public typealias Regressor = (FeatureMatrix, [Double]) throws -> (FeatureMatrix) throws -> [Double]

    /// The per-action predictors of the last iteration.
    public struct Model: QFunction {
        public let perAction: [(FeatureMatrix) throws -> [Double]]
        /// Iterations run, and the largest change of max_b Q(x′, b) in the last one.
        public let iterations: Int
        public let lastChange: Double

        public func values(_ X: FeatureMatrix) throws -> [Double] {
            let n = X.nrow, K = perAction.count
            var q = [Double](repeating: 0, count: n * K)
            for a in 0..<K {
                let v = try perAction[a](X)
                for i in 0..<n { q[i * K + a] = v[i] }
            }
            return q
        }
    }

    /// `X` and `Xnext`: the features of each transition's state and next state (same columns).
    /// Every action needs transitions; stops when the largest change of a bootstrapped target
    /// is below `tolerance` or after `iterations`.
    public static func fit(_ t: Transitions, X: FeatureMatrix, Xnext: FeatureMatrix, actions K: Int, discount: Double,
                           iterations: Int = 50, tolerance: Double = 1e-4, regressor: Regressor) throws -> Model {
        let n = t.count
        guard X.nrow == n, Xnext.nrow == n, t.actions.count == n, t.rewards.count == n, t.done.count == n else {
            throw FrameError.invalid("fitted_q: \(n) transitions but \(X.nrow) state rows and \(Xnext.nrow) next-state rows")
        }
        try QLearning.checkCommon(discount: discount, epochs: iterations)
        guard tolerance >= 0, tolerance.isFinite else { throw FrameError.invalid("fitted_q: tolerance must be finite >= 0") }
        var rows = [[Int]](repeating: [], count: K)
        for i in 0..<n {
            guard (0..<K).contains(t.actions[i]) else { throw FrameError.invalid("fitted_q: action out of range at row \(i + 1)") }
            guard t.rewards[i].isFinite else { throw FrameError.invalid("fitted_q: reward at row \(i + 1) is not finite") }
            rows[t.actions[i]].append(i)
        }
        for a in 0..<K where rows[a].isEmpty { throw FrameError.invalid("fitted_q: action \(a + 1) has no transitions") }
        let parts = rows.map { X.take($0) }
        var nextMax = [Double](repeating: 0, count: n)
        var predictors: [(FeatureMatrix) throws -> [Double]] = []
        var change = Double.infinity, done = 0
        for _ in 0..<iterations {
            try ExecutionContext.check()
            predictors = try (0..<K).map { a in
                try regressor(parts[a], rows[a].map { i in t.rewards[i] + (t.done[i] ? 0 : discount * nextMax[i]) })
            }
            let q = try Model(perAction: predictors, iterations: 0, lastChange: 0).values(Xnext)
            change = 0
            for i in 0..<n {
                var m = -Double.infinity
                for a in 0..<K { m = max(m, q[i * K + a]) }
                change = max(change, abs(m - nextMax[i]))
                nextMax[i] = m
            }
            done += 1
            if change < tolerance { break }
        }
        return Model(perAction: predictors, iterations: done, lastChange: change)
    }

    /// A GBDT regressor (squared error) with these options, for `fit`.
    public static func gbdt(_ options: GradientBoostingOptions) -> Regressor {
        var o = options
        o.objective = .regression
        return { X, y in
            let m = try GradientBoosting.fit(X, y, options: o)
            return { try m.predictRaw($0) }
        }
    }
}

/// The greedy policy of a fitted Q-function over context features.
public final class FittedQPolicy: DecisionPolicy {
    public let actions: [String]
    public let q: any QFunction
    public let features: [String]
    public let discount: Double
    public let label: String
    let matrix: (Frame) throws -> FeatureMatrix

    public init(actions: [String], q: any QFunction, features: [String], discount: Double, label: String,
                matrix: @escaping (Frame) throws -> FeatureMatrix) {
        self.actions = actions; self.q = q; self.features = features; self.discount = discount; self.label = label; self.matrix = matrix
    }

    public func values(_ frame: Frame) throws -> [Double] { try q.values(try matrix(frame)) }

    public func probabilities(_ frame: Frame) throws -> [Double] {
        let v = try values(frame)
        let k = actions.count, n = frame.nrow
        var p = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            var best = 0
            for a in 1..<k where v[i * k + a] > v[i * k + best] { best = a }
            p[i * k + best] = 1
        }
        return p
    }

    public var contextColumns: [String] { features }
    public var summary: String { "fitted-Q (\(label)) over \(actions.count) actions, \(features.count) features, γ = \(discount)" }
}
