/// How calibration bins are laid out.
public enum CalibrationBinning: String, Sendable {
    /// Equal-width bins on [0, 1].
    case uniform
    /// Bins holding equal numbers of rows (edges at the probabilities' quantiles).
    case quantile
}

/// A calibration (reliability) curve: per non-empty bin, the mean predicted
/// probability and the observed positive rate, as scikit-learn's
/// `calibration_curve` (which returns only non-empty bins).
public struct CalibrationCurve: Sendable {
    public let meanPredicted: [Double]
    public let fractionPositive: [Double]
    /// Weighted rows per returned bin.
    public let counts: [Double]
    /// The bin edges used (n + 1 values).
    public let edges: [Double]
    /// Expected calibration error: Σ (count_b / N) · |fractionPositive_b − meanPredicted_b|.
    public let ece: Double
}

extension Metrics {
    static func checkProbabilities(_ p: [Double]) throws {
        try p.withUnsafeBufferPointer { pb in
            for i in 0..<pb.count where !(pb[i] >= 0 && pb[i] <= 1) { throw MetricsError.notProbability(row: i, value: pb[i]) }
        }
    }

    /// Binary log loss (cross-entropy) in nats, weighted mean. Probabilities
    /// are clipped to [ε, 1 − ε] with ε = Double.ulpOfOne (2.2e-16), as
    /// scikit-learn ≥ 1.5 does. Labels are taken as the classes {0, 1} even if
    /// only one occurs (scikit-learn needs `labels=[0, 1]` for that case).
    public static func logLoss(_ y: [Double], _ p: [Double], weights: [Double]? = nil) throws -> Double {
        try BinaryInput.check(y, p, weights: weights, scoreName: "probabilities")
        let weights = BinaryInput.scaleFree(weights)
        try checkProbabilities(p)
        let eps = Double.ulpOfOne
        var s = 0.0, ws = 0.0
        for i in 0..<y.count {
            let q = min(max(p[i], eps), 1 - eps)
            let w = weights?[i] ?? 1
            s -= w * (y[i] == 1 ? _log(q) : _log(1 - q)); ws += w
        }
        guard ws > 0 else { throw MetricsError.empty(metric: "log loss") }
        return s / ws
    }

    /// Brier score: weighted mean of (p − y)².
    public static func brier(_ y: [Double], _ p: [Double], weights: [Double]? = nil) throws -> Double {
        try BinaryInput.check(y, p, weights: weights, scoreName: "probabilities")
        let weights = BinaryInput.scaleFree(weights)
        try checkProbabilities(p)
        var s = 0.0, ws = 0.0
        for i in 0..<y.count { let w = weights?[i] ?? 1; let d = p[i] - y[i]; s += w * d * d; ws += w }
        guard ws > 0 else { throw MetricsError.empty(metric: "Brier score") }
        return s / ws
    }

    /// Calibration curve with `bins` bins, binned like scikit-learn: a value on
    /// an inner edge falls in the lower bin; quantile edges use linear
    /// interpolation (NumPy's default percentile). Weights, when given, weight
    /// the bin means and the ECE (quantile edges stay unweighted).
    public static func calibration(_ y: [Double], _ p: [Double], bins: Int = 10,
                                   binning: CalibrationBinning = .uniform,
                                   weights: [Double]? = nil) throws -> CalibrationCurve {
        try BinaryInput.check(y, p, weights: weights, scoreName: "probabilities")
        try BinaryInput.requireFiniteTotal(weights, "calibration curve")
        try checkProbabilities(p)
        guard bins >= 1 && bins <= 100_000 else { throw MetricsError.invalidOption("calibration bins must be in 1...100000, got \(bins)") }
        guard !y.isEmpty else { throw MetricsError.empty(metric: "calibration curve") }
        var edges: [Double]
        switch binning {
        case .uniform:
            edges = (0...bins).map { Double($0) / Double(bins) }
        case .quantile:
            let s = p.sorted()
            edges = (0...bins).map { percentile(sorted: s, q: Double($0) / Double(bins)) }
        }
        let inner = Array(edges.dropFirst().dropLast())
        var sumP = [Double](repeating: 0, count: bins), sumY = sumP, cnt = sumP
        for i in 0..<p.count {
            // searchsorted(inner, p, side='left'): number of inner edges < p.
            var lo = 0, hi = inner.count
            while lo < hi { let m = (lo + hi) >> 1; if inner[m] < p[i] { lo = m + 1 } else { hi = m } }
            let w = weights?[i] ?? 1
            sumP[lo] += w * p[i]; sumY[lo] += w * y[i]; cnt[lo] += w
        }
        var mp = [Double](), fp = [Double](), cs = [Double]()
        var total = 0.0, ece = 0.0
        for b in 0..<bins where cnt[b] > 0 {
            mp.append(sumP[b] / cnt[b]); fp.append(sumY[b] / cnt[b]); cs.append(cnt[b]); total += cnt[b]
        }
        guard total > 0 else { throw MetricsError.empty(metric: "calibration curve") }
        for b in 0..<mp.count { ece += cs[b] / total * abs(fp[b] - mp[b]) }
        return CalibrationCurve(meanPredicted: mp, fractionPositive: fp, counts: cs, edges: edges, ece: ece)
    }

    /// Linear-interpolated percentile of sorted data, q in [0, 1] (NumPy "linear").
    static func percentile(sorted s: [Double], q: Double) -> Double {
        let h = Double(s.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, s.count - 1)
        return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
    }
}
