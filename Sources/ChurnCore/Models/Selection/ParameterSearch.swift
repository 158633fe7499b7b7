#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A hyper-parameter value as it comes from Lua.
public enum ParamValue: Codable, Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return "\(v)"
        case .string(let v): return v
        case .bool(let v): return v ? "true" : "false"
        }
    }

    /// Numeric view (ints widen); nil for text and bools.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }
    public var intValue: Int? {
        switch self {
        case .int(let v): return v
        case .double(let v): return v == v.rounded() && abs(v) < 9e15 ? Int(v) : nil
        default: return nil
        }
    }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
}

public typealias ParamSet = [String: ParamValue]

/// Makes a fit function for one parameter set (e.g. a logistic regression with
/// that C). Throwing here (unknown or invalid parameter) aborts the search.
public typealias ModelFactory = (ParamSet) throws -> FitFunction

/// Where `randomSearch` draws a parameter from.
public enum ParamDistribution: Sendable {
    /// One of the values, uniformly.
    case choice([ParamValue])
    /// Uniform real in [low, high).
    case uniform(Double, Double)
    /// log-uniform real in [low, high) (both > 0): for C, learning rates.
    case logUniform(Double, Double)
    /// Uniform integer in low...high.
    case intRange(Int, Int)

    func draw(_ rng: inout SeededRandom) -> ParamValue {
        switch self {
        case .choice(let v): return v[rng.below(v.count)]
        case .uniform(let lo, let hi): return .double(lo + (hi - lo) * rng.uniform())
        case .logUniform(let lo, let hi): return .double(exp(log(lo) + (log(hi) - log(lo)) * rng.uniform()))
        case .intRange(let lo, let hi): return .int(lo + rng.below(hi - lo + 1))
        }
    }

    func validate(_ name: String) throws {
        switch self {
        case .choice(let v) where v.isEmpty: throw SelectionError.invalid("random search: parameter '\(name)' has no choices")
        case .uniform(let lo, let hi) where !(lo < hi && lo.isFinite && hi.isFinite):
            throw SelectionError.invalid("random search: parameter '\(name)': uniform needs low < high, got \(lo), \(hi)")
        case .logUniform(let lo, let hi) where !(lo > 0 && lo < hi && hi.isFinite):
            throw SelectionError.invalid("random search: parameter '\(name)': log-uniform needs 0 < low < high, got \(lo), \(hi)")
        case .intRange(let lo, let hi) where lo > hi || hi.subtractingReportingOverflow(lo).overflow || hi &- lo == Int.max:
            // draw() computes hi - lo + 1: it must not overflow (±math.maxinteger used to trap).
            throw SelectionError.invalid("random search: parameter '\(name)': int range needs low ≤ high with high - low < \(Int.max), got \(lo), \(hi)")
        default: return
        }
    }
}

/// One evaluated parameter set.
public struct SearchRow: Sendable {
    public let params: ParamSet
    public let cv: CrossValidationResult
    /// 1 = best by the ranking metric (ties share the better rank order of evaluation).
    public let rank: Int
}

public struct SearchResult: Sendable {
    public let rows: [SearchRow]
    public let metricNames: [String]
    public let rankedBy: String
    public var best: SearchRow { rows.first { $0.rank == 1 }! }

    /// One row per candidate: parameters (sorted by name), mean_<metric>,
    /// std_<metric>, rank.
    public func frame() throws -> Frame {
        var cols: [Column] = []
        let keys = Set(rows.flatMap(\.params.keys)).sorted()
        for key in keys {
            let values = rows.map { $0.params[key] }
            let present = values.compactMap { $0 }
            if present.allSatisfy({ if case .int = $0 { return true }; return false }) {
                cols.append(.int(key, values.map { Int64($0?.intValue ?? 0) }, nulls: values.map { $0 == nil }))
            } else if present.allSatisfy({ $0.doubleValue != nil }) {
                cols.append(.float(key, values.map { $0?.doubleValue ?? 0 }, nulls: values.map { $0 == nil }))
            } else if present.allSatisfy({ $0.boolValue != nil }) {
                cols.append(.bool(key, values.map { $0?.boolValue ?? false }, nulls: values.map { $0 == nil }))
            } else {
                cols.append(.string(key, values.map { $0?.description }))
            }
        }
        for (j, m) in metricNames.enumerated() {
            cols.append(.float("mean_" + m, rows.map { $0.cv.mean[j] }))
            cols.append(.float("std_" + m, rows.map { $0.cv.std[j] }))
        }
        cols.append(.int("rank", rows.map { Int64($0.rank) }))
        return try Frame(cols)
    }
}

public enum ParameterSearch {
    /// Every combination of `grid` (keys in sorted order, the last varying
    /// fastest), cross-validated on the same folds (in parallel when `parallel`;
    /// metrics must then be thread-safe).
    public static func grid(factory: ModelFactory, grid: [String: [ParamValue]], X: FeatureMatrix, y: [Double],
                            weights: [Double]? = nil, k: Int = 5, stratify: Bool = true, metrics: [NamedScore],
                            rankBy: String? = nil, higherIsBetter: Bool = true, seed: UInt64 = GlobalSeed.value,
                            parallel: Bool = true, splits: [CVSplit]? = nil, foldData: FoldData? = nil) throws -> SearchResult {
        let keys = grid.keys.sorted()
        for key in keys where grid[key]!.isEmpty { throw SelectionError.invalid("grid search: parameter '\(key)' has no values") }
        var candidates: [ParamSet] = [[:]]
        for key in keys {
            candidates = candidates.flatMap { base in grid[key]!.map { v in var p = base; p[key] = v; return p } }
        }
        return try evaluate(candidates, factory: factory, X: X, y: y, weights: weights, k: k, stratify: stratify,
                            metrics: metrics, rankBy: rankBy, higherIsBetter: higherIsBetter, seed: seed, parallel: parallel,
                            splits: splits, foldData: foldData)
    }

