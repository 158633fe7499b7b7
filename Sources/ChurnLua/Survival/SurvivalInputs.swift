import ChurnCore
import LuaRuntime

/// The survival target of model fitting and selection: `duration =` and
/// `event =` instead of `target =` for survival kinds (Cox). `FitInputs` reads
/// it; the common fit, `cross_validate` (metric: concordance) and
/// `permutation_importance` use the helpers here, so they name no kind.
enum SurvivalInputs {
    /// The durations and events named in a fit's options, or nil when `duration` is absent.
    static func target(_ c: LuaCall, frame: Frame, options o: LuaTable, argument: Int32) throws -> SurvivalTarget? {
        guard let duration = try o.string("duration") else {
            if o.has("event") { throw LuaArgumentError(argument, "field 'event' needs duration = (the duration column)") }
            return nil
        }
        if o.has("target") { throw LuaArgumentError(argument, "give either 'target' (0/1 models) or 'duration' and 'event' (survival models), not both") }
        if o.has("positive") { throw LuaArgumentError(argument, "field 'positive' is for 0/1 targets; survival models read event = (1 = the event, 0 = censored)") }
        let event = try o.string("event")
        return try c.core { try SurvivalTarget(frame, duration: duration, event: event) }
    }

    /// Fits `spec` on the inputs' target: durations and events for survival kinds, else the 0/1 target.
    static func fit(_ spec: ModelSpec, _ inputs: FitInputs, eval: EvalSet? = nil, progress: ProgressCallback? = nil) throws -> any ChurnModel {
        switch (spec.fitsSurvival, inputs.survival) {
        case (true, let y?): return try spec.fit(inputs.X, survival: y, weights: inputs.weights)
        case (true, nil): throw LuaScriptError("\(spec.kind) models are fitted on durations and events: give duration = and event =, not target =")
        case (false, _?): throw LuaScriptError("\(spec.kind) models are fitted on a 0/1 target: give target =, not duration =")
        case (false, nil): return try spec.fit(inputs.X, inputs.target.y, weights: inputs.weights, eval: eval, progress: progress)
        }
    }

    /// The model file's metadata for a survival fit: inputs, duration as target, event, pipeline.
    static func metadata(_ model: any ChurnModel, _ y: SurvivalTarget, prep: PrepPipeline?) throws -> ModelMetadata {
        var meta = ModelMetadata(features: model.inputFeatures, target: y.durationName,
                                 extra: ["event": y.eventName ?? "", "target_kind": "survival"])
        if let prep { try meta.attach(prep) }
        return meta
    }

    /// Selection on a survival target: the fit function, the concordance metric
    /// (the only one; a name other than 'concordance' is an error) and folds
    /// stratified on the event flag unless `splits` are given.
    static func selection(_ c: LuaCall, _ o: LuaTable, key: String = "metrics", argument: Int32, y: SurvivalTarget,
                          spec: ModelSpec) throws -> (fit: FitFunction, scores: SelectionModule.Scores) {
        guard spec.fitsSurvival else { throw LuaScriptError("\(spec.kind) models are fitted on a 0/1 target: give target =, not duration =") }
        var names: [String] = []
        switch o.value(key) {
        case .nil: names = ["concordance"]
        case .string(let s): names = [s]
        case .table(let entries):
            for (_, v) in entries {
                guard case .string(let s) = v else { throw LuaArgumentError(argument, "field '\(key)': survival models are scored by name ('concordance')") }
                names.append(s)
            }
        default: throw LuaArgumentError(argument, "field '\(key)': survival models are scored by name ('concordance')")
        }
        for n in names where !SurvivalTarget.metricNames.contains(n) {
            throw LuaArgumentError(argument, "field '\(key)': survival models are scored with 'concordance', not '\(n)'")
        }
        return (y.fitFunction(spec), SelectionModule.Scores(list: names.map { ($0, y.concordance) }, parallel: true))
    }

    /// The survival target of a fitted survival model's training columns read
    /// from another frame (permutation importance), nil for other models.
    static func evaluationTarget(_ c: LuaCall, _ model: any ChurnModel, _ meta: ModelMetadata, frame: Frame, options o: LuaTable) throws -> SurvivalTarget? {
        guard model is any SurvivalChurnModel else { return nil }
        guard let duration = try o.string("duration") ?? meta.target else { throw LuaArgumentError(3, "field 'duration' is required") }
        let event = try o.string("event") ?? meta.extra["event"].flatMap { $0.isEmpty ? nil : $0 }
        return try c.core { try SurvivalTarget(try meta.preprocess(frame), duration: duration, event: event) }
    }
}

extension SurvivalInputs {
    /// The selection fit function of `spec` on the inputs' target (survival or 0/1).
    static func fitFunction(_ spec: ModelSpec, _ inputs: FitInputs) -> FitFunction {
        inputs.survival?.fitFunction(spec) ?? spec.fitFunction
    }

    /// k-fold splits stratified on the event flag for a survival target; nil for 0/1 targets
    /// (selection then makes its usual folds from the target).
    static func kFold(_ c: LuaCall, _ inputs: FitInputs, k: Int, stratify: Bool, seed: UInt64) throws -> [CVSplit]? {
        guard let y = inputs.survival else { return nil }
        return try c.core { try y.kFold(k: k, stratify: stratify, seed: seed) }
    }

    /// Permutation importance of a fitted survival model on `frame` (metric:
    /// concordance of the risk score), or nil for other models.
    static func importance(_ c: LuaCall, _ model: any ChurnModel, _ meta: ModelMetadata, frame: Frame,
                                      options o: LuaTable) throws -> PermutationImportance? {
        guard let y = try evaluationTarget(c, model, meta, frame: frame, options: o) else { return nil }
        if o.has("target") || o.has("positive") { throw LuaArgumentError(3, "survival models are scored on duration = and event =, not target =") }
        if let m = try o.string("metric"), m != "concordance" { throw LuaArgumentError(3, "field 'metric': survival models are scored with 'concordance', not '\(m)'") }
        let repeats = try o.integer("repeats", in: OptionRange.resamples) ?? 5
        let seed = try o.seed()
        let hib = try o.bool("higher_is_better") ?? true
        return try c.core {
            let X = try model.features(from: frame, metadata: meta)
            return try permutationImportance(model: try SurvivalScorer(model: model), X: X, y: y.rowIds, metric: y.concordance,
                                                       repeats: repeats, seed: seed, higherIsBetter: hib, parallel: true)
        }
    }
}
