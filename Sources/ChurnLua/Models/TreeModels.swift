import CLua
import ChurnCore
import Foundation
import LuaRuntime

/// A tree model as Lua holds it (`cl.TreeModel`): its kind and options until
/// `fit`, then the fitted core model and how the target was coded.
final class TreeModelObject: LuaObject {
    static let luaTypeName = "cl.TreeModel"

    enum Fitted {
        case tree(DecisionTree), forest(RandomForest), gbdt(GradientBoosting)

        var classifier: BinaryClassifier {
            switch self { case .tree(let m): return m; case .forest(let m): return m; case .gbdt(let m): return m }
        }
        /// Bytes the fitted trees hold, charged to the script's memory budget while Lua holds the model.
        var storageBytes: Int {
            switch self {
            case .tree(let m): return m.tree.storageBytes
            case .forest(let m): return m.trees.reduce(0) { $0 &+ $1.storageBytes }
            case .gbdt(let m): return m.trees.reduce(0) { $0 &+ $1.storageBytes }
            }
        }
        var schema: TreeInputSchema {
            switch self { case .tree(let m): return m.schema; case .forest(let m): return m.schema; case .gbdt(let m): return m.schema }
        }
        func explain(_ X: FeatureMatrix) throws -> TreeExplanation {
            switch self { case .tree(let m): return try m.explain(X); case .forest(let m): return try m.explain(X); case .gbdt(let m): return try m.explain(X) }
        }
        var expectedValue: Double {
            switch self { case .tree(let m): return m.expectedValue; case .forest(let m): return m.expectedValue; case .gbdt(let m): return m.expectedValue }
        }
        func importance(_ kind: TreeImportanceKind) -> [Double] {
            switch self {
            case .tree(let m): return m.importance(kind); case .forest(let m): return m.importance(kind)
            case .gbdt(let m): return m.importance(kind)
            }
        }
    }

    let kind: String
    var tree = DecisionTreeOptions()
    var forest = RandomForestOptions()
    var gbdt = GradientBoostingOptions()
    /// Print a progress line every `verbose` iterations (GBDT; 0 = quiet).
    var verbose = 0
    /// The options table as given, for `m:params()`.
    var params: [String: LuaValue] = [:]
    var fitted: Fitted?
    /// A loaded model is charged for its trees when pushed; `fit` re-charges (see `LuaCall.recharge`).
    var memoryFootprint: Int { fitted?.storageBytes ?? 0 }
    var target: (name: String, positive: String, negative: String, inferred: Bool)?
    /// Feature names, types and levels, target and labels: saved with the model.
    var metadata: ModelMetadata?

    init(kind: String) { self.kind = kind }

    /// Fits this kind with these options (no Lua involved: model selection
    /// calls it from worker threads).
    func fitCore(_ X: FeatureMatrix, _ y: [Double], weights: [Double]?, eval: EvalSet?) throws -> Fitted {
        switch kind {
        case "tree": return .tree(try DecisionTree.fit(X, y, weights: weights, options: tree))
        case "forest": return .forest(try RandomForest.fit(X, y, weights: weights, options: forest))
        default:
            let every = verbose
            let log: ((BoostingProgress) -> Void)? = every > 0 ? { p in
                if (p.iteration + 1) % every == 0 || p.iteration + 1 == p.totalIterations {
                    var line = String(format: "[%d/%d] train logloss %.6f", p.iteration + 1, p.totalIterations, p.trainLoss)
                    if let e = p.evalLoss { line += String(format: "  eval logloss %.6f", e) }
                    print(line)
                    fflush(stdout)   // one line at a time even when stdout is a file or a pipe (block-buffered)
                }
            } : nil
            return .gbdt(try GradientBoosting.fit(X, y, weights: weights, evalSet: eval, options: gbdt, progress: log))
        }
    }
}

extension TreeModelObject: LuaModelSpec {
    /// A fit function for model selection: this model's options with `params` overriding them.
    func fitFunction(_ params: ParamSet) throws -> FitFunction {
        let spec = TreeModelObject(kind: kind)
        var values = self.params
        for (k, v) in params {
            guard TreeModels.optionKeys[kind]!.contains(k) else {
                throw LuaScriptError("\(kind): unknown parameter '\(k)' (known: \(TreeModels.optionKeys[kind]!.sorted().joined(separator: ", ")))")
            }
            values[k] = v.luaValue
        }
        try TreeModels.configure(spec, from: ValueOptions(values: values, owner: kind))
        spec.verbose = 0
        return { X, y, w in try spec.fitCore(X, y, weights: w, eval: nil).classifier }
    }
}

