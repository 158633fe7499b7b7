import Foundation

/// The lift table and the calibration curve as frames, one row per bucket or
/// bin, with the counts a reader needs to judge each row.
extension Metrics {
    /// Columns: bucket (1-based), fraction (cumulative share contacted),
    /// rows (rows in the bucket, weighted), positives (in the bucket; an
    /// expected count when scores tie across a bucket edge, as `topK` shares ties),
    /// rate (bucket positive rate), bucket_lift (rate / base rate), and the
    /// cumulative precision, recall, lift and captured of `liftTable`.
    public static func liftFrame(_ y: [Double], _ p: [Double], buckets: Int = 10, weights: [Double]? = nil) throws -> Frame {
        let t = try liftTable(y, p, buckets: buckets, weights: weights)
        let total = weights.map { $0.reduce(0, +) } ?? Double(y.count)
        let positives = weights.map { w in zip(y, w).reduce(0) { $0 + $1.0 * $1.1 } } ?? y.reduce(0, +)
        let base = total > 0 ? positives / total : 0
        var rows: [Double] = [], pos: [Double] = [], rate: [Double] = [], blift: [Double] = []
        var prevRows = 0.0, prevPos = 0.0
        for r in t {
            let cr = r.fraction * total, nr = cr - prevRows, np = r.positivesCaptured - prevPos
            rows.append(nr); pos.append(np)
            let br = nr > 0 ? np / nr : .nan
            rate.append(br); blift.append(base > 0 ? br / base : .nan)
            prevRows = cr; prevPos = r.positivesCaptured
        }
        return try Frame([.int("bucket", (1...t.count).map(Int64.init)), .float("fraction", t.map(\.fraction)),
                          .float("rows", rows), .float("positives", pos), .float("rate", rate), .float("bucket_lift", blift),
                          .float("precision", t.map(\.precision)), .float("recall", t.map(\.recall)),
                          .float("lift", t.map(\.lift)), .float("captured", t.map(\.positivesCaptured))])
    }

    /// Columns: bin_lower, bin_upper (the bin's edges), count (rows,
    /// weighted), mean_predicted, fraction_positive, gap (fraction_positive −
    /// mean_predicted); non-empty bins only, as scikit-learn's calibration_curve.
    /// The ECE is `curve.ece`.
    public static func calibrationFrame(_ curve: CalibrationCurve) throws -> Frame {
        let e = curve.edges
        var lo: [Double] = [], hi: [Double] = []
        for m in curve.meanPredicted {
            // The bin holding m: the last edge <= m (the top edge closes the last bin).
            var k = 0
            while k + 2 < e.count && e[k + 1] <= m { k += 1 }
            lo.append(e[k]); hi.append(e[min(k + 1, e.count - 1)])
        }
        return try Frame([.float("bin_lower", lo), .float("bin_upper", hi), .float("count", curve.counts),
                          .float("mean_predicted", curve.meanPredicted), .float("fraction_positive", curve.fractionPositive),
                          .float("gap", zip(curve.fractionPositive, curve.meanPredicted).map { $0 - $1 })])
    }
}
