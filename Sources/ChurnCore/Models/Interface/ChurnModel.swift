/// The one interface every fitted churn model implements (logistic regression,
/// CART, random forest, GBDT, and kinds added later). Model selection,
/// permutation importance, the T-learner, reports and model files work through
/// it, so a new kind needs its own file with this conformance and nothing else
/// in the core (the binding adds one line to its kind registry).
///
/// A conformance brings: a static `kind` (the name in model files and in Lua),
/// a static `fit`, `predictProba` (from `BinaryClassifier`), a structural
/// `validate()` run on every decoded file, and `Codable` for the payload of the
/// versioned `ModelFile`. Explanations and importances are optional: the
/// default implementations say "this kind cannot".
public protocol ChurnModel: BinaryClassifier, Codable, Sendable, StructurallyValidated {
    /// The kind's own option struct (validated by `fit`, and by the binding at construction).
    associatedtype Options: Sendable

    /// Name of the kind: the model file's header `kind` and `m.kind` in Lua.
    static var kind: String { get }
    /// Whether `fit` uses an eval set (early stopping, eval loss in progress).
    static var usesEvalSet: Bool { get }
    /// Importance types `featureImportance` accepts; the first is the default. Empty: none.
    static var importanceTypes: [String] { get }

    /// Fits on `X` with 0/1 targets `y`, optional sample weights and eval set.
    /// `progress` is called after each iteration by iterative kinds.
    static func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]?, eval: EvalSet?,
                    options: Options, progress: ProgressCallback?) throws -> Self
    /// Throws on options `fit` would refuse, so a bad option fails when the model
    /// is built rather than at its first fit.
    static func checkOptions(_ options: Options) throws

    /// The features the model reads, with types and fit-time levels (saved in the model file).
    var inputFeatures: [ModelMetadata.Feature] { get }
    /// True when categorical inputs are matched to the fit-time level codes
    /// (unseen levels become missing, as trees need); false when the model maps
    /// levels by text itself (logistic regression reports unseen levels by name).
    var recodesCategoricals: Bool { get }
    /// Per-row, per-feature contributions that add up with `baseValue` to
    /// the raw prediction; nil when the kind cannot explain.
    func explanation(_ X: FeatureMatrix) throws -> ModelExplanation?
    /// The base value of `explanation` (mean raw prediction), nil when the kind cannot explain.
    var baseValue: Double? { get }
    /// One value per feature (in `featureNames` order), larger = more important;
    /// `type` one of `importanceTypes` (nil = the first). Nil when the kind has none.
    func featureImportance(_ type: String?) throws -> [Double]?
    /// Bytes the fitted model holds (charged to the script's memory budget).
    var storageBytes: Int { get }
    /// The effective options worth showing as `m:params()` (may be empty).
    var parameters: ParamSet { get }
    /// A human-readable summary (`tostring(m)`).
    var summaryText: String { get }
    /// What the fitted model predicts (binary unless the kind says otherwise).
    var targetKind: TargetKind { get }
    /// Predicted values of a `.continuous` model.
    func predictValues(_ X: FeatureMatrix) throws -> [Double]
    /// One probability column per class (class-code order) of a `.multiclass`
    /// model; a binary model gives [P(negative), P(positive)].
    func predictClassProbabilities(_ X: FeatureMatrix) throws -> [[Double]]
}

public typealias ProgressCallback = (FitProgress) -> Void

/// Progress of an iterative fit (a boosting round, an epoch).
public struct FitProgress: Sendable {
    /// 0-based step just finished, of `total`.
    public let step: Int
    public let total: Int
    public let trainLoss: Double?
    public let evalLoss: Double?
    /// Name of the loss, e.g. "logloss".
    public let lossName: String
    public init(step: Int, total: Int, trainLoss: Double?, evalLoss: Double?, lossName: String = "logloss") {
        self.step = step; self.total = total; self.trainLoss = trainLoss; self.evalLoss = evalLoss; self.lossName = lossName
    }
}

/// Additive feature contributions: for row r, `expectedValue + Σ_j contributions[j][r]`
/// is the model's raw output (log-odds or probability, see `scale`).
public struct ModelExplanation: Sendable {
    public enum Scale: String, Sendable { case probability, logOdds = "log_odds" }
    public let featureNames: [String]
    /// Column-major: one array per feature, `nrow` values each.
    public let contributions: [[Double]]
    public let expectedValue: Double
    public let scale: Scale

    public init(featureNames: [String], contributions: [[Double]], expectedValue: Double, scale: Scale) {
        self.featureNames = featureNames; self.contributions = contributions; self.expectedValue = expectedValue; self.scale = scale
    }

