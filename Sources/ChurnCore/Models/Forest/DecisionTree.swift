/// Impurity measure for CART splits.
public enum TreeCriterion: String, Codable, Sendable, CaseIterable {
    case gini, entropy

    var score: SplitScore { self == .gini ? .gini : .entropy }
}

/// Features tried at each split.
public enum MaxFeatures: Codable, Sendable, Equatable {
    case all
    case sqrt
    case log2
    /// A fraction of the features (at least one).
    case fraction(Double)
    case count(Int)

    /// Number of features for `n` features (scikit-learn's rounding: floor, at least 1).
    public func resolve(_ n: Int) -> Int {
        let k: Int
        switch self {
        case .all: k = n
        case .sqrt: k = Int(Double(n).squareRoot())
        case .log2: k = n > 0 ? Int(Foundation.log2(Double(n))) : 0
        case .fraction(let f): k = Int(f * Double(n))
        case .count(let c): k = c
        }
        return min(n, max(1, k))
    }
}

/// Options of a CART classification tree (scikit-learn's names in parentheses).
public struct DecisionTreeOptions: Codable, Sendable, Equatable {
    public var criterion: TreeCriterion = .gini
    /// Maximum depth (max_depth); nil = unlimited.
    public var maxDepth: Int? = nil
    /// A node needs this many rows to be split (min_samples_split).
    public var minSamplesSplit: Int = 2
    /// Each child keeps at least this many rows (min_samples_leaf).
    public var minSamplesLeaf: Int = 1
    /// Features tried per split (max_features).
    public var maxFeatures: MaxFeatures = .all
    public var classWeight: ClassWeight = .none
    /// Bins per numeric feature (≤ 255). Features with at most this many
    /// distinct values are split exactly (midpoint thresholds, as scikit-learn);
    /// others on quantile bins.
    public var maxBins: Int = 255
    /// Seed for feature sampling and the binning sample.
    public var seed: UInt64 = GlobalSeed.value

    public init() {}

    func validate() throws {
        // Upper bounds (OptionLimits) keep sums and products of these sizes from overflowing.
        if let d = maxDepth, d < 0 || d > OptionLimits.depth { throw TreeModelError.invalidOption("max_depth must be in 0...\(OptionLimits.depth), got \(d)") }
        if minSamplesSplit < 2 || minSamplesSplit > OptionLimits.size {
            throw TreeModelError.invalidOption("min_samples_split must be in 2...\(OptionLimits.size), got \(minSamplesSplit)")
        }
        if minSamplesLeaf < 1 || minSamplesLeaf > OptionLimits.size {
            throw TreeModelError.invalidOption("min_samples_leaf must be in 1...\(OptionLimits.size), got \(minSamplesLeaf)")
        }
        if maxBins < 2 || maxBins > 255 { throw TreeModelError.invalidOption("max_bins must be in 2...255, got \(maxBins)") }
        if case .fraction(let f) = maxFeatures, !(f > 0 && f <= 1) {
            throw TreeModelError.invalidOption("maxFeatures fraction must be in (0, 1], got \(f)")
        }
        if case .count(let c) = maxFeatures, c < 1 || c > OptionLimits.size {
            throw TreeModelError.invalidOption("maxFeatures count must be in 1...\(OptionLimits.size), got \(c)")
        }
    }

    func limits(featureCount: Int) -> CARTLimits {
        CARTLimits(score: criterion.score, maxDepth: maxDepth ?? Int.max, minSamplesSplit: minSamplesSplit,
                   minSamplesLeaf: minSamplesLeaf, maxFeatures: maxFeatures.resolve(featureCount))
    }
}

/// A CART classification tree. Predictions are the weighted positive rate of
/// the leaf; explanations are in probability units.
///
/// Splits are histogram-based (see `CARTGrower`): exact for features with at
/// most `maxBins` distinct values, quantile-binned beyond. Categorical
/// features split natively (levels ordered by positive rate, best prefix);
/// missing values take the direction learned at fit time.
public struct DecisionTree: BinaryClassifier, Codable, Sendable, CustomStringConvertible {
    public let options: DecisionTreeOptions
    public let schema: TreeInputSchema
    public let tree: Tree

    public var featureNames: [String] { schema.names }

    /// Fits on `X` and 0/1 `y`, with optional non-negative row weights.
    public static func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]? = nil,
                           options: DecisionTreeOptions = DecisionTreeOptions()) throws -> DecisionTree {
        try options.validate()
        try validateTarget(y, weights: weights, n: X.nrow)
        guard !X.features.isEmpty else { throw TreeModelError.emptyInput("cannot fit a tree without features") }
        let data = try BinnedData(X, maxBins: options.maxBins, seed: options.seed)
        let w = options.classWeight.rowWeights(y, sampleWeights: weights)
        var g = [Double](repeating: 0, count: X.nrow)
        for i in 0..<X.nrow { g[i] = w[i] * y[i] }
        var rows = (0..<X.nrow).filter { w[$0] > 0 }.map { UInt32($0) }
        guard !rows.isEmpty else { throw TreeModelError.emptyInput("all row weights are 0") }
        var rng = SeededRandom(seed: options.seed, stream: 0)
        let grower = CARTGrower(data: data, limits: options.limits(featureCount: X.features.count), parallel: true)
        let count = rows.count
        let tree = try g.withUnsafeBufferPointer { gp in
            try w.withUnsafeBufferPointer { wp in
                try rows.withUnsafeMutableBufferPointer { rp in
                    try grower.grow(rows: rp.baseAddress!, count: count, g: gp.baseAddress!, h: wp.baseAddress!, rng: &rng)
                }
            }
        }
        return DecisionTree(options: options, schema: TreeInputSchema(X), tree: tree)
    }

    public func predictProba(_ X: FeatureMatrix) throws -> [Double] {
        try TreeEnsemble.predict([tree][...], features: try schema.align(X), nrow: X.nrow, base: 0, scale: 1)
    }

    /// Mean prediction over the training distribution (TreeSHAP's base value, probability scale).
    public var expectedValue: Double { tree.expectedValue }

    /// Exact TreeSHAP contributions (probability scale).
    public func explain(_ X: FeatureMatrix) throws -> TreeExplanation {
        let f = try schema.align(X)
        return TreeExplanation(featureNames: featureNames,
                               contributions: try TreeSHAP.contributions([tree], features: f, nrow: X.nrow, scale: 1),
                               expectedValue: expectedValue, scale: .probability)
    }

    /// Gain (weighted impurity decrease) or split-count importance per feature;
    /// `normalized` divides by the total (scikit-learn's feature_importances_ for gain).
    public func importance(_ kind: TreeImportanceKind = .gain, normalized: Bool = true) -> [Double] {
        let v = TreeEnsemble.importance([tree], featureCount: featureNames.count, kind: kind)
        return normalized ? TreeEnsemble.normalized(v) : v
    }

    public var description: String {
        "DecisionTree(\(options.criterion.rawValue), depth \(tree.depth), \(tree.leafCount) leaves, \(featureNames.count) features)"
    }
}

import Foundation
