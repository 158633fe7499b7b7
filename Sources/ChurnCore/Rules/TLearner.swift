/// Two-model ("T-learner") uplift: one churn model fitted on users who got the
/// offer, one on the control group. A user's uplift is how much the offer
/// lowers their churn probability:
///
///     uplift(x) = P(churn | x, control) − P(churn | x, treated)
///
/// Positive uplift means the offer helps; ranking by it targets the users an
/// intervention changes, rather than those who churn regardless.
public struct TLearner {
    public let treatedModel: any BinaryClassifier
    public let controlModel: any BinaryClassifier

    /// Fits both models with `fit` (any model kind). `treated[i]` says whether
    /// row i got the offer; `y` is churn (1) or not (0).
    public static func fit(_ X: FeatureMatrix, churn y: [Double], treated: [Bool], weights: [Double]? = nil,
                           fit: FitFunction) throws -> TLearner {
        guard treated.count == X.nrow, y.count == X.nrow else {
            throw FrameError.invalid("T-learner: \(X.nrow) rows but \(y.count) labels and \(treated.count) treatment flags")
        }
        let t = (0..<X.nrow).filter { treated[$0] }, c = (0..<X.nrow).filter { !treated[$0] }
        for (name, rows) in [("treatment", t), ("control", c)] {
            let churned = rows.reduce(0.0) { $0 + y[$1] }
            guard !rows.isEmpty, churned > 0, churned < Double(rows.count) else {
                throw FrameError.invalid("T-learner: the \(name) group needs both churned and retained users " +
                                         "(\(rows.count) rows, \(Int(churned)) churned)")
            }
        }
        func part(_ rows: [Int]) throws -> any BinaryClassifier {
            try fit(X.take(rows), rows.map { y[$0] }, weights.map { w in rows.map { w[$0] } })
        }
        return TLearner(treatedModel: try part(t), controlModel: try part(c))
    }

    /// Uplift per row of `X`.
    public func uplift(_ X: FeatureMatrix) throws -> [Double] {
        let pc = try controlModel.predictProba(X), pt = try treatedModel.predictProba(X)
        return zip(pc, pt).map { $0 - $1 }
    }
}
