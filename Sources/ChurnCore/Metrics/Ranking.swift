/// Ranking metrics for binary labels (0/1) and scores (higher = more likely 1).
///
/// Degenerate input: when the labels hold only one class, ROC AUC, the ROC
/// curve, KS and average precision throw `MetricsError.singleClass`
/// (scikit-learn raises for ROC AUC and returns NaN / 0 with a warning for the
/// curves; ChurnLab prefers one clear error). `MetricsReport` turns these into
/// NaN plus a warning.
public enum Metrics {}

/// A ROC curve: false and true positive rates at decreasing thresholds. The
/// first point is (0, 0) at threshold +inf, as in scikit-learn.
public struct ROCCurve: Sendable {
    public let fpr: [Double]
    public let tpr: [Double]
    public let thresholds: [Double]
}

/// A precision–recall curve in scikit-learn's order: thresholds increasing,
/// recall decreasing, ending with the point (recall 0, precision 1) that has
/// no threshold (so `thresholds.count == precision.count - 1`).
public struct PRCurve: Sendable {
    public let precision: [Double]
    public let recall: [Double]
    public let thresholds: [Double]
}

extension Metrics {
    /// Validates and sorts once; shared by the ranking metrics.
    /// `reportsCounts`: the caller returns weighted counts, so an overflowing weight total
    /// is an error; otherwise the weights are rescaled (`BinaryInput.scaleFree`).
    static func sorted(_ metric: String, _ y: [Double], _ p: [Double], weights: [Double]?,
                       reportsCounts: Bool = false) throws -> SortedClasses {
        try BinaryInput.check(y, p, weights: weights)
        if reportsCounts { try BinaryInput.requireFiniteTotal(weights, metric) }
        let s = SortedClasses(y, p, weights: reportsCounts ? weights : BinaryInput.scaleFree(weights))
        try BinaryInput.requireBothClasses(metric, pos: s.posTotal, neg: s.negTotal)
        return s
    }

    /// Exact ROC AUC (ties count ½, equal to scikit-learn's `roc_auc_score`),
    /// O(n) radix sort + linear sweep; optional sample weights.
    public static func rocAUC(_ y: [Double], _ p: [Double], weights: [Double]? = nil) throws -> Double {
        try sorted("ROC AUC", y, p, weights: weights).auc()
    }

    /// Confusion counts at every distinct threshold (descending).
    public static func binaryCurve(_ y: [Double], _ p: [Double], weights: [Double]? = nil) throws -> BinaryCurve {
        try sorted("the threshold curve", y, p, weights: weights, reportsCounts: true).curve()
    }

    /// ROC curve points like scikit-learn's `roc_curve`. With
    /// `dropIntermediate` (scikit-learn's default) collinear points on
    /// horizontal/vertical runs are dropped; without it, one point per
    /// distinct score plus the leading (0, 0).
    public static func rocCurve(_ y: [Double], _ p: [Double], weights: [Double]? = nil,
                                dropIntermediate: Bool = true) throws -> ROCCurve {
        let c = try sorted("the ROC curve", y, p, weights: weights).curve()
        return rocCurve(from: c, dropIntermediate: dropIntermediate)
    }

    static func rocCurve(from c: BinaryCurve, dropIntermediate: Bool) -> ROCCurve {
        var idx = Array(0..<c.thresholds.count)
        if dropIntermediate && idx.count > 2 {
            // Keep a point unless it lies in the middle of a straight vertical or horizontal run.
            idx = [0]
            for k in 1..<(c.tps.count - 1) {
                let bendFP = (c.fps[k] - c.fps[k - 1]) != (c.fps[k + 1] - c.fps[k])
                let bendTP = (c.tps[k] - c.tps[k - 1]) != (c.tps[k + 1] - c.tps[k])
                if bendFP || bendTP { idx.append(k) }
            }
            idx.append(c.tps.count - 1)
        }
        var fpr = [0.0], tpr = [0.0], th = [Double.infinity]
        fpr.reserveCapacity(idx.count + 1); tpr.reserveCapacity(idx.count + 1); th.reserveCapacity(idx.count + 1)
        for k in idx {
            fpr.append(c.fps[k] / c.negatives); tpr.append(c.tps[k] / c.positives); th.append(c.thresholds[k])
        }
        return ROCCurve(fpr: fpr, tpr: tpr, thresholds: th)
    }