/// `cl.model.tree`, `cl.model.forest`, `cl.model.gbdt` and the `cl.TreeModel` methods.
enum TreeModels {
    /// Ranges of the tree options (stated in the help texts below).
    enum Ranges {
        static let treeDepth = 0...OptionLimits.depth
        static let minSamplesSplit = 2...OptionLimits.size
        static let maxBins = 2...255
        static let leaves = 2...131_072
    }

    static func register(_ cl: ModuleBuilder) {
        cl.state.register(TreeModelObject.self, LuaClass(methods: methods, metamethods: [
            "__tostring": { c in c.push(describe(try c.object(1, TreeModelObject.self))) },
        ]))
        cl.submodule("model", "Models: fit, predict, explain.") { m in
            m.function("tree", "model.tree{criterion =, max_depth =, min_samples_split =, min_samples_leaf =, max_features =, class_weight =, max_bins = 255, seed =}",
                       "A CART decision tree (gini or entropy), with native categorical splits and missing values. Ranges: " + treeRanges) { c in
                try make(c, "tree")
            }
            m.function("forest", "model.forest{n_trees = 100, max_depth =, min_samples_leaf =, max_features = 'sqrt', bootstrap = true, class_weight =, seed =}",
                       "A random forest of CART trees built in parallel, with an out-of-bag AUC and accuracy. Ranges: n_trees 1…100000, sample_fraction (0, 1], " + treeRanges) { c in
                try make(c, "forest")
            }
            m.function("gbdt", "model.gbdt{trees = 100, learning_rate = 0.1, leaves = 31, max_depth =, min_data_in_leaf = 20, ...}",
                       "Histogram gradient-boosted trees (LightGBM-style); early stopping on fit's eval_set with early_stopping_rounds; verbose = n logs every n iterations. " +
                       "Ranges: trees and early_stopping_rounds 1…100000, learning_rate, bagging_fraction and feature_fraction (0, 1], leaves 2…131072, max_depth 1…10000, " +
                       "min_data_in_leaf, min_data_per_group and max_cat_threshold 1…2^31, min_child_weight, lambda_l2, min_gain_to_split, cat_smooth and cat_l2 finite >= 0, " +
                       "max_bins 2…255, verbose 0…100000, seed >= 0.") { c in
                try make(c, "gbdt")
            }
        }
    }

    static let treeRanges = "max_depth 0…10000, min_samples_split 2…2^31, min_samples_leaf 1…2^31, " +
        "max_features 'sqrt' | 'log2' | 'all' | a fraction in (0, 1) | a count 1…2^31, class_weight 'balanced' or {w0, w1} finite >= 0, max_bins 2…255, seed >= 0."

    /// Option keys each kind accepts (the constructor and grid search alike).
    static let optionKeys: [String: Set<String>] = [
        "tree": ["criterion", "max_depth", "min_samples_split", "min_samples_leaf", "max_features", "class_weight", "max_bins", "seed"],
        "forest": ["n_trees", "criterion", "max_depth", "min_samples_split", "min_samples_leaf", "max_features",
                   "bootstrap", "sample_fraction", "class_weight", "oob_score", "max_bins", "seed"],
        "gbdt": ["trees", "learning_rate", "leaves", "max_depth", "min_data_in_leaf", "min_child_weight",
                 "lambda_l2", "min_gain_to_split", "bagging_fraction", "feature_fraction", "max_bins",
                 "cat_smooth", "cat_l2", "min_data_per_group", "max_cat_threshold",
                 "early_stopping_rounds", "verbose", "seed"],
    ]

    private static func make(_ c: LuaCall, _ kind: String) throws -> Int32 {
        let o = try c.options(1)
        try o.checkKeys(optionKeys[kind]!)
        let m = TreeModelObject(kind: kind)
        for k in o.stringKeys { m.params[k] = o.value(k) }
        try configure(m, from: o)
        return c.push(object: m)
    }

