import Foundation

/// Options of histogram gradient boosting (LightGBM's names in parentheses;
/// defaults are LightGBM's).
public struct GradientBoostingOptions: Codable, Sendable, Equatable {
    /// Boosting rounds (num_iterations).
    public var nIterations: Int = 100
    public var learningRate: Double = 0.1
    /// Maximum leaves per tree (num_leaves).
    public var numLeaves: Int = 31
    /// Maximum depth (max_depth); nil = unlimited.
    public var maxDepth: Int? = nil
    /// Minimum rows per leaf (min_data_in_leaf).
    public var minDataInLeaf: Int = 20
    /// Minimum hessian sum per leaf (min_sum_hessian_in_leaf / min_child_weight).
    public var minChildWeight: Double = 1e-3
    /// L2 regularization on leaf values (lambda_l2).
    public var lambdaL2: Double = 0
    /// Minimum gain to split (min_gain_to_split).
    public var minGainToSplit: Double = 0
    /// Fraction of rows drawn (without replacement, seeded) for each tree (bagging_fraction, bagging_freq = 1).
    public var baggingFraction: Double = 1
    /// Fraction of features drawn (seeded) for each tree (feature_fraction).
    public var featureFraction: Double = 1
    /// Bins per numeric feature, ≤ 255 (max_bin); missing values get a bin of their own.
    public var maxBins: Int = 255
    /// Categorical splits: smoothing added to the hessian when ordering levels (cat_smooth).
    public var catSmooth: Double = 10
    /// Categorical splits: extra L2 in their gain (cat_l2).
    public var catL2: Double = 10
    /// Categorical splits: a level needs this many rows to go left (min_data_per_group).
    public var minDataPerGroup: Int = 100
    /// Categorical splits: at most this many levels on the left (max_cat_threshold).
    public var maxCatThreshold: Int = 32
    /// Stop when the eval loss has not improved for this many rounds, keeping
    /// the best iteration (early_stopping_round); needs an eval set.
    public var earlyStoppingRounds: Int? = nil
    public var seed: UInt64 = GlobalSeed.value
    // The options below are optional so that model files written before they
    // existed still decode (nil = the old behaviour).
    /// Loss to minimise (objective); nil = binary log-loss.
    public var objective: GradientBoostingObjective? = nil
    /// Multiplies the gradients and hessians of positive rows (scale_pos_weight).
    /// As in LightGBM it does not move the initial score (the base rate).
    public var scalePosWeight: Double? = nil
    /// Per-class row weights ('balanced' = n / (2·n_class), or {w0, w1}); they
    /// multiply the sample weights, as LightGBM's scikit-learn `class_weight`
    /// does, so they also move the initial score.
    public var classWeight: ClassWeight? = nil
    /// Per feature: +1 the output may only rise with the feature, -1 only fall,
    /// 0 free (monotone_constraints, LightGBM's "basic" method). Numeric features only.
    public var monotoneConstraints: [Int]? = nil
    /// Classes of the multiclass objective (num_class); nil = the largest class code + 1.
    public var numClass: Int? = nil
    /// Gradient-based one-side sampling (data_sample_strategy = "goss"); nil = every row
    /// (or bagging). Binary and regression objectives; not with bagging_fraction < 1.
    public var goss: GOSSOptions? = nil

    public init() {}

    /// The objective in effect.
    public var resolvedObjective: GradientBoostingObjective { objective ?? .binary }