    /// `nIter` parameter sets drawn from `space` with a seeded generator,
    /// cross-validated on the same folds.
    public static func random(factory: ModelFactory, space: [String: ParamDistribution], nIter: Int, X: FeatureMatrix,
                              y: [Double], weights: [Double]? = nil, k: Int = 5, stratify: Bool = true,
                              metrics: [NamedScore], rankBy: String? = nil, higherIsBetter: Bool = true,
                              seed: UInt64 = GlobalSeed.value, parallel: Bool = true, splits: [CVSplit]? = nil,
                              foldData: FoldData? = nil) throws -> SearchResult {
        guard nIter >= 1 else { throw SelectionError.invalid("random search: n_iter must be ≥ 1, got \(nIter)") }
        let keys = space.keys.sorted()
        for key in keys { try space[key]!.validate(key) }
        var rng = SeededRandom(seed: seed, stream: 0x7365_6172_6368)   // "search"
        let candidates: [ParamSet] = (0..<nIter).map { _ in
            var p: ParamSet = [:]
            for key in keys { p[key] = space[key]!.draw(&rng) }
            return p
        }
        return try evaluate(candidates, factory: factory, X: X, y: y, weights: weights, k: k, stratify: stratify,
                            metrics: metrics, rankBy: rankBy, higherIsBetter: higherIsBetter, seed: seed, parallel: parallel,
                            splits: splits, foldData: foldData)
    }

    private static func evaluate(_ candidates: [ParamSet], factory: ModelFactory, X: FeatureMatrix, y: [Double],
                                 weights: [Double]?, k: Int, stratify: Bool, metrics: [NamedScore], rankBy: String?,
                                 higherIsBetter: Bool, seed: UInt64, parallel: Bool, splits: [CVSplit]?,
                                 foldData: FoldData?) throws -> SearchResult {
        guard !metrics.isEmpty else { throw SelectionError.invalid("search: no metrics given") }
        let names = metrics.map(\.name)
        let rankName = rankBy ?? names[0]
        guard let rankIndex = names.firstIndex(of: rankName) else {
            throw SelectionError.invalid("search: rank_by '\(rankName)' is not one of the metrics (\(names.joined(separator: ", ")))")
        }
        var results: [CrossValidationResult] = []
        for params in candidates {
            try ExecutionContext.check()
            let fit = try factory(params)
            do {
                results.append(try CrossValidation.run(fit: fit, X: X, y: y, weights: weights, k: k, stratify: stratify,
                                                       metrics: metrics, seed: seed, parallel: parallel,
                                                       splits: splits, foldData: foldData))
            } catch {
                let p = params.keys.sorted().map { "\($0)=\(params[$0]!)" }.joined(separator: ", ")
                try SelectionError.part(error) { .candidateFailed(params: p, $0) }
            }
        }
        // Rank by the mean of the ranking metric; NaN last; ties keep evaluation order.
        let key = results.map { r -> Double in
            let v = r.mean[rankIndex]
            return v.isNaN ? -.infinity : (higherIsBetter ? v : -v)
        }
        let order = candidates.indices.sorted { key[$0] != key[$1] ? key[$0] > key[$1] : $0 < $1 }
        var rank = [Int](repeating: 0, count: candidates.count)
        for (r, i) in order.enumerated() { rank[i] = r + 1 }
        let rows = candidates.indices.map { SearchRow(params: candidates[$0], cv: results[$0], rank: rank[$0]) }
        return SearchResult(rows: rows, metricNames: names, rankedBy: rankName)
    }
}

/// Convenience spellings used by the binding.
public func gridSearch(factory: ModelFactory, grid: [String: [ParamValue]], X: FeatureMatrix, y: [Double],
                       weights: [Double]? = nil, k: Int = 5, stratify: Bool = true, metrics: [NamedScore],
                       rankBy: String? = nil, higherIsBetter: Bool = true, seed: UInt64 = GlobalSeed.value,
                       parallel: Bool = true, splits: [CVSplit]? = nil, foldData: FoldData? = nil) throws -> SearchResult {
    try ParameterSearch.grid(factory: factory, grid: grid, X: X, y: y, weights: weights, k: k, stratify: stratify,
                             metrics: metrics, rankBy: rankBy, higherIsBetter: higherIsBetter, seed: seed, parallel: parallel,
                             splits: splits, foldData: foldData)
}

public func randomSearch(factory: ModelFactory, space: [String: ParamDistribution], nIter: Int, X: FeatureMatrix,
                         y: [Double], weights: [Double]? = nil, k: Int = 5, stratify: Bool = true, metrics: [NamedScore],
                         rankBy: String? = nil, higherIsBetter: Bool = true, seed: UInt64 = GlobalSeed.value,
                         parallel: Bool = true, splits: [CVSplit]? = nil, foldData: FoldData? = nil) throws -> SearchResult {
    try ParameterSearch.random(factory: factory, space: space, nIter: nIter, X: X, y: y, weights: weights, k: k,
                               stratify: stratify, metrics: metrics, rankBy: rankBy, higherIsBetter: higherIsBetter, seed: seed,
                               parallel: parallel, splits: splits, foldData: foldData)
}
