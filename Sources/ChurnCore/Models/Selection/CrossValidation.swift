/// Fits a model on (X, y, optional sample weights). Model selection is generic
/// over it, so any model kind (and any preprocessing it does) can be validated.
public typealias FitFunction = (FeatureMatrix, [Double], [Double]?) throws -> any BinaryClassifier

/// A named score, e.g. ("auc", auc). Metrics come from the metrics layer.
public typealias NamedScore = (name: String, score: ScoreFunction)

/// Per-fold scores and their summary.
public struct CrossValidationResult: Sendable {
    public let metricNames: [String]
    /// scores[fold][metric].
    public let scores: [[Double]]
    /// Mean over folds per metric.
    public let mean: [Double]
    /// Population std over folds per metric (ddof = 0, as numpy's default).
    public let std: [Double]
    /// Test-fold sizes.
    public let foldSizes: [Int]

    public func mean(_ metric: String) -> Double? { metricNames.firstIndex(of: metric).map { mean[$0] } }

    /// One row per fold (1-based `fold`, `n_test`, then each metric).
    public func frame() throws -> Frame {
        var cols: [Column] = [.int("fold", (1...scores.count).map(Int64.init)), .int("n_test", foldSizes.map(Int64.init))]
        for (j, name) in metricNames.enumerated() { cols.append(.float(name, scores.map { $0[j] })) }
        return try Frame(cols)
    }
}

public enum CrossValidation {
    /// Assigns each row to one of `k` folds. Stratified: each class is shuffled
    /// and dealt round-robin (continuing across classes), so every fold gets
    /// its share of positives; otherwise rows are shuffled and cut into k
    /// near-equal parts. Returns fold index per row; depends only on `seed`.
    public static func foldAssignment(y: [Double], k: Int, stratify: Bool, seed: UInt64) throws -> [Int] {
        let n = y.count
        guard k >= 2 else { throw SelectionError.invalid("cross-validation: k must be ≥ 2, got \(k)") }
        guard k <= n else { throw SelectionError.invalid("cross-validation: k = \(k) is more than the \(n) rows") }
        var rng = SeededRandom(seed: seed, stream: 0x6B66_6F6C_6473)   // "kfolds"
        var fold = [Int](repeating: 0, count: n)
        if stratify {
            // One stratum per class code, in ascending order (0/1 targets: negatives
            // then positives); any value not 1 counts as class 0 when the target is binary.
            let binary = y.allSatisfy { $0 == 0 || $0 == 1 } || !y.allSatisfy { $0 >= 0 && $0 == $0.rounded() && $0 < 1e6 }
            var classes: [[Int]] = binary ? [[], []] : Array(repeating: [], count: Int(y.max() ?? 0) + 1)
            for i in 0..<n { classes[binary ? (y[i] == 1 ? 1 : 0) : Int(y[i])].append(i) }
            for (c, members) in classes.enumerated() where !members.isEmpty && members.count < k {
                throw SelectionError.invalid("stratified \(k)-fold cross-validation needs at least \(k) rows of each class; class \(c) has \(members.count)")
            }
            var next = 0
            for var members in classes {
                rng.shuffle(&members)
                for i in members { fold[i] = next; next = (next + 1) % k }
            }
        } else {
            var order = Array(0..<n)
            rng.shuffle(&order)
            for (f, r) in Parallel.ranges(n, chunks: k).enumerated() { for i in r { fold[order[i]] = f } }
        }
        return fold
    }

    /// Cross-validation of `fit`: over `splits` when given (supplied, group or
    /// time-series folds; see `CVSplits`), else (stratified) k-fold from `seed`.
    /// `foldData` builds each fold's matrices (default: rows of `X`). Folds are
    /// fitted in parallel when `parallel` (the fit must then be safe to call
    /// concurrently); results are identical either way.
    public static func run(fit: FitFunction, X: FeatureMatrix, y: [Double], weights: [Double]? = nil, k: Int = 5,
                           stratify: Bool = true, metrics: [NamedScore], seed: UInt64 = GlobalSeed.value,
                           parallel: Bool = true, splits given: [CVSplit]? = nil,
                           foldData: FoldData? = nil) throws -> CrossValidationResult {
        guard y.count == X.nrow else { throw SelectionError.invalid("cross-validation: target has \(y.count) values, X has \(X.nrow) rows") }
        if let weights, weights.count != X.nrow { throw SelectionError.invalid("cross-validation: weights have \(weights.count) values, X has \(X.nrow) rows") }
        guard !metrics.isEmpty else { throw SelectionError.invalid("cross-validation: no metrics given") }
        let splits = try given ?? CVSplits.kFold(y: y, k: k, stratify: stratify, seed: seed)
        let folds = splits.count
        var results = [Result<[Double], Error>](repeating: .success([]), count: folds)
        func body(_ f: Int) -> Result<[Double], Error> {
            Result {
                try ExecutionContext.check()
                let split = splits[f]
                let (Xtrain, Xtest) = try foldData?(split) ?? (X.take(split.train), X.take(split.test))
                let model = try fit(Xtrain, split.train.map { y[$0] }, weights.map { w in split.train.map { w[$0] } })
                let p = try model.metricScores(Xtest)
                let yt = split.test.map { y[$0] }
                return metrics.map { $0.score(yt, p) }
            }
        }
        if parallel {
            results.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                Parallel.forEach(folds) { f in base[f] = body(f) }
            }
        } else {
            for f in 0..<folds { results[f] = body(f) }
        }
        var scores: [[Double]] = []
        for (f, r) in results.enumerated() {
            switch r {
            case .success(let s): scores.append(s)
            case .failure(let e): try SelectionError.part(e) { .foldFailed(fold: f, $0) }
            }
        }
        let stats = metrics.indices.map { j in meanAndStd(scores.map { $0[j] }) }
        return CrossValidationResult(metricNames: metrics.map(\.name), scores: scores, mean: stats.map(\.mean),
                                     std: stats.map(\.std), foldSizes: splits.map(\.test.count))
    }
}

/// Convenience spelling used by the binding: `crossValidate(fit:X:y:…)`.
public func crossValidate(fit: FitFunction, X: FeatureMatrix, y: [Double], weights: [Double]? = nil, k: Int = 5,
                          stratify: Bool = true, metrics: [NamedScore], seed: UInt64 = GlobalSeed.value,
                          parallel: Bool = true, splits: [CVSplit]? = nil, foldData: FoldData? = nil) throws -> CrossValidationResult {
    try CrossValidation.run(fit: fit, X: X, y: y, weights: weights, k: k, stratify: stratify, metrics: metrics,
                            seed: seed, parallel: parallel, splits: splits, foldData: foldData)
}
