import ChurnCore
import LuaRuntime

/// The tree kinds of the registry: `cl.model.tree`, `cl.model.forest`, `cl.model.gbdt`.
enum TreeKinds {
    /// Ranges of the tree options (stated in the help texts below).
    enum Ranges {
        static let treeDepth = 0...OptionLimits.depth
        static let minSamplesSplit = 2...OptionLimits.size
        static let maxBins = 2...255
        static let leaves = 2...131_072
    }

    static let treeRanges = "max_depth 0…10000, min_samples_split 2…2^31, min_samples_leaf 1…2^31, " +
        "max_features 'sqrt' | 'log2' | 'all' | a fraction in (0, 1) | a count 1…2^31, class_weight 'balanced' or {w0, w1} finite >= 0, max_bins 2…255, seed >= 0."

    static let tree = ModelKind(
        name: "tree",
        signature: "model.tree{criterion =, max_depth =, min_samples_split =, min_samples_leaf =, max_features =, class_weight =, max_bins = 255, seed =}",
        help: "A CART decision tree (gini or entropy), with native categorical splits and missing values. Ranges: " + treeRanges,
        optionKeys: ["criterion", "max_depth", "min_samples_split", "min_samples_leaf", "max_features", "class_weight", "max_bins", "seed"],
        type: DecisionTree.self,
        parse: { o in try ModelSpec(DecisionTree.self, options: try treeOptions(o, defaultFeatures: .all)) },
        methods: structureMethods(DecisionTree.self))

    static let forest = ModelKind(
        name: "forest",
        signature: "model.forest{n_trees = 100, max_depth =, min_samples_leaf =, max_features = 'sqrt', bootstrap = true, class_weight =, seed =, threads =}",
        help: "A random forest of CART trees built in parallel, with an out-of-bag AUC and accuracy. threads = n limits this model to n threads (1…1024; default all cores, or CHURNLAB_THREADS). Ranges: n_trees 1…100000, sample_fraction (0, 1], " + treeRanges,
        optionKeys: ["n_trees", "criterion", "max_depth", "min_samples_split", "min_samples_leaf", "max_features",
                     "bootstrap", "sample_fraction", "class_weight", "oob_score", "max_bins", "seed", "threads"],
        type: RandomForest.self,
        parse: { o in
            let t = try treeOptions(o, defaultFeatures: .sqrt)
            var f = RandomForestOptions()
            f.nTrees = try o.integer("n_trees", in: OptionRange.trees) ?? 100
            f.criterion = t.criterion; f.maxDepth = t.maxDepth; f.minSamplesSplit = t.minSamplesSplit
            f.minSamplesLeaf = t.minSamplesLeaf; f.maxFeatures = t.maxFeatures; f.classWeight = t.classWeight
            f.bootstrap = try o.bool("bootstrap") ?? true
            f.sampleFraction = try o.number("sample_fraction", in: .fraction)
            f.oobScore = try o.bool("oob_score") ?? true
            f.maxBins = t.maxBins; f.seed = t.seed
            return try ModelSpec(RandomForest.self, options: f)
        },
        methods: [
            "oob_score": KindMethod(signature: "model:oob_score()", help: "Out-of-bag AUC and accuracy (forests).") { c, m in
                let rf = try m.fittedAs(RandomForest.self)
                c.push(rf.oobAUC); c.push(rf.oobAccuracy)
                return 2
            },
        ].merging(structureMethods(RandomForest.self)) { a, _ in a })

    static let gbdt = ModelKind(
        name: "gbdt",
        signature: "model.gbdt{objective = 'binary', trees = 100, learning_rate = 0.1, leaves = 31, max_depth =, min_data_in_leaf = 20, ..., threads =}",
        help: "Histogram gradient-boosted trees (LightGBM-style); early stopping on fit's eval_set with early_stopping_rounds; verbose = n logs every n iterations; threads = n limits this model to n threads. " +
              "Ranges: trees and early_stopping_rounds 1…100000, learning_rate, bagging_fraction and feature_fraction (0, 1], leaves 2…131072, max_depth 1…10000, " +
              "min_data_in_leaf, min_data_per_group and max_cat_threshold 1…2^31, min_child_weight, lambda_l2, min_gain_to_split, cat_smooth and cat_l2 finite >= 0, " +
              "max_bins 2…255, verbose 0…100000, threads 1…1024, seed >= 0. " + GBDTExtraOptions.help,
        optionKeys: (["trees", "learning_rate", "leaves", "max_depth", "min_data_in_leaf", "min_child_weight",
                     "lambda_l2", "min_gain_to_split", "bagging_fraction", "feature_fraction", "max_bins",
                     "cat_smooth", "cat_l2", "min_data_per_group", "max_cat_threshold",
                     "early_stopping_rounds", "verbose", "seed", "threads"] as Set<String>).union(GBDTExtraOptions.luaKeys),
        type: GradientBoosting.self,
        parse: { o in
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
            g.seed = try seed(o)
            try GBDTExtraOptions.parse(o, into: &g)
            return try ModelSpec(GradientBoosting.self, options: g, targetKind: g.resolvedObjective.targetKind)
        },
        methods: [
            "best_iteration": KindMethod(signature: "model:best_iteration()", help: "The best boosting round under early stopping (GBDT), or nil.") { c, m in
                let g = try m.fittedAs(GradientBoosting.self)
                return c.push(g.bestIteration.map { Double($0 + 1) })
            },
        ].merging(structureMethods(GradientBoosting.self)) { a, _ in a })