    func validate() throws {
        func bad(_ m: String) -> TreeModelError { .invalidOption(m) }
        // Upper bounds (OptionLimits) keep sizes from overflowing; reals must be finite.
        if nIterations < 1 || nIterations > OptionLimits.trees { throw bad("trees must be in 1...\(OptionLimits.trees), got \(nIterations)") }
        if !(learningRate > 0 && learningRate.isFinite) { throw bad("learning_rate must be a finite number > 0, got \(learningRate)") }
        if numLeaves < 2 || numLeaves > 131_072 { throw bad("leaves must be in 2...131072, got \(numLeaves)") }
        if let d = maxDepth, d < 1 || d > OptionLimits.depth { throw bad("max_depth must be in 1...\(OptionLimits.depth), got \(d)") }
        if minDataInLeaf < 1 || minDataInLeaf > OptionLimits.size { throw bad("min_data_in_leaf must be in 1...\(OptionLimits.size), got \(minDataInLeaf)") }
        if minDataPerGroup < 1 || minDataPerGroup > OptionLimits.size { throw bad("min_data_per_group must be in 1...\(OptionLimits.size), got \(minDataPerGroup)") }
        if maxCatThreshold < 1 || maxCatThreshold > OptionLimits.size { throw bad("max_cat_threshold must be in 1...\(OptionLimits.size), got \(maxCatThreshold)") }
        for (name, v) in [("min_child_weight", minChildWeight), ("lambda_l2", lambdaL2), ("min_gain_to_split", minGainToSplit),
                          ("cat_smooth", catSmooth), ("cat_l2", catL2)] where !(v >= 0 && v.isFinite) {
            throw bad("\(name) must be a finite number >= 0, got \(v)")
        }
        if !(baggingFraction > 0 && baggingFraction <= 1) { throw bad("bagging_fraction must be in (0, 1], got \(baggingFraction)") }
        if !(featureFraction > 0 && featureFraction <= 1) { throw bad("feature_fraction must be in (0, 1], got \(featureFraction)") }
        if maxBins < 2 || maxBins > 255 { throw bad("max_bins must be in 2...255, got \(maxBins)") }
        if let e = earlyStoppingRounds, e < 1 || e > OptionLimits.trees { throw bad("early_stopping_rounds must be in 1...\(OptionLimits.trees), got \(e)") }
        if let s = scalePosWeight, !(s > 0 && s.isFinite) { throw bad("scale_pos_weight must be a finite number > 0, got \(s)") }
        if case .custom(let a, let b)? = classWeight, !(a >= 0 && a.isFinite && b >= 0 && b.isFinite && a + b > 0) {
            throw bad("class_weight must be two finite weights >= 0 (not both 0), got {\(a), \(b)}")
        }
        if resolvedObjective != .binary {
            let o = resolvedObjective.rawValue
            if scalePosWeight != nil { throw bad("scale_pos_weight is for the binary objective, not \(o)") }
            if let cw = classWeight, cw != .none { throw bad("class_weight is for the binary objective, not \(o)") }
        }
        if let k = numClass {
            guard resolvedObjective == .multiclass else { throw bad("num_class is for the multiclass objective") }
            if k < 2 || k > ModelTarget.maxClasses { throw bad("num_class must be in 2...\(ModelTarget.maxClasses), got \(k)") }
        }
        if let g = goss {
            try g.validate()
            if baggingFraction < 1 { throw bad("goss and bagging_fraction < 1 cannot be combined (as in LightGBM)") }
            if resolvedObjective == .multiclass { throw bad("goss is for the binary and regression objectives") }
        }
        if let m = monotoneConstraints, let v = m.first(where: { $0 < -1 || $0 > 1 }) {
            throw bad("monotone_constraints must be -1, 0 or 1 per feature, got \(v)")
        }
    }
}

/// What gradient boosting minimises.
public enum GradientBoostingObjective: String, Codable, Sendable, CaseIterable {
    /// Log-loss on a 0/1 target; raw scores are log-odds.
    case binary
    /// Squared error on a numeric target (LightGBM "regression", L2): for LTV,
    /// revenue, counts. Raw scores are the predictions; the loss reported is MSE.
    case regression
    /// Softmax log-loss on class codes 0..<K (LightGBM "multiclass"): one tree
    /// per class per round, raw scores start at 0, the hessian carries
    /// LightGBM's factor K/(K-1). Reported loss: multiclass log-loss.
    case multiclass

    /// The target kind this objective fits.
    public var targetKind: TargetKind {
        switch self {
        case .binary: return .binary
        case .regression: return .continuous
        case .multiclass: return .multiclass
        }
    }
}

/// Data to monitor during boosting (and to early-stop on).
public struct EvalSet: Sendable {
    public let X: FeatureMatrix
    public let y: [Double]
    public let weights: [Double]?
    public init(X: FeatureMatrix, y: [Double], weights: [Double]? = nil) { self.X = X; self.y = y; self.weights = weights }
}

