/// Precision, recall and lift among the highest-scored share of customers.
public struct TopKResult: Sendable {
    /// Share of (weighted) rows contacted, in (0, 1].
    public let fraction: Double
    public let precision: Double
    public let recall: Double
    /// precision / base rate.
    public let lift: Double
    /// Expected (weighted) positives among the contacted.
    public let positivesCaptured: Double
}

/// Cumulative gains: at each distinct score from the top, the share contacted
/// and the share of all positives captured; starts at (0, 0), ends at (1, 1).
public struct GainsCurve: Sendable {
    public let share: [Double]
    public let gain: [Double]
    /// gain / share (first point, share 0, has lift taken from the next point).
    public let lift: [Double]
    public let thresholds: [Double]
}

extension Metrics {
    /// Metrics over the top `fraction` of rows by score. Rows tied with the
    /// cut-off score are counted fractionally (the expectation over random
    /// tie-breaking), so the result does not depend on row order; without
    /// ties and with fraction·n whole it is the plain top-n count.
    public static func topK(_ y: [Double], _ p: [Double], fraction: Double,
                            weights: [Double]? = nil) throws -> TopKResult {
        guard fraction > 0 && fraction <= 1 else {
            throw MetricsError.invalidOption("top-k fraction must be in (0, 1], got \(fraction)")
        }
        let c = try sorted("top-k precision/lift", y, p, weights: weights, reportsCounts: true).curve()
        return topK(from: c, fraction: fraction)
    }

    static func topK(from c: BinaryCurve, fraction: Double) -> TopKResult {
        let total = c.positives + c.negatives
        let target = fraction * total
        var prevN = 0.0, prevTP = 0.0, tp = c.positives
        for k in 0..<c.thresholds.count {
            let n = c.tps[k] + c.fps[k]
            if n >= target {
                let f = n > prevN ? (target - prevN) / (n - prevN) : 1
                tp = prevTP + f * (c.tps[k] - prevTP)
                break
            }
            prevN = n; prevTP = c.tps[k]
        }
        let precision = ratio(tp, target)
        let base = c.positives / total
        return TopKResult(fraction: fraction, precision: precision, recall: ratio(tp, c.positives),
                          lift: ratio(precision, base), positivesCaptured: tp)
    }

    /// Cumulative gains and lift curve (one point per distinct score).
    public static func gains(_ y: [Double], _ p: [Double], weights: [Double]? = nil) throws -> GainsCurve {
        let c = try sorted("the gains curve", y, p, weights: weights).curve()
        return gains(from: c)
    }

    static func gains(from c: BinaryCurve) -> GainsCurve {
        let total = c.positives + c.negatives
        var share = [0.0], gain = [0.0], th = [Double.infinity]
        for k in 0..<c.thresholds.count {
            share.append((c.tps[k] + c.fps[k]) / total); gain.append(c.tps[k] / c.positives); th.append(c.thresholds[k])
        }
        var lift = zip(gain, share).map { $1 > 0 ? $0 / $1 : 0 }
        if lift.count > 1 { lift[0] = lift[1] }
        return GainsCurve(share: share, gain: gain, lift: lift, thresholds: th)
    }

    /// Lift and gains at each of `buckets` equal shares (deciles by default),
    /// using `topK`'s tie handling; handy for tables and bar charts.
    public static func liftTable(_ y: [Double], _ p: [Double], buckets: Int = 10,
                                 weights: [Double]? = nil) throws -> [TopKResult] {
        guard buckets >= 1 && buckets <= 100_000 else { throw MetricsError.invalidOption("buckets must be in 1...100000, got \(buckets)") }
        let c = try sorted("the lift table", y, p, weights: weights, reportsCounts: true).curve()
        return (1...buckets).map { topK(from: c, fraction: Double($0) / Double(buckets)) }
    }
}