    /// Precision–recall curve like scikit-learn's `precision_recall_curve`
    /// (precision is 0 where nothing is predicted positive). By default every
    /// distinct threshold; `dropIntermediate` keeps only the first and last
    /// point of each run of equal recall (scikit-learn's option of the same name).
    public static func prCurve(_ y: [Double], _ p: [Double], weights: [Double]? = nil,
                               dropIntermediate: Bool = false) throws -> PRCurve {
        let c = try sorted("the precision-recall curve", y, p, weights: weights).curve()
        return prCurve(from: c, dropIntermediate: dropIntermediate)
    }

    static func prCurve(from full: BinaryCurve, dropIntermediate: Bool = false) -> PRCurve {
        var c = full
        if dropIntermediate && c.tps.count > 2 {
            var keep = [0]
            for k in 1..<(c.tps.count - 1) where c.tps[k] != c.tps[k - 1] || c.tps[k + 1] != c.tps[k] { keep.append(k) }
            keep.append(c.tps.count - 1)
            c = BinaryCurve(thresholds: keep.map { c.thresholds[$0] }, tps: keep.map { c.tps[$0] }, fps: keep.map { c.fps[$0] })
        }
        let m = c.thresholds.count
        var prec = [Double](repeating: 0, count: m + 1), rec = [Double](repeating: 0, count: m + 1)
        var th = [Double](repeating: 0, count: m)
        for k in 0..<m {
            let r = m - 1 - k
            let ps = c.tps[r] + c.fps[r]
            prec[k] = ps != 0 ? c.tps[r] / ps : 0
            rec[k] = c.tps[r] / c.positives
            th[k] = c.thresholds[r]
        }
        prec[m] = 1; rec[m] = 0
        return PRCurve(precision: prec, recall: rec, thresholds: th)
    }

    /// Average precision, scikit-learn's definition: Σ (Rₙ − Rₙ₋₁) Pₙ over
    /// distinct thresholds (a step integral, no interpolation).
    public static func averagePrecision(_ y: [Double], _ p: [Double], weights: [Double]? = nil) throws -> Double {
        let c = try sorted("average precision", y, p, weights: weights).curve()
        return averagePrecision(from: c)
    }

    static func averagePrecision(from c: BinaryCurve) -> Double {
        var ap = 0.0, prevR = 0.0
        for k in 0..<c.thresholds.count {
            let r = c.tps[k] / c.positives
            let ps = c.tps[k] + c.fps[k]
            ap += (r - prevR) * (ps != 0 ? c.tps[k] / ps : 0)
            prevR = r
        }
        return max(0, ap)
    }

    /// Kolmogorov–Smirnov statistic between the score distributions of the two
    /// classes: max |TPR − FPR| over thresholds (equals SciPy's `ks_2samp`
    /// statistic on the positives' and negatives' scores when unweighted).
    public static func ksStatistic(_ y: [Double], _ p: [Double], weights: [Double]? = nil) throws -> KSResult {
        let c = try sorted("the KS statistic", y, p, weights: weights).curve()
        return ks(from: c)
    }

    static func ks(from c: BinaryCurve) -> KSResult {
        var best = 0.0, at = Double.infinity
        for k in 0..<c.thresholds.count {
            let d = abs(c.tps[k] / c.positives - c.fps[k] / c.negatives)
            if d > best { best = d; at = c.thresholds[k] }
        }
        return KSResult(statistic: best, threshold: at)
    }
}

/// The KS statistic and the threshold (score) where the gap is widest.
public struct KSResult: Sendable {
    public let statistic: Double
    public let threshold: Double
}