    public init(_ t: TreeExplanation) {
        self.init(featureNames: t.featureNames, contributions: t.contributions, expectedValue: t.expectedValue,
                  scale: t.scale == .probability ? .probability : .logOdds)
    }

    /// Contributions of row `r`, in feature order.
    public func row(_ r: Int) -> [Double] { contributions.map { $0[r] } }
}

extension ChurnModel {
    public static var usesEvalSet: Bool { false }
    public static var importanceTypes: [String] { [] }
    public static func checkOptions(_ options: Options) throws {}
    public var recodesCategoricals: Bool { true }
    public func explanation(_ X: FeatureMatrix) throws -> ModelExplanation? { nil }
    public var baseValue: Double? { nil }
    public func featureImportance(_ type: String?) throws -> [Double]? { nil }
    public var parameters: ParamSet { [:] }
    public var summaryText: String { "\(Self.kind) model on \(featureNames.count) features" }
    public var kind: String { Self.kind }
    public var targetKind: TargetKind { .binary }
    public func predictValues(_ X: FeatureMatrix) throws -> [Double] {
        throw SelectionError.invalid("\(Self.kind) models predict probabilities, not values")
    }
    public func predictClassProbabilities(_ X: FeatureMatrix) throws -> [[Double]] {
        let p = try predictProba(X)
        return [p.map { 1 - $0 }, p]
    }

    /// Writes this model to a model file (format version and checksum, see `ModelFile`).
    public func save(to path: String, metadata: ModelMetadata) throws {
        try ModelFile.write(kind: Self.kind, payload: self, metadata: metadata, to: path)
    }

    /// The model's input matrix from `frame` (its pipeline, features, categorical coding).
    public func features(from frame: Frame, metadata: ModelMetadata) throws -> FeatureMatrix {
        try metadata.featureMatrix(from: frame, recode: recodesCategoricals)
    }

    /// Metadata describing this model's inputs and target coding.
    public func metadata(target: BinaryTarget?, targetName: String?) -> ModelMetadata {
        ModelMetadata(features: inputFeatures, target: targetName, positiveLabel: target?.positiveLabel,
                      negativeLabel: target?.negativeLabel)
    }
}

/// A model kind with its options, not yet fitted: what `cl.model.gbdt{...}` holds
/// and what model selection fits per fold (from worker threads: it holds no Lua).
/// Type-erased so selection code never names a kind.
public struct ModelSpec: @unchecked Sendable {
    public let kind: String
    /// Options as `m:params()` shows them (beyond those given).
    public let parameters: ParamSet
    public let usesEvalSet: Bool
    /// The target the spec fits (binary unless the options ask otherwise, e.g. a GBDT objective).
    public let targetKind: TargetKind
    /// Threads for this model's parallel loops (nil: `Parallel.threads`).
    public var threads: Int?
    private let body: (FeatureMatrix, [Double], [Double]?, EvalSet?, ProgressCallback?) throws -> any ChurnModel
    /// Survival kinds (`SurvivalChurnModel`) fit on a time-to-event target instead; nil for the others.
    private let survivalBody: SurvivalFit?
    public var fitsSurvival: Bool { survivalBody != nil }

    /// Checks `options` (`M.checkOptions`) before anything is fitted.
    public init<M: ChurnModel>(_ type: M.Type, options: M.Options, parameters: ParamSet = [:], threads: Int? = nil,
                               targetKind: TargetKind = .binary) throws {
        try M.checkOptions(options)
        kind = M.kind
        self.targetKind = targetKind
        self.parameters = parameters
        usesEvalSet = M.usesEvalSet
        self.threads = threads
        body = { X, y, w, e, p in try M.fit(X, y, weights: w, eval: e, options: options, progress: p) }
        survivalBody = Self.survivalFit(M.self, options: options)
    }

    /// Fits the kind with these options (on `threads` threads when set).
    public func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]? = nil, eval: EvalSet? = nil,
                    progress: ProgressCallback? = nil) throws -> any ChurnModel {
        if let eval, !usesEvalSet { _ = eval; throw SelectionError.invalid("\(kind) models do not use an eval set") }
        return try Parallel.withThreads(threads) { try body(X, y, weights, eval, progress) }
    }

    /// Fits a survival kind on durations and events (on `threads` threads when set).
    public func fit(_ X: FeatureMatrix, survival y: SurvivalTarget, weights: [Double]? = nil) throws -> any ChurnModel {
        guard let survivalBody else { throw SelectionError.invalid("\(kind) models are fitted on a 0/1 target, not on durations and events") }
        return try Parallel.withThreads(threads) { try survivalBody(X, y, weights) }
    }

    /// A fit function for model selection.
    public var fitFunction: FitFunction { { X, y, w in try fit(X, y, weights: w) } }
}
