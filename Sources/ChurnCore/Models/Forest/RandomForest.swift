/// Options of a random forest (scikit-learn's names in parentheses).
public struct RandomForestOptions: Codable, Sendable, Equatable {
    /// Number of trees (n_estimators).
    public var nTrees: Int = 100
    public var criterion: TreeCriterion = .gini
    public var maxDepth: Int? = nil
    public var minSamplesSplit: Int = 2
    public var minSamplesLeaf: Int = 1
    /// Features tried per split (max_features); scikit-learn's default is sqrt.
    public var maxFeatures: MaxFeatures = .sqrt
    /// Draw each tree's rows with replacement (bootstrap); otherwise every tree sees all rows.
    public var bootstrap: Bool = true
    /// Rows drawn per tree as a fraction of n (max_samples); nil = n.
    public var sampleFraction: Double? = nil
    public var classWeight: ClassWeight = .none
    /// Compute out-of-bag AUC and accuracy (needs `bootstrap`).
    public var oobScore: Bool = true
    public var maxBins: Int = 255
    public var seed: UInt64 = GlobalSeed.value

    public init() {}

    var treeOptions: DecisionTreeOptions {
        var o = DecisionTreeOptions()
        o.criterion = criterion; o.maxDepth = maxDepth; o.minSamplesSplit = minSamplesSplit
        o.minSamplesLeaf = minSamplesLeaf; o.maxFeatures = maxFeatures; o.classWeight = classWeight
        o.maxBins = maxBins; o.seed = seed
        return o
    }

    func validate() throws {
        try treeOptions.validate()
        if nTrees < 1 || nTrees > OptionLimits.trees { throw TreeModelError.invalidOption("n_trees must be in 1...\(OptionLimits.trees), got \(nTrees)") }
        if let f = sampleFraction, !(f > 0 && f <= 1) { throw TreeModelError.invalidOption("sample_fraction must be in (0, 1], got \(f)") }
    }
}

/// A random forest of CART trees: predictions are the mean of the trees'
/// probabilities; explanations are in probability units.
///
/// Trees are grown in parallel; tree t draws its bootstrap sample and feature
/// subsets from `SeededRandom(seed: seed, stream: t)`, so the forest is the
/// same for any thread count. Features are binned once (≤ 255 bins, see
/// `DecisionTree`) and shared by all trees.
public struct RandomForest: BinaryClassifier, Codable, Sendable, CustomStringConvertible {
    public let options: RandomForestOptions
    public let schema: TreeInputSchema
    public let trees: [Tree]
    /// Out-of-bag AUC over rows left out by at least one tree (nil without bootstrap / oobScore).
    public let oobAUC: Double?
    /// Out-of-bag accuracy at threshold 0.5 (scikit-learn's oob_score_).
    public let oobAccuracy: Double?

    public var featureNames: [String] { schema.names }

