import CLua
import ChurnCore
import LuaRuntime

/// What `m:fit` and model selection read from a frame: features, target, weights.
/// The target is coded for the model's target kind (`TargetKind`: binary,
/// continuous, multiclass — a new kind is a case there, not a change here).
struct FitInputs {
    static let keys: Set<String> = ["target", "features", "exclude", "weight", "positive", "prep", "duration", "event"]
    let X: FeatureMatrix
    let target: ModelTarget
    let targetName: String
    /// The target column's type (predictions come back in it).
    let targetType: DType
    /// Survival kinds: durations and events (`duration =`, `event =`); `target` then holds the row numbers.
    let survival: SurvivalTarget?
    let weightName: String?
    let weights: [Double]?
    /// The `prep` pipeline fitted on the training frame (saved with the model).
    let prep: PrepPipeline?
    /// The pipeline before fitting and the frame before it, so model selection
    /// can fit the pipeline on each fold's training rows (`foldData`).
    private let unfittedPrep: PrepPipeline?
    private let rawFrame: Frame
    /// Features named by `features =`, else nil (every column not in `excluded`).
    private let explicitFeatures: [String]?
    private let excluded: Set<String>

    /// `alsoExclude`: columns that are never features (e.g. the treatment flag of an uplift model).
    /// `kind`: the target the model fits (its spec's `targetKind`).
    init(_ c: LuaCall, frame rawFrame: Frame, options o: LuaTable, argument: Int32, alsoExclude: [String] = [],
         kind: TargetKind = .binary) throws {
        var frame = rawFrame
        if o.push("prep") != LUA_TNIL {
            let idx = lua_absindex(c.L, -1)
            guard c.isObject(idx, PrepObject.self) else {
                throw LuaArgumentError(argument, "field 'prep': a cl.prep step or pipeline expected, got \(c.typeName(idx))")
            }
            var p = try c.object(idx, PrepObject.self).pipeline   // a copy: the caller's object stays as it was
            unfittedPrep = p
            frame = try c.core { try p.fitTransform(rawFrame) }
            prep = p
        } else {
            prep = nil
            unfittedPrep = nil
        }
        self.rawFrame = rawFrame
        lua_settop(c.L, -2)
        let survival = try SurvivalInputs.target(c, frame: frame, options: o, argument: argument)
        self.survival = survival
        guard let target = try o.string("target") ?? survival?.durationName else {
            throw LuaArgumentError(argument, "field 'target' is required (\(kind.expects))")
        }
        let weightName = try o.string("weight")
        if o.has("features") && o.has("exclude") {
            throw LuaArgumentError(argument, "give either 'features' or 'exclude', not both")
        }
        let exclude = Set((try o.strings("exclude") ?? []) + [target] + (weightName.map { [$0] } ?? []) + alsoExclude
                          + (survival?.eventName.map { [$0] } ?? []))
        explicitFeatures = try o.strings("features")
        excluded = exclude
        let features = explicitFeatures ?? frame.names.filter { !exclude.contains($0) }
        guard !features.isEmpty else { throw LuaArgumentError(argument, "no feature columns left to fit on") }
        let positive = try o.string("positive")
        if positive != nil && kind != .binary {
            throw LuaArgumentError(argument, "field 'positive' is for binary targets; this model fits a \(kind.rawValue) target")
        }
        (X, self.target, weights, targetType) = try c.core {
            let column = try frame.column(target)
            let y = try survival.map { ModelTarget(survivalRows: $0.count) } ?? ModelTarget(column: column, kind: kind, positive: positive)
            let X = try FeatureMatrix(frame: frame, columns: features)
            let w = try weightName.map { name -> [Double] in
                let col = try frame.column(name)
                guard let v = col.toDoubles() else { throw FrameError.typeMismatch(column: name, expected: "numeric weights", got: col.dtype) }
                return v
            }
            return (X, y, w, column.dtype == .category ? .string : column.dtype)
        }
        targetName = target
        self.weightName = weightName
    }

    /// Per-fold matrices for model selection when a `prep` pipeline is given: the
    /// pipeline is fitted on the fold's training rows only and applied to its
    /// test rows (fitting it once on every row would leak test statistics — a
    /// scaler's mean, an encoder's levels — into each fold). nil without `prep`.
    var foldData: FoldData? {
        guard let unfittedPrep else { return nil }
        let raw = rawFrame, explicit = explicitFeatures, excluded = excluded
        return { split in
            var p = unfittedPrep
            let train = try p.fitTransform(raw.take(rows: split.train))
            let test = try p.transform(raw.take(rows: split.test))
            let names = explicit ?? train.names.filter { !excluded.contains($0) }
            let Xtrain = try FeatureMatrix(frame: train, columns: names)
            return (Xtrain, try FeatureMatrix(frame: test, columns: names, levels: Xtrain.categoricalLevels))
        }
    }

    /// What the model file records for a model fitted on these inputs: its
    /// features, the target coding and type, and the fitted pipeline.
    func metadata(for model: any ChurnModel) throws -> ModelMetadata {
        if let survival { return try SurvivalInputs.metadata(model, survival, prep: prep) }
        var meta = model.metadata(target: target.binary, targetName: targetName)
        if let b = target.binary { meta.extra["positive_inferred"] = b.positiveWasInferred ? "true" : "false" }
        meta.extra[ModelMetadata.targetTypeKey] = targetType.rawValue
        meta.setTarget(kind: target.kind, classes: target.classes)
        if let prep { try meta.attach(prep) }
        return meta
    }

    /// The same features of another frame: through the fitted pipeline, categorical
    /// levels coded as in the training data.
    func matrix(_ frame: Frame) throws -> FeatureMatrix {
        let f = try prep?.transform(frame) ?? frame
        return try FeatureMatrix(frame: f, columns: X.names, levels: X.categoricalLevels)
    }

    /// The same features, target coding and weights read from another frame
    /// (an eval set), with categorical levels as in the training data.
    func evalSet(_ c: LuaCall, frame rawFrame: Frame) throws -> EvalSet {
        try c.core {
            let frame = try prep?.transform(rawFrame) ?? rawFrame
            return EvalSet(X: try FeatureMatrix(frame: frame, columns: X.names, levels: X.categoricalLevels),
                    y: try ModelTarget(column: frame.column(targetName), like: target).y,
                    weights: try weightName.map { try frame.column($0).toDoubles() ?? [] })
        }
    }
}