    /// `m:dump()` and `m:trees()` for every tree kind (CART, forest, GBDT), from `TreeStructured`.
    static func structureMethods<M: ChurnModel & TreeStructured>(_ type: M.Type) -> [String: KindMethod] {
        [
            "dump": KindMethod(signature: "model:dump([max_trees])", help: "The trees as indented text: split rules, missing-value side, gain, cover; leaf values (log-odds or the value for gbdt, P(positive) for tree and forest). max_trees 1…100000.") { c, m in
                let g = try m.fittedAs(M.self)
                let k = try c.optInteger(2, in: 1...OptionLimits.trees)
                return c.push(g.dump(maxTrees: k))
            },
            "trees": KindMethod(signature: "model:trees()", help: "One row per node of every tree (LightGBM's trees_to_dataframe): tree, node, depth, parent, left, right, feature, decision, threshold, missing_left, value, cover, gain (1-based tree and node numbers; multiclass gbdt: tree t is class (t-1) mod K).") { c, m in
                let t = try m.fittedAs(M.self).nodeTable()
                let one: (Int) -> Int64 = { Int64($0 + 1) }
                /// A node reference (parent, children): 1-based, null where there is none (-1).
                func ref(_ name: String, _ v: [Int]) -> Column { .int(name, v.map { Int64(max($0, 0) + 1) }, nulls: v.map { $0 < 0 }) }
                return c.push(frame: try c.core { try Frame([
                    .int("tree", t.tree.map(one)), .int("node", t.node.map(one)), .int("depth", t.depth.map { Int64($0) }),
                    ref("parent", t.parent), ref("left", t.left), ref("right", t.right),
                    .string("feature", t.feature), .string("decision", t.decision), .string("threshold", t.threshold),
                    .bool("missing_left", t.missingLeft.map { $0 ?? false }, nulls: t.missingLeft.map { $0 == nil }), .float("value", t.value), .float("cover", t.cover), .float("gain", t.gain)]) })
            },
        ]
    }

    static func seed(_ o: OptionSource) throws -> UInt64 {
        try o.integer("seed", in: OptionRange.seed).map { UInt64($0) } ?? GlobalSeed.value
    }

    /// The CART options shared by trees and forests.
    static func treeOptions(_ o: OptionSource, defaultFeatures: MaxFeatures) throws -> DecisionTreeOptions {
        var t = DecisionTreeOptions()
        if let s = try o.string("criterion") {
            guard let cr = TreeCriterion(rawValue: s) else { throw LuaArgumentError(1, "field 'criterion': 'gini' or 'entropy' expected, got '\(s)'") }
            t.criterion = cr
        }
        t.maxDepth = try o.integer("max_depth", in: Ranges.treeDepth)
        t.minSamplesSplit = try o.integer("min_samples_split", in: Ranges.minSamplesSplit) ?? 2
        t.minSamplesLeaf = try o.integer("min_samples_leaf", in: OptionRange.positiveSize) ?? 1
        t.maxFeatures = try maxFeatures(o, default: defaultFeatures)
        t.classWeight = try classWeight(o)
        t.maxBins = try o.integer("max_bins", in: Ranges.maxBins) ?? 255
        t.seed = try seed(o)
        return t
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

    /// class_weight for trees and forests: the same reader as GBDT's (`GBDTExtraOptions.classWeight`).
    private static func classWeight(_ o: OptionSource) throws -> ClassWeight {
        try GBDTExtraOptions.classWeight(o) ?? .none
    }
}
