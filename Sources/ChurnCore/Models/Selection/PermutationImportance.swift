/// A scoring function: metric(y, p) with y the 0/1 targets and p P(positive).
public typealias ScoreFunction = ([Double], [Double]) -> Double

/// Permutation importance of every model feature (Breiman 2001; as sklearn's
/// `permutation_importance`): how much the score drops when one feature's
/// values are shuffled across rows, breaking its link with the target.
public struct PermutationImportance: Sendable {
    public let featureNames: [String]
    /// Score on the unshuffled data.
    public let baseline: Double
    /// Mean drop per feature over the repeats (positive = the feature helps).
    public let mean: [Double]
    /// Population standard deviation of the drop (as numpy's default).
    public let std: [Double]
    /// drops[feature][repeat].
    public let drops: [[Double]]

    /// Features by decreasing mean drop (stable for ties).
    public var ranking: [Int] { featureNames.indices.sorted { mean[$0] != mean[$1] ? mean[$0] > mean[$1] : $0 < $1 } }
}

public enum SelectionError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case foldFailed(fold: Int, String)
    case candidateFailed(params: String, String)

    public var description: String {
        switch self {
        case .invalid(let m): return m
        case .foldFailed(let f, let why): return "cross-validation fold \(f + 1) failed: \(why)"
        case .candidateFailed(let p, let why): return "search candidate {\(p)} failed: \(why)"
        }
    }

    /// `error` as the failure of one part (fold, candidate) of a larger
    /// operation — except a stop (cancellation, memory limit, or a token that
    /// is cancelled now, e.g. when a Lua callback was interrupted), which ends
    /// the whole operation with its own text ("interrupted", "time limit exceeded (3 s)").
    static func part(_ error: Error, _ wrap: (String) -> SelectionError) throws -> Never {
        try ExecutionContext.check()
        if error is CancellationError || error is MemoryLimitError { throw error }
        throw wrap("\(error)")
    }
}

/// Permutation importance of `model` on (X, y).
///
/// Each (feature, repeat) shuffle draws from its own seeded sub-stream, so the
/// result depends only on `seed` — not on thread count or evaluation order.
/// Features run in parallel when `parallel` (then `model.predictProba` and
/// `metric` must be safe to call concurrently — true of fitted ChurnLab models;
/// pass false for metrics implemented in Lua). Results are identical either way.
/// - Parameter higherIsBetter: false for losses (log-loss): the drop is then
///   permuted − baseline so that positive still means "important".
public func permutationImportance(model: any BinaryClassifier, X: FeatureMatrix, y: [Double],
                                  metric: ScoreFunction, repeats: Int = 5, seed: UInt64 = GlobalSeed.value,
                                  higherIsBetter: Bool = true, parallel: Bool = true) throws -> PermutationImportance {
    guard repeats >= 1 else { throw SelectionError.invalid("permutation importance: repeats must be ≥ 1, got \(repeats)") }
    guard y.count == X.nrow else { throw SelectionError.invalid("permutation importance: target has \(y.count) values, X has \(X.nrow) rows") }
    let names = model.featureNames
    var position: [String: Int] = [:]
    for (i, n) in X.names.enumerated() { position[n] = i }
    let missing = names.filter { position[$0] == nil }
    guard missing.isEmpty else { throw ModelFileError.missingFeatures(missing) }

    let baseline = metric(y, try model.metricScores(X))
    let n = X.nrow
    var results = [Result<[Double], Error>](repeating: .success([]), count: names.count)
    results.withUnsafeMutableBufferPointer { out in
        let base = out.baseAddress!
        let run = parallel ? Parallel.forEach : { n, body in for i in 0..<n { body(i) } }
        run(names.count) { fi in
            let col = position[names[fi]]!
            var drops: [Double] = []
            do {
                for r in 0..<repeats {
                    try ExecutionContext.check()   // per (feature, repeat): one prediction over all rows
                    var rng = SeededRandom(seed: seed, stream: UInt64(fi) &* 1_000_003 &+ UInt64(r))
                    var perm = Array(0..<n)
                    rng.shuffle(&perm)
                    var features = X.features
                    switch features[col] {
                    case .numeric(let v): features[col] = .numeric(perm.map { v[$0] })
                    case .categorical(let c, let l): features[col] = .categorical(codes: perm.map { c[$0] }, levels: l)
                    }
                    let shuffled = try FeatureMatrix(names: X.names, features: features)
                    let score = metric(y, try model.metricScores(shuffled))
                    drops.append(higherIsBetter ? baseline - score : score - baseline)
                }
                base[fi] = .success(drops)
            } catch {
                base[fi] = .failure(error)
            }
        }
    }
    try ExecutionContext.check()
    var drops: [[Double]] = []
    for r in results { drops.append(try r.get()) }
    let stats = drops.map { meanAndStd($0) }
    return PermutationImportance(featureNames: names, baseline: baseline, mean: stats.map(\.mean),
                                 std: stats.map(\.std), drops: drops)
}

/// Mean and population standard deviation (ddof = 0).
func meanAndStd(_ v: [Double]) -> (mean: Double, std: Double) {
    guard !v.isEmpty else { return (.nan, .nan) }
    let m = v.reduce(0, +) / Double(v.count)
    let ss = v.reduce(0) { $0 + ($1 - m) * ($1 - m) }
    return (m, (ss / Double(v.count)).squareRoot())
}