    /// Reads `m`'s options for its kind from `o` (an option table or a parameter set).
    static func configure(_ m: TreeModelObject, from o: OptionSource) throws {
        let kind = m.kind
        let seed = try o.integer("seed", in: OptionRange.seed).map { UInt64($0) } ?? GlobalSeed.value
        switch kind {
        case "tree", "forest":
            var t = DecisionTreeOptions()
            if let s = try o.string("criterion") {
                guard let cr = TreeCriterion(rawValue: s) else { throw LuaArgumentError(1, "field 'criterion': 'gini' or 'entropy' expected, got '\(s)'") }
                t.criterion = cr
            }
            t.maxDepth = try o.integer("max_depth", in: Ranges.treeDepth)
            t.minSamplesSplit = try o.integer("min_samples_split", in: Ranges.minSamplesSplit) ?? 2
            t.minSamplesLeaf = try o.integer("min_samples_leaf", in: OptionRange.positiveSize) ?? 1
            t.maxFeatures = try maxFeatures(o, default: kind == "tree" ? .all : .sqrt)
            t.classWeight = try classWeight(o)
            t.maxBins = try o.integer("max_bins", in: Ranges.maxBins) ?? 255
            t.seed = seed
            if kind == "tree" { m.tree = t } else {
                var f = RandomForestOptions()
                f.nTrees = try o.integer("n_trees", in: OptionRange.trees) ?? 100
                f.criterion = t.criterion; f.maxDepth = t.maxDepth; f.minSamplesSplit = t.minSamplesSplit
                f.minSamplesLeaf = t.minSamplesLeaf; f.maxFeatures = t.maxFeatures; f.classWeight = t.classWeight
                f.bootstrap = try o.bool("bootstrap") ?? true
                f.sampleFraction = try o.number("sample_fraction", in: .fraction)
                f.oobScore = try o.bool("oob_score") ?? true
                f.maxBins = t.maxBins; f.seed = seed
                m.forest = f
            }
        default:
            var g = GradientBoostingOptions()
            g.nIterations = try o.integer("trees", in: OptionRange.trees) ?? g.nIterations
            g.learningRate = try o.number("learning_rate", in: .fraction) ?? g.learningRate
            g.numLeaves = try o.integer("leaves", in: Ranges.leaves) ?? g.numLeaves
            g.maxDepth = try o.integer("max_depth", in: 1...OptionLimits.depth)
            g.minDataInLeaf = try o.integer("min_data_in_leaf", in: OptionRange.positiveSize) ?? g.minDataInLeaf
            g.minChildWeight = try o.number("min_child_weight", in: .nonNegative) ?? g.minChildWeight
            g.lambdaL2 = try o.number("lambda_l2", in: .nonNegative) ?? g.lambdaL2
            g.minGainToSplit = try o.number("min_gain_to_split", in: .nonNegative) ?? g.minGainToSplit
            g.baggingFraction = try o.number("bagging_fraction", in: .fraction) ?? g.baggingFraction
            g.featureFraction = try o.number("feature_fraction", in: .fraction) ?? g.featureFraction
            g.maxBins = try o.integer("max_bins", in: Ranges.maxBins) ?? g.maxBins
            g.catSmooth = try o.number("cat_smooth", in: .nonNegative) ?? g.catSmooth
            g.catL2 = try o.number("cat_l2", in: .nonNegative) ?? g.catL2
            g.minDataPerGroup = try o.integer("min_data_per_group", in: OptionRange.positiveSize) ?? g.minDataPerGroup
            g.maxCatThreshold = try o.integer("max_cat_threshold", in: OptionRange.positiveSize) ?? g.maxCatThreshold
            g.earlyStoppingRounds = try o.integer("early_stopping_rounds", in: OptionRange.trees)
            g.seed = seed
            m.gbdt = g
            m.verbose = try o.integer("verbose", in: 0...OptionLimits.trees) ?? 0
        }
    }

    private static func maxFeatures(_ o: OptionSource, default d: MaxFeatures) throws -> MaxFeatures {
        if let s = try? o.string("max_features") {
            switch s {
            case "sqrt": return .sqrt
            case "log2": return .log2
            case "all": return .all
            default: throw LuaArgumentError(1, "field 'max_features': 'sqrt', 'log2', 'all' or a number expected, got '\(s)'")
            }
        }
        // A fraction in (0, 1) or a whole count up to 2^31 (math.huge used to trap in Int(x)).
        guard let x = try o.number("max_features", in: .openClosed(0, Double(OptionLimits.size))) else { return d }
        if x < 1 { return .fraction(x) }
        guard let n = Int(exactly: x) else {
            throw LuaArgumentError(1, "field 'max_features': a fraction in (0, 1) or a whole count in 1...\(OptionLimits.size) expected, got \(LuaValue.format(x))")
        }
        return .count(n)
    }