    public static func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]? = nil,
                           options: RandomForestOptions = RandomForestOptions()) throws -> RandomForest {
        try options.validate()
        try validateTarget(y, weights: weights, n: X.nrow)
        guard !X.features.isEmpty else { throw TreeModelError.emptyInput("cannot fit a forest without features") }
        let n = X.nrow
        // Working memory, charged before it is allocated: binned data (n·nf
        // bytes), in-bag bitsets (n/8 per tree), per-tree row buffers (24 bytes
        // a row) for each tree grown at once.
        let working = WorkingMemory()
        defer { working.release() }
        try working.reserve(WorkingMemory.bytes(n, X.features.count), for: "random forest binned data")
        if options.bootstrap {
            try working.reserve(WorkingMemory.bytes(options.nTrees, (n + 63) / 64 * 8), for: "random forest in-bag sets")
        }
        try working.reserve(WorkingMemory.bytes(n, 24 * min(options.nTrees, Parallel.threads)), for: "random forest row buffers")
        let data = try BinnedData(X, maxBins: options.maxBins, seed: options.seed)
        let w = options.classWeight.rowWeights(y, sampleWeights: weights)
        let limits = options.treeOptions.limits(featureCount: X.features.count)
        let draws = Int((options.sampleFraction ?? 1) * Double(n)).clamped(1, n)
        let wordsPerTree = (n + 63) / 64
        // In-bag bitsets per tree, for the out-of-bag score.
        let inBag = ScratchBuffer<UInt64>(options.bootstrap ? options.nTrees * wordsPerTree : 0, 0)
        var trees = [Tree](repeating: Tree(), count: options.nTrees)
        try w.withUnsafeBufferPointer { wp in
            try y.withUnsafeBufferPointer { yp in
                try trees.withUnsafeMutableBufferPointer { tb in
                    let out = tb.baseAddress!
                    // Cancellation: before each tree (forEachThrowing) and per node inside `grow`.
                    try Parallel.forEachThrowing(options.nTrees) { t in
                        var rng = SeededRandom(seed: options.seed, stream: UInt64(t))
                        var tw = [Double](repeating: 0, count: n)
                        if options.bootstrap {
                            var counts = [UInt32](repeating: 0, count: n)
                            for _ in 0..<draws { counts[rng.below(n)] += 1 }
                            let bits = inBag.p + t * wordsPerTree
                            for i in 0..<n where counts[i] > 0 {
                                tw[i] = wp[i] * Double(counts[i]); bits[i >> 6] |= 1 << UInt64(i & 63)
                            }
                        } else {
                            for i in 0..<n { tw[i] = wp[i] }
                        }
                        var rows: [UInt32] = []
                        rows.reserveCapacity(n)
                        for i in 0..<n where tw[i] > 0 { rows.append(UInt32(i)) }
                        var tg = [Double](repeating: 0, count: n)
                        for i in 0..<n { tg[i] = tw[i] * yp[i] }
                        let grower = CARTGrower(data: data, limits: limits, parallel: false)
                        let count = rows.count
                        if count == 0 { out[t] = Tree(); _ = out[t].addNode(value: 0, cover: 0); return }
                        out[t] = try tg.withUnsafeBufferPointer { gp in
                            try tw.withUnsafeBufferPointer { hp in
                                try rows.withUnsafeMutableBufferPointer { rp in
                                    try grower.grow(rows: rp.baseAddress!, count: count, g: gp.baseAddress!, h: hp.baseAddress!, rng: &rng)
                                }
                            }
                        }
                    }
                }
            }
        }
        let schema = TreeInputSchema(X)
        var oobAUC: Double? = nil, oobAcc: Double? = nil
        if options.bootstrap && options.oobScore {
            (oobAUC, oobAcc) = outOfBag(trees, features: X.features, y: y, inBag: inBag.p, wordsPerTree: wordsPerTree)
        }
        return RandomForest(options: options, schema: schema, trees: trees, oobAUC: oobAUC, oobAccuracy: oobAcc)
    }

    /// Mean probability of the trees for which each row was out of bag; AUC and accuracy over rows with any.
    private static func outOfBag(_ trees: [Tree], features: [FeatureValues], y: [Double],
                                 inBag: UnsafePointer<UInt64>, wordsPerTree: Int) -> (Double?, Double?) {
        let n = y.count
        var mean = [Double](repeating: .nan, count: n)
        withRawColumns(features) { cols in
            mean.withUnsafeMutableBufferPointer { mp in
                let m = mp.baseAddress!
                let chunks = Parallel.ranges(n, chunks: Parallel.threads * 8)
                Parallel.forEach(chunks.count) { c in
                    for r in chunks[c] {
                        var s = 0.0, k = 0
                        for (t, tree) in trees.enumerated() where inBag[t * wordsPerTree + r >> 6] & (1 << UInt64(r & 63)) == 0 {
                            s += tree.value[tree.leaf(row: r, columns: cols)]; k += 1
                        }
                        if k > 0 { m[r] = s / Double(k) }
                    }
                }
            }
        }
        let rows = (0..<n).filter { !mean[$0].isNaN }
        guard !rows.isEmpty else { return (nil, nil) }
        let auc = TreeMath.auc(rows.map { mean[$0] }, rows.map { y[$0] })
        let acc = Double(rows.filter { (mean[$0] > 0.5 ? 1.0 : 0.0) == y[$0] }.count) / Double(rows.count)
        return (auc.isNaN ? nil : auc, acc)
    }

    public func predictProba(_ X: FeatureMatrix) throws -> [Double] {
        try TreeEnsemble.predict(trees[...], features: try schema.align(X), nrow: X.nrow, base: 0, scale: 1 / Double(trees.count))
    }

    /// Mean of the trees' expected values (TreeSHAP's base value, probability scale).
    public var expectedValue: Double { trees.reduce(0) { $0 + $1.expectedValue } / Double(trees.count) }

    /// Exact TreeSHAP contributions averaged over the trees (probability scale).
    public func explain(_ X: FeatureMatrix) throws -> TreeExplanation {
        let f = try schema.align(X)
        let s = 1 / Double(trees.count)
        return TreeExplanation(featureNames: featureNames,
                               contributions: try TreeSHAP.contributions(trees, features: f, nrow: X.nrow, scale: s),
                               expectedValue: expectedValue, scale: .probability)
    }

    /// Gain or split-count importance. With `normalized`, each tree's
    /// importances are normalized and then averaged (scikit-learn's
    /// feature_importances_ for gain); otherwise raw totals over all trees.
    public func importance(_ kind: TreeImportanceKind = .gain, normalized: Bool = true) -> [Double] {
        let nf = featureNames.count
        guard normalized else { return TreeEnsemble.importance(trees, featureCount: nf, kind: kind) }
        var acc = [Double](repeating: 0, count: nf)
        for t in trees {
            let v = TreeEnsemble.normalized(TreeEnsemble.importance([t], featureCount: nf, kind: kind))
            for i in 0..<nf { acc[i] += v[i] }
        }
        return TreeEnsemble.normalized(acc)
    }

    public var description: String {
        let oob = oobAUC.map { String(format: ", OOB AUC %.4f", $0) } ?? ""
        return "RandomForest(\(trees.count) trees, \(options.criterion.rawValue), \(featureNames.count) features\(oob))"
    }
}

extension Int {
    func clamped(_ lo: Int, _ hi: Int) -> Int { Swift.min(Swift.max(self, lo), hi) }
}

import Foundation
