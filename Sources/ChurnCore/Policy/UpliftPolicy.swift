/// The uplift policy: argmax over actions of value × P(outcome | x, a) − cost(a), with
/// P(outcome | x, a) from a meta-learner over any model kind (`ActionOutcomeModel`): the
/// T-learner — one model per action, each fitted on the logged rows that took that action —
/// or the X-learner built on it. Comparing against action 0 ("none"), the
/// score difference is value × uplift(a) − cost(a), so the policy treats a user only when
/// the expected incremental value beats the action's cost. Deterministic (one-hot).
///
/// The per-action fits see only the rows that took the action, so they are unbiased when
/// the logging policy's choice depends on the features the models use (no hidden confounding);
/// a log from an exploring policy (`explore` > 0) gives every action rows everywhere.
public final class UpliftPolicy: DecisionPolicy {
    public let actions: [String]
    public let estimator: any ActionOutcomeModel
    public let costs: [Double]
    public let value: Double
    /// The feature matrix of a frame as the models were fitted (prep pipeline, levels).
    let matrix: (Frame) throws -> FeatureMatrix
    let features: [String]

    public init(actions: [String], estimator: any ActionOutcomeModel, costs: [Double], value: Double, features: [String],
                matrix: @escaping (Frame) throws -> FeatureMatrix) throws {
        guard costs.count == actions.count, actions.count >= 2 else {
            throw FrameError.invalid("uplift policy: \(actions.count) actions (at least 2) but \(costs.count) costs")
        }
        guard value.isFinite, costs.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw FrameError.invalid("uplift policy: value must be finite and costs finite ≥ 0")
        }
        self.actions = actions; self.estimator = estimator; self.costs = costs; self.value = value
        self.features = features; self.matrix = matrix
    }

    /// Fits one model per action on the rows that took it (`taken[i]` is 0-based). Each action
    /// needs logged rows with both outcomes, or its model would be a constant the data never tested.
    public static func fitModels(_ X: FeatureMatrix, outcome y: [Double], taken: [Int], actions: [String], weights: [Double]?,
                                 fit: FitFunction) throws -> [any BinaryClassifier] {
        guard y.count == X.nrow, taken.count == X.nrow else {
            throw FrameError.invalid("uplift policy: \(X.nrow) rows but \(y.count) outcomes and \(taken.count) actions")
        }
        var rows = [[Int]](repeating: [], count: actions.count)
        for i in 0..<X.nrow { rows[taken[i]].append(i) }
        return try actions.indices.map { a in
            try ExecutionContext.check()
            let r = rows[a]
            let positives = r.reduce(0.0) { $0 + y[$1] }
            guard !r.isEmpty, positives > 0, positives < Double(r.count) else {
                throw FrameError.invalid("uplift policy: action '\(actions[a])' needs logged rows with both outcomes (\(r.count) rows, \(Int(positives)) positive)")
            }
            return try fit(X.take(r), r.map { y[$0] }, weights.map { w in r.map { w[$0] } })
        }
    }

    /// Row-major n × K expected rewards value × P(outcome | x, a) − cost(a).
    public func expectedRewards(_ frame: Frame) throws -> [Double] {
        let k = actions.count
        var q = try estimator.outcomes(try matrix(frame), actions: k)
        for j in q.indices { q[j] = value * q[j] - costs[j % k] }
        return q
    }

    public func probabilities(_ frame: Frame) throws -> [Double] {
        let q = try expectedRewards(frame)
        let k = actions.count, n = frame.nrow
        var p = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            var best = 0
            for a in 1..<k where q[i * k + a] > q[i * k + best] { best = a }   // ties: the first (cheapest listed) action
            p[i * k + best] = 1
        }
        return p
    }

    public var contextColumns: [String] { features }

    public var summary: String {
        "\(estimator.name) uplift over \(actions.count) actions (value \(value), costs \(costs.map { "\($0)" }.joined(separator: "/")))"
    }
}