    private static func classWeight(_ o: OptionSource) throws -> ClassWeight {
        if let s = try? o.string("class_weight") {
            guard s == "balanced" else { throw LuaArgumentError(1, "field 'class_weight': 'balanced' or {w0, w1} expected, got '\(s)'") }
            return .balanced
        }
        guard let w = try o.numbers("class_weight") else { return .none }
        guard w.count == 2, w.allSatisfy({ NumberRange.nonNegative.contains($0) }) else {
            throw LuaArgumentError(1, "field 'class_weight': {negative_weight, positive_weight} of finite numbers >= 0 expected")
        }
        return .custom(negative: w[0], positive: w[1])
    }

    private static func fittedModel(_ c: LuaCall) throws -> (TreeModelObject, TreeModelObject.Fitted) {
        let m = try c.object(1, TreeModelObject.self)
        guard let f = m.fitted else { throw LuaScriptError("this \(m.kind) model is not fitted yet: call m:fit(frame, {target = ...}) first") }
        return (m, f)
    }

    /// The model's features of `frame`, coded like at fit time.
    /// The model's features of `frame`: through its preprocessing pipeline,
    /// categorical levels coded as at fit time.
    private static func features(_ c: LuaCall, _ m: TreeModelObject, _ i: Int32) throws -> FeatureMatrix {
        let frame = try c.frame(i)
        return try c.core { try m.metadata!.featureMatrix(from: frame) }
    }

