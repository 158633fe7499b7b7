/// Cox PH under the common model interface (kind "cox"): model files, the
/// kind registry, cross-validation and permutation importance (metric:
/// concordance) go through `ChurnModel` / `SurvivalChurnModel`. It is fitted on
/// durations and events, so the 0/1 `fit` and `predictProba` refuse with a
/// pointer to what to call instead.
extension CoxPHModel: SurvivalChurnModel {
    public static func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]?, eval: EvalSet?,
                           options: Options, progress: ProgressCallback?) throws -> CoxPHModel {
        throw SurvivalError.invalid("cox models are fitted on durations and events: fit(frame, {duration =, event =})")
    }

    public static func checkOptions(_ o: Options) throws {
        guard o.penalizer.isFinite, o.penalizer >= 0 else { throw SurvivalError.invalid("cox: penalizer must be finite and >= 0, got \(o.penalizer)") }
        guard o.l1Ratio >= 0, o.l1Ratio <= 1 else { throw SurvivalError.invalid("cox: l1_ratio must be in [0, 1], got \(o.l1Ratio)") }
        guard o.maxIterations >= 1 else { throw SurvivalError.invalid("cox: max_iter must be >= 1") }
    }

    public func predictProba(_ X: FeatureMatrix) throws -> [Double] {
        throw SurvivalError.invalid("cox models predict hazards and survival, not a probability: use predict_survival, predict_partial_hazard or predict_median")
    }

    /// The log partial hazard (x − x̄)β: higher = the event sooner.
    public func predictRisk(_ X: FeatureMatrix) throws -> [Double] { try logPartialHazard(X).eta }

    /// The columns read: the covariates, then the strata.
    public var featureNames: [String] { design?.inputNames ?? features }

    public var inputFeatures: [ModelMetadata.Feature] {
        guard let d = design else { return features.map { ModelMetadata.Feature(name: $0, type: .numeric) } }
        return d.inputs.map { ModelMetadata.Feature(name: $0.name, type: $0.levels == nil ? .numeric : .categorical, levels: $0.levels) }
            + d.strata.map { ModelMetadata.Feature(name: $0, type: .categorical) }
    }

    /// Text columns are matched to the fit-time levels by value here (an unseen level is reported by name).
    public var recodesCategoricals: Bool { false }

    public var storageBytes: Int {
        8 * (coef.count * (coef.count + 4) + baselines.reduce(0) { $0 + 3 * $1.times.count }) + 256
    }

    public var parameters: ParamSet {
        ["ties": .string(ties.rawValue), "penalizer": .double(penalizer), "l1_ratio": .double(l1Ratio), "robust": .bool(robust ?? false)]
    }

    public var summaryText: String { printSummary() }

}
