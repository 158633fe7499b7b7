/// `DecisionTree` under the common model interface (`ChurnModel`).
extension DecisionTree: ChurnModel {
    public static let kind = "tree"
    public static var importanceTypes: [String] { TreeImportanceTypes.all }

    public static func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]?, eval: EvalSet?,
                           options: DecisionTreeOptions, progress: ProgressCallback?) throws -> DecisionTree {
        try fit(X, y, weights: weights, options: options)
    }

    public static func checkOptions(_ options: DecisionTreeOptions) throws { try options.validate() }

    public var inputFeatures: [ModelMetadata.Feature] { schema.modelFeatures }
    public func explanation(_ X: FeatureMatrix) throws -> ModelExplanation? { ModelExplanation(try explain(X) as TreeExplanation) }
    public var baseValue: Double? { expectedValue }
    public func featureImportance(_ type: String?) throws -> [Double]? { importance(try TreeImportanceTypes.parse(type)) }
    public var storageBytes: Int { tree.storageBytes }
    public var summaryText: String { description }
}