    static let methods: [String: LuaFunction] = [
        "fit": { c in
            let m = try c.object(1, TreeModelObject.self)
            let frame = try c.frame(2)
            let o = try c.options(3)
            try o.checkKeys(FitInputs.keys.union(["eval_set"]))
            let inputs = try FitInputs(c, frame: frame, options: o, argument: 3)
            var eval: EvalSet? = nil
            if o.has("eval_set") {
                guard m.kind == "gbdt" else { throw LuaArgumentError(3, "field 'eval_set': only gbdt models use an eval set") }
                eval = try inputs.evalSet(c, frame: try evalFrame(c, o))
            }
            let fitted = try c.core { try m.fitCore(inputs.X, inputs.target.y, weights: inputs.weights, eval: eval) }
            try c.recharge(1, to: fitted.storageBytes)   // before the model changes: a refusal leaves it as it was
            let t = inputs.target
            m.fitted = fitted
            m.target = (inputs.targetName, t.positiveLabel, t.negativeLabel, t.positiveWasInferred)
            var meta = ModelMetadata(
                features: inputs.X.names.enumerated().map { k, name in
                    fitted.schema.isCategorical[k]
                        ? .init(name: name, type: .categorical, levels: fitted.schema.levels[k])
                        : .init(name: name, type: .numeric)
                },
                target: inputs.targetName, positiveLabel: t.positiveLabel, negativeLabel: t.negativeLabel,
                extra: ["positive_inferred": t.positiveWasInferred ? "true" : "false"])
            try inputs.attachPrep(to: &meta)
            m.metadata = meta
            lua_pushvalue(c.L, 1)
            return 1
        },
        "save": { c in
            let (m, f) = try fittedModel(c)
            try c.withOutputFile(try c.pathArgument(2)) { path in
                try c.core {
                    switch f {
                    case .tree(let model): try ModelFile.write(kind: m.kind, payload: model, metadata: m.metadata!, to: path)
                    case .forest(let model): try ModelFile.write(kind: m.kind, payload: model, metadata: m.metadata!, to: path)
                    case .gbdt(let model): try ModelFile.write(kind: m.kind, payload: model, metadata: m.metadata!, to: path)
                    }
                }
            }
            return 0
        },
        "predict_proba": { c in
            let (m, f) = try fittedModel(c)
            let X = try features(c, m, 2)
            let p = try c.core { try f.classifier.predictProba(X) }
            return c.push(column: .float("proba", p))
        },
        "predict": { c in
            let (m, f) = try fittedModel(c)
            let X = try features(c, m, 2)
            let o = try c.options(3)
            try o.checkKeys(["threshold"])
            let th = try o.number("threshold", in: OptionRange.threshold) ?? 0.5
            let p = try c.core { try f.classifier.predictProba(X) }
            let t = m.target!
            return c.push(column: .string("prediction", p.map { $0 >= th ? t.positive : t.negative }))
        },
        "explain": { c in
            let (m, f) = try fittedModel(c)
            let frame = try c.core { try m.metadata!.preprocess(try c.frame(2)) }   // values as the model saw them
            let X = try features(c, m, 2)
            let o = try c.options(3)
            try o.checkKeys(["top"])
            let top = try o.integer("top", in: OptionRange.positiveSize) ?? 3
            let e = try c.core { try f.explain(X) }
            let cols = try X.names.map { name in try c.core { try frame.column(name) } }
            let k = min(top, X.names.count)
            var row: [Int64] = [], rank: [Int64] = [], feat: [String?] = [], value: [String?] = [], contrib: [Double] = []
            for r in 0..<X.nrow {
                let phi = e.row(r)
                let order = phi.indices.sorted { abs(phi[$0]) != abs(phi[$1]) ? abs(phi[$0]) > abs(phi[$1]) : $0 < $1 }
                for (i, j) in order.prefix(k).enumerated() {
                    row.append(Int64(r + 1)); rank.append(Int64(i + 1)); feat.append(X.names[j])
                    value.append(cols[j].isNull(r) ? nil : (cols[j].string(at: r) ?? cols[j].double(at: r).map { "\($0)" }))
                    contrib.append(phi[j])
                }
            }
            return c.push(frame: try c.core { try Frame([.int("row", row), .int("rank", rank), .string("feature", feat),
                                                         .string("value", value), .float("contribution", contrib)]) })
        },
        "expected_value": { c in
            let (_, f) = try fittedModel(c)
            return c.push(f.expectedValue)
        },
        "importance": { c in
            let (_, f) = try fittedModel(c)
            let o = try c.options(2)
            try o.checkKeys(["kind"])
            let s = try o.string("kind") ?? "gain"
            guard let kind = TreeImportanceKind(rawValue: s) else { throw LuaArgumentError(2, "field 'kind': 'gain' or 'split' expected, got '\(s)'") }
            let v = f.importance(kind), names = f.schema.names
            let order = v.indices.sorted { v[$0] != v[$1] ? v[$0] > v[$1] : $0 < $1 }
            return c.push(frame: try c.core { try Frame([.string("feature", order.map { names[$0] }), .float("importance", order.map { v[$0] })]) })
        },
        "params": { c in
            let m = try c.object(1, TreeModelObject.self)
            return c.push(LuaValue.table(m.params.map { (LuaValue.string($0.key), $0.value) }))
        },
        "oob_score": { c in
            let (_, f) = try fittedModel(c)
            guard case .forest(let rf) = f else { throw LuaScriptError("oob_score is for forest models") }
            c.push(rf.oobAUC); c.push(rf.oobAccuracy)
            return 2
        },
        "best_iteration": { c in
            let (_, f) = try fittedModel(c)
            guard case .gbdt(let g) = f else { throw LuaScriptError("best_iteration is for gbdt models") }
            return c.push(g.bestIteration.map { Double($0 + 1) })
        },
    ]

    private static func evalFrame(_ c: LuaCall, _ o: LuaTable) throws -> Frame {
        _ = o.push("eval_set")
        defer { lua_settop(c.L, -2) }
        guard c.isObject(-1, FrameObject.self) else { throw LuaArgumentError(3, "field 'eval_set': cl.Frame expected") }
        return try c.object(-1, FrameObject.self).frame
    }

    static func describe(_ m: TreeModelObject) -> String {
        guard let f = m.fitted, let t = m.target else { return "cl.TreeModel \(m.kind) (not fitted)" }
        let core: String
        switch f { case .tree(let x): core = "\(x)"; case .forest(let x): core = "\(x)"; case .gbdt(let x): core = "\(x)" }
        return "cl.TreeModel \(core); target '\(t.name)', positive = '\(t.positive)'" + (t.inferred ? " (minority class)" : "")
    }
}
