/// Options for `Metrics.bootstrap`.
public struct BootstrapOptions: Sendable {
    /// Number of resamples.
    public var resamples: Int = 1000
    public var seed: UInt64 = GlobalSeed.value
    /// Two-sided percentile interval level.
    public var level: Double = 0.95
    /// Evaluate resamples on several threads. Turn off when the metric is not
    /// thread-safe (a Lua function); the result is the same either way.
    public var parallel: Bool = true

    public init(resamples: Int = 1000, seed: UInt64 = GlobalSeed.value, level: Double = 0.95, parallel: Bool = true) {
        self.resamples = resamples; self.seed = seed; self.level = level; self.parallel = parallel
    }
}

/// A percentile bootstrap confidence interval.
public struct BootstrapResult: Sendable {
    /// The metric on the full data.
    public let estimate: Double
    public let lower: Double
    public let upper: Double
    /// Standard deviation of the resampled values.
    public let standardError: Double
    /// Metric per successful resample, in resample order.
    public let samples: [Double]
    /// Resamples where the metric threw (e.g. a resample with one class) or gave NaN; left out.
    public let skipped: Int
    public let level: Double
}

extension Metrics {
    /// A metric over labels, scores and optional weights.
    public typealias MetricFunction = (_ y: [Double], _ p: [Double], _ weights: [Double]?) throws -> Double

    /// Percentile bootstrap CI of any metric: rows are resampled with
    /// replacement (weights travel with their rows). Resample r draws from
    /// `SeededRandom(seed:, stream: r)`, so results do not depend on threads.
    public static func bootstrap(_ y: [Double], _ p: [Double], weights: [Double]? = nil,
                                 options: BootstrapOptions = BootstrapOptions(),
                                 metric: MetricFunction) throws -> BootstrapResult {
        guard options.resamples >= 1 && options.resamples <= 1_000_000 else {
            throw MetricsError.invalidOption("resamples must be in 1...1000000, got \(options.resamples)")
        }
        guard options.level > 0 && options.level < 1 else {
            throw MetricsError.invalidOption("confidence level must be in (0, 1), got \(options.level)")
        }
        guard p.count == y.count else { throw MetricsError.lengthMismatch(what: "scores", expected: y.count, got: p.count) }
        if let w = weights, w.count != y.count { throw MetricsError.lengthMismatch(what: "weights", expected: y.count, got: w.count) }
        guard !y.isEmpty else { throw MetricsError.empty(metric: "bootstrap") }
        let estimate = try metric(y, p, weights)
        let n = y.count
        func one(_ r: Int) -> Double {
            var rng = SeededRandom(seed: options.seed, stream: UInt64(r))
            var ys = [Double](repeating: 0, count: n), ps = ys
            var ws: [Double]? = weights == nil ? nil : ys
            for i in 0..<n {
                let j = rng.below(n)
                ys[i] = y[j]; ps[i] = p[j]
                if let w = weights { ws![i] = w[j] }
            }
            return (try? metric(ys, ps, ws)) ?? .nan
        }
        var values = [Double](repeating: .nan, count: options.resamples)
        // Cancellation: before every resample (one metric over n rows).
        if options.parallel {
            try values.withUnsafeMutableBufferPointer { vb in
                let base = vb.baseAddress!
                try Parallel.forEachThrowing(options.resamples) { r in base[r] = one(r) }
            }
        } else {
            for r in 0..<options.resamples { try ExecutionContext.check(); values[r] = one(r) }
        }
        let ok = values.filter { !$0.isNaN }
        guard !ok.isEmpty else { throw MetricsError.invalidOption("the metric failed on every bootstrap resample") }
        let s = ok.sorted()
        let alpha = (1 - options.level) / 2
        let mean = ok.reduce(0, +) / Double(ok.count)
        let sd = ok.count > 1 ? (ok.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(ok.count - 1)).squareRoot() : 0
        return BootstrapResult(estimate: estimate, lower: percentile(sorted: s, q: alpha), upper: percentile(sorted: s, q: 1 - alpha),
                               standardError: sd, samples: ok, skipped: options.resamples - ok.count, level: options.level)
    }
}