/// What the per-iteration callback receives.
public struct BoostingProgress: Sendable {
    /// 0-based iteration just finished.
    public let iteration: Int
    public let totalIterations: Int
    /// Mean loss on the training rows (log-loss, or squared error for regression).
    public let trainLoss: Double
    /// Mean loss on the eval set, when there is one.
    public let evalLoss: Double?
}

/// Histogram gradient-boosted trees for binary log-loss, in the manner of
/// LightGBM: features quantile-binned to ≤ 255 bins (+ a missing bin) stored
/// as UInt8 columns, leaf-wise growth, histogram subtraction, native
/// categorical splits (levels ordered by gradient/hessian) and learned
/// missing-value directions. Histograms are built feature-parallel, so results
/// do not depend on the thread count.
///
/// Raw scores and explanations are in log-odds: raw = initScore + Σ tree
/// values (leaf values include the learning rate); `predictProba` applies the
/// sigmoid.
public struct GradientBoosting: BinaryClassifier, Codable, Sendable, CustomStringConvertible {
    public let options: GradientBoostingOptions
    public let schema: TreeInputSchema
    /// Log-odds of the (weighted) base rate; the weighted mean for regression; 0 for multiclass.
    public let initScore: Double
    /// Trees up to and including the best iteration; for multiclass, round r's
    /// tree of class k is `trees[r·K + k]`.
    public let trees: [Tree]
    /// 0-based best iteration when early stopping ran, else nil.
    public let bestIteration: Int?
    /// Eval loss per iteration (log-loss; MSE for regression; empty without an eval set).
    public let evalLossHistory: [Double]
    /// K for the multiclass objective (trees per round); nil otherwise.
    public internal(set) var numClass: Int? = nil

    /// Trees per boosting round (K for multiclass, else 1).
    public var treesPerRound: Int { numClass ?? 1 }

    /// The trees compiled for scoring and TreeSHAP's leaf tables, once per model (not encoded).
    private let compiledTrees = CompiledTreeCache<CodedTreeScorer>()
    private let shapTables = CompiledTreeCache<LeafSHAPTables>()

    private enum CodingKeys: String, CodingKey {
        case options, schema, initScore, trees, bestIteration, evalLossHistory, numClass
    }

    /// All trees compiled for `CodedTreeScorer` (binary and regression models; nil for
    /// multiclass or trees beyond its limits), built on first use.
    func compiledScorer() throws -> CodedTreeScorer? {
        guard objective != .multiclass, !trees.isEmpty else { return nil }
        return try compiledTrees.get { try CodedTreeScorer(trees, categorical: schema.isCategorical) }
    }

    public var featureNames: [String] { schema.names }

