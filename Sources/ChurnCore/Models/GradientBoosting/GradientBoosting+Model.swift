/// `GradientBoosting` under the common model interface (`ChurnModel`).
extension GradientBoosting: ChurnModel {
    public static let kind = "gbdt"
    public static var usesEvalSet: Bool { true }
    public static var importanceTypes: [String] { TreeImportanceTypes.all }

    public static func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]?, eval: EvalSet?,
                           options: GradientBoostingOptions, progress: ProgressCallback?) throws -> GradientBoosting {
        try fit(X, y, weights: weights, evalSet: eval, options: options, progress: progress.map { report in
            { p in report(FitProgress(step: p.iteration, total: p.totalIterations, trainLoss: p.trainLoss, evalLoss: p.evalLoss)) }
        })
    }

    public static func checkOptions(_ options: GradientBoostingOptions) throws { try options.validate() }

    public var inputFeatures: [ModelMetadata.Feature] { schema.modelFeatures }
    public func explanation(_ X: FeatureMatrix) throws -> ModelExplanation? {
        guard objective != .multiclass else {
            throw TreeModelError.invalidOption("explanations of multiclass models are not supported (one set per class); use importance or permutation_importance")
        }
        return ModelExplanation(try explain(X) as TreeExplanation)
    }
    public var baseValue: Double? { objective == .multiclass ? nil : expectedValue }
    public var targetKind: TargetKind { objective.targetKind }
    public func predictValues(_ X: FeatureMatrix) throws -> [Double] {
        guard objective == .regression else { throw TreeModelError.invalidOption("a \(objective.rawValue) model predicts classes, not values") }
        return try predictRaw(X)
    }
    public func predictClassProbabilities(_ X: FeatureMatrix) throws -> [[Double]] { try predictClassProba(X) }
    public func metricScores(_ X: FeatureMatrix) throws -> [Double] { try predict(X) }
    public func featureImportance(_ type: String?) throws -> [Double]? { importance(try TreeImportanceTypes.parse(type)) }
    public var storageBytes: Int { trees.reduce(0) { $0 &+ $1.storageBytes } }
    public var summaryText: String { summary }
}