    /// Fits on `X` and 0/1 `y`. `progress` is called after every iteration
    /// (train loss is computed only when it is given).
    public static func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]? = nil, evalSet: EvalSet? = nil,
                           options: GradientBoostingOptions = GradientBoostingOptions(),
                           progress: ((BoostingProgress) -> Void)? = nil) throws -> GradientBoosting {
        try options.validate()
        let objective = options.resolvedObjective
        // Trees per round: K classes for multiclass (from num_class or the largest code), else 1.
        let K = objective == .multiclass ? (options.numClass ?? (Int(exactly: y.max() ?? 0).map { $0 + 1 } ?? 2)) : 1
        try validateTarget(y, weights: weights, n: X.nrow, objective: objective, classes: K)
        guard !X.features.isEmpty else { throw TreeModelError.emptyInput("cannot fit a model without features") }
        let schema = TreeInputSchema(X)
        let monotone = try monotoneDirections(options.monotoneConstraints, schema: schema)
        var evalFeatures: [FeatureValues] = []
        if let e = evalSet {
            try validateTarget(e.y, weights: e.weights, n: e.X.nrow, objective: objective, classes: K)
            evalFeatures = try schema.align(e.X)
        }
        // class_weight becomes row weights (as LightGBM's scikit-learn API does).
        let weights = options.classWeight.map { $0 == .none ? weights : $0.rowWeights(y, sampleWeights: weights) } ?? weights
        // scale_pos_weight scales the positive rows' gradients only (not the base rate).
        let posScale = options.scalePosWeight ?? 1
        if options.earlyStoppingRounds != nil && evalSet == nil {
            throw TreeModelError.invalidOption("earlyStoppingRounds needs an eval set")
        }
        let n = X.nrow, nf = X.features.count
        // Working memory, charged before it is allocated: column- and row-major
        // bins (n·nf + n·rowStride bytes), the leaf histogram pool, and per-row scratch
        // (scores 8, gradient pairs 16, row ids 2×4, bag flag 1 bytes; GOSS keys 8).
        let working = WorkingMemory()
        defer { working.release() }
        try working.reserve(WorkingMemory.bytes(n, nf &+ BinnedData.rowStride(nfeat: nf)), for: "gradient boosting binned data")
        // (multiclass: K scores and K probabilities per row, K eval scores.)
        try working.reserve(WorkingMemory.bytes(n, 37 &+ 16 &* (K - 1) &+ (options.goss == nil ? 0 : 8))
                            &+ WorkingMemory.bytes(evalSet?.X.nrow ?? 0, 8 &* K),
                            for: "gradient boosting row buffers")
        let data = try BinnedData(X, maxBins: options.maxBins, seed: options.seed)
        try working.reserve(WorkingMemory.bytes(WorkingMemory.bytes(max(1, options.numLeaves) + 16, data.totalBins),
                                                MemoryLayout<HistBin>.stride), for: "gradient boosting histograms")
        var rules = SplitRules(score: .gradient(lambda: options.lambdaL2))
        rules.minCount = Double(options.minDataInLeaf); rules.minHessian = options.minChildWeight
        rules.catSmooth = options.catSmooth; rules.catL2 = options.catL2
        rules.minDataPerGroup = Double(options.minDataPerGroup); rules.maxCatThreshold = options.maxCatThreshold
        rules.monotone = monotone
        let limits = LeafWiseLimits(numLeaves: options.numLeaves, maxDepth: options.maxDepth ?? Int.max,
                                    minGainToSplit: options.minGainToSplit, learningRate: options.learningRate,
                                    lambda: options.lambdaL2, rules: rules)
        let grower = try LeafWiseGrower(data: data, limits: limits)

        var sw = 0.0, swy = 0.0
        for i in 0..<n { let w = weights?[i] ?? 1; sw += w; swy += w * y[i] }
        let initScore: Double
        switch objective {
        case .binary:
            let rate = min(max(swy / max(sw, .leastNormalMagnitude), 1e-15), 1 - 1e-15)
            initScore = log(rate / (1 - rate))
        case .regression:
            initScore = sw > 0 ? swy / sw : 0     // the weighted mean minimises squared error
        case .multiclass:
            initScore = 0                         // LightGBM's softmax does not boost from the class shares
        }

        // Scores class-major (class k's raw scores at k·n); softmax probabilities likewise.
        let score = ScratchBuffer<Double>(n * K, initScore)
        let prob = ScratchBuffer<Double>(K > 1 ? n * K : 0, 0)
        let gh = ScratchBuffer<GradPair>(n, GradPair(g: 0, h: 0))
        let ne = evalSet?.X.nrow ?? 0
        let evalScore = ScratchBuffer<Double>(ne * K, initScore)
        let hessianFactor = K > 1 ? Double(K) / Double(K - 1) : 1
        let inBag = ScratchBuffer<Bool>(n, true)
        let gossKeys = ScratchBuffer<Double>(options.goss == nil ? 0 : n, 0)
        let gossStart = options.goss?.startIteration(learningRate: options.learningRate) ?? Int.max
        let chunks = Parallel.ranges(n, chunks: Parallel.threads * 4)
        var trees: [Tree] = []
        var evalHistory: [Double] = []
        var best: (iteration: Int, loss: Double) = (-1, .infinity)

        try y.withUnsafeBufferPointer { yb in
            try withOptionalBuffer(weights) { wp in
                try withOptionalBuffer(evalSet?.y) { eyp in
                    try withOptionalBuffer(evalSet?.weights) { ewp in
                        try withRawColumns(X.features) { cols in
                            try withRawColumns(evalFeatures) { ecols in
                                let yp = yb.baseAddress!
                                for it in 0..<options.nIterations {
                                    // Cancellation: once per iteration here, once per split in `grow`.
                                    try ExecutionContext.check()
                                    if K > 1 { TreeMath.softmax(score.p, into: prob.p, n: n, classes: K, chunks: chunks) }
                                    let feats = featureSample(nf, fraction: options.featureFraction, seed: options.seed, iteration: it)
                                    var evalLoss: Double? = nil
                                    for k in 0..<K {
                                        let sc = score.p + k * n
                                        // Gradients and hessians of the objective (for class k).
                                        Parallel.forEach(chunks.count) { c in
                                            switch objective {
                                            case .binary:
                                                for i in chunks[c] {
                                                    let p = TreeMath.sigmoid(sc[i])
                                                    let w = (wp?[i] ?? 1) * (yp[i] == 1 ? posScale : 1)
                                                    gh.p[i] = GradPair(g: w * (p - yp[i]), h: w * p * (1 - p))
                                                }
                                            case .regression:
                                                for i in chunks[c] {
                                                    let w = wp?[i] ?? 1
                                                    gh.p[i] = GradPair(g: w * (sc[i] - yp[i]), h: w)
                                                }
                                            case .multiclass:
                                                let pk = prob.p + k * n, code = Double(k)
                                                for i in chunks[c] {
                                                    let w = wp?[i] ?? 1, p = pk[i]
                                                    gh.p[i] = GradPair(g: w * (p - (yp[i] == code ? 1 : 0)), h: w * hessianFactor * p * (1 - p))
                                                }
                                            }
                                        }
                                        // The same bag for every class of a round (the draw depends on the iteration only).
                                        let m = it >= gossStart
                                            ? options.goss!.sample(n: n, gh: gh.p, seed: options.seed, iteration: it,
                                                                   rows: grower.rows.p, inBag: inBag.p, keys: gossKeys.p)
                                            : bag(n: n, fraction: options.baggingFraction, seed: options.seed, iteration: it,
                                                  rows: grower.rows.p, inBag: inBag.p)
                                        let (tree, leaves) = try grower.grow(count: m, gh: gh.p, features: feats)
                                        // Scores: in-bag rows by their leaf range (leaves in parallel: each
                                        // row is in one leaf), the others by traversal.
                                        let rowIds = grower.rows.p
                                        Parallel.forEach(leaves.count) { li in
                                            let l = leaves[li], v = tree.value[l.node]
                                            for i in l.begin..<l.end { sc[Int(rowIds[i])] += v }
                                        }
                                        if m < n {
                                            Parallel.forEach(chunks.count) { c in
                                                for i in chunks[c] where !inBag.p[i] { sc[i] += tree.value[tree.leaf(row: i, columns: cols)] }
                                            }
                                        }
                                        trees.append(tree)
                                        if eyp != nil {
                                            let es = evalScore.p + k * ne
                                            let echunks = Parallel.ranges(ne, chunks: Parallel.threads * 4)
                                            Parallel.forEach(echunks.count) { c in
                                                for i in echunks[c] { es[i] += tree.value[tree.leaf(row: i, columns: ecols)] }
                                            }
                                        }
                                    }
                                    if let eyp {
                                        let l = TreeMath.loss(objective, raw: evalScore.p, y: eyp, w: ewp, n: ne, classes: K)
                                        evalHistory.append(l); evalLoss = l
                                        if l < best.loss { best = (it, l) }
                                    }
                                    if let progress {
                                        progress(BoostingProgress(iteration: it, totalIterations: options.nIterations,
                                                                  trainLoss: TreeMath.loss(objective, raw: score.p, y: yp, w: wp, n: n, classes: K),
                                                                  evalLoss: evalLoss))
                                    }
                                    if let rounds = options.earlyStoppingRounds, it - best.iteration >= rounds { break }
                                }
                            }
                        }
                    }
                }
            }
        }
        var bestIteration: Int? = nil
        if options.earlyStoppingRounds != nil && best.iteration >= 0 {
            bestIteration = best.iteration
            trees = Array(trees.prefix((best.iteration + 1) * K))
        }
        return GradientBoosting(options: options, schema: schema, initScore: initScore, trees: trees,
                                bestIteration: bestIteration, evalLossHistory: evalHistory,
                                numClass: objective == .multiclass ? K : nil)
    }

    /// Fills `rows` with the tree's rows (ascending) and returns their count.
    /// Bagging draws exactly round(fraction·n) rows without replacement
    /// (selection sampling) from `SeededRandom(seed, stream: 2·iteration)`.
    private static func bag(n: Int, fraction: Double, seed: UInt64, iteration: Int,
                            rows: UnsafeMutablePointer<UInt32>, inBag: UnsafeMutablePointer<Bool>) -> Int {
        if fraction >= 1 {
            for i in 0..<n { rows[i] = UInt32(i) }
            return n
        }
        var rng = SeededRandom(seed: seed, stream: UInt64(2 * iteration))
        var need = max(1, Int((fraction * Double(n)).rounded())), m = 0
        for i in 0..<n {
            let take = Double(need) > rng.uniform() * Double(n - i)
            inBag[i] = take
            if take { rows[m] = UInt32(i); m += 1; need -= 1 }
        }
        return m
    }

    /// Features used by a tree: all, or round(fraction·nf) drawn from stream 2·iteration+1 (ascending).
    private static func featureSample(_ nf: Int, fraction: Double, seed: UInt64, iteration: Int) -> [Int] {
        guard fraction < 1 else { return Array(0..<nf) }
        let k = max(1, Int((fraction * Double(nf)).rounded()))
        var rng = SeededRandom(seed: seed, stream: UInt64(2 * iteration + 1))
        var all = Array(0..<nf)
        for i in 0..<k { all.swapAt(i, i + rng.below(nf - i)) }
        return all.prefix(k).sorted()
    }

    public var objective: GradientBoostingObjective { options.resolvedObjective }

    /// Predicted values of a regression model (the raw scores); for a binary
    /// model, probabilities; for multiclass, the class code of the most probable class.
    public func predict(_ X: FeatureMatrix) throws -> [Double] {
        switch objective {
        case .regression: return try predictRaw(X)
        case .binary: return try predictProba(X)
        case .multiclass: return argmaxRows(try predictRawClasses(X)).map(Double.init)
        }
    }

    /// Raw scores (log-odds; the predicted value for regression).
    public func predictRaw(_ X: FeatureMatrix) throws -> [Double] {
        guard objective != .multiclass else {
            throw TreeModelError.invalidOption("a multiclass model has one raw score per class (use predictRawClasses)")
        }
        return try TreeEnsemble.predict(trees[...], features: try schema.align(X), nrow: X.nrow, base: initScore, scale: 1,
                                        compiled: try compiledScorer())
    }

    /// P(positive) of `nrow` rows given row-major in the model's feature order (feature f of
    /// row r at `r · featureNames.count + f`, NaN = missing), on the calling thread, through the
    /// cached compiled trees: a server's requests, read from JSON straight into rows. nil when
    /// the model cannot be scored that way (not binary, a categorical feature, trees beyond the
    /// compiled scorer's limits); then use `predictProba` on a matrix. Equal to it bit for bit.
    public func predictProba(rowMajor rows: UnsafeBufferPointer<Double>, nrow: Int) throws -> [Double]? {
        let nf = featureNames.count
        guard objective == .binary, rows.count == nrow * nf, !schema.isCategorical.contains(true),
              let scorer = try compiledScorer(), scorer.readsOnlyNumeric else { return nil }
        guard nrow > 0, let base = rows.baseAddress else { return [] }
        return try [Double](unsafeUninitializedCapacity: nrow) { out, n in
            try scorer.predict(rows: base, stride: nf, nrow: nrow, base: initScore, scale: 1, into: out.baseAddress!)
            for i in 0..<nrow { out[i] = TreeMath.sigmoid(out[i]) }
            n = nrow
        }
    }

    /// The trees of class `k` (every K-th tree from the k-th), for multiclass.
    public func classTrees(_ k: Int) -> [Tree] {
        Array(stride(from: k, to: trees.count, by: treesPerRound).map { trees[$0] })
    }

    /// Raw scores per class (column-major, one array per class) of a multiclass model.
    public func predictRawClasses(_ X: FeatureMatrix) throws -> [[Double]] {
        let f = try schema.align(X)
        return try (0..<treesPerRound).map { k in
            try TreeEnsemble.predict(classTrees(k)[...], features: f, nrow: X.nrow, base: initScore, scale: 1)
        }
    }

    /// Softmax probabilities per class (column-major) of a multiclass model.
    public func predictClassProba(_ X: FeatureMatrix) throws -> [[Double]] {
        guard objective == .multiclass else {
            let p = try predictProba(X)
            return [p.map { 1 - $0 }, p]
        }
        var raw = try predictRawClasses(X)
        let K = raw.count, n = X.nrow
        for i in 0..<n {
            var top = -Double.infinity
            for k in 0..<K { top = max(top, raw[k][i]) }
            var sum = 0.0
            for k in 0..<K { let e = exp(raw[k][i] - top); raw[k][i] = e; sum += e }
            for k in 0..<K { raw[k][i] /= sum }
        }
        return raw
    }

    public func predictProba(_ X: FeatureMatrix) throws -> [Double] {
        guard objective == .binary else {
            throw TreeModelError.invalidOption(objective == .regression
                ? "a regression model predicts values, not probabilities (use predict)"
                : "a multiclass model gives one probability per class (use predict_proba's class columns)")
        }
        var r = try predictRaw(X)
        r.withUnsafeMutableBufferPointer { p in
            let chunks = Parallel.ranges(p.count, chunks: Parallel.threads * 4)
            let base = p.baseAddress
            Parallel.forEach(chunks.count) { c in for i in chunks[c] { base![i] = TreeMath.sigmoid(base![i]) } }
        }
        return r
    }

    /// initScore + Σ trees' expected values: TreeSHAP's base value, in log-odds.
    public var expectedValue: Double { initScore + trees.reduce(0) { $0 + $1.expectedValue } }

    /// Exact TreeSHAP contributions in log-odds.
    public func explain(_ X: FeatureMatrix) throws -> TreeExplanation {
        let f = try schema.align(X)
        return TreeExplanation(featureNames: featureNames,
                               contributions: try TreeSHAP.contributions(trees, features: f, nrow: X.nrow, scale: 1,
                                                                         tables: try shapTables.get { try LeafSHAPTables(trees) }),
                               expectedValue: expectedValue, scale: objective == .binary ? .logOdds : .value)
    }

    /// Total split gain or split count per feature (LightGBM's feature_importance); `normalized` divides by the total.
    public func importance(_ kind: TreeImportanceKind = .gain, normalized: Bool = false) -> [Double] {
        let v = TreeEnsemble.importance(trees, featureCount: featureNames.count, kind: kind)
        return normalized ? TreeEnsemble.normalized(v) : v
    }

    public var description: String {
        let best = bestIteration.map { ", best iteration \($0 + 1)" } ?? ""
        return "GradientBoosting(\(trees.count) trees, \(options.numLeaves) leaves, lr \(options.learningRate), \(featureNames.count) features\(best))"
    }
}

/// Monotone directions per feature, checked against the schema: one per
/// feature, and none on a categorical feature (its levels have no order).
/// Empty when there are no constraints.
func monotoneDirections(_ m: [Int]?, schema: TreeInputSchema) throws -> [Int8] {
    guard let m, m.contains(where: { $0 != 0 }) else { return [] }
    guard m.count == schema.names.count else {
        throw TreeModelError.invalidOption("monotone_constraints has \(m.count) values but the model has \(schema.names.count) features (\(schema.names.joined(separator: ", ")))")
    }
    for (i, d) in m.enumerated() where d != 0 && schema.isCategorical[i] {
        throw TreeModelError.invalidOption("monotone_constraints: feature '\(schema.names[i])' is categorical; constraints need a numeric feature")
    }
    return m.map { Int8($0) }
}

/// Calls `body` with the array's base pointer, or nil for a nil array.
func withOptionalBuffer<R>(_ a: [Double]?, _ body: (UnsafePointer<Double>?) throws -> R) rethrows -> R {
    guard let a else { return try body(nil) }
    return try a.withUnsafeBufferPointer { try body($0.baseAddress) }
}
