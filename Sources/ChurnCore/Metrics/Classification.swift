/// Weighted confusion counts of a binary classifier. Rates follow
/// scikit-learn's `zero_division=0`: a ratio with a zero denominator is 0.
public struct ConfusionMatrix: Sendable, Equatable {
    public var tp: Double, fp: Double, tn: Double, fn: Double

    public init(tp: Double, fp: Double, tn: Double, fn: Double) { self.tp = tp; self.fp = fp; self.tn = tn; self.fn = fn }

    public var total: Double { tp + fp + tn + fn }
    public var accuracy: Double { Metrics.ratio(tp + tn, total) }
    public var precision: Double { Metrics.ratio(tp, tp + fp) }
    /// Sensitivity, true positive rate.
    public var recall: Double { Metrics.ratio(tp, tp + fn) }
    /// True negative rate.
    public var specificity: Double { Metrics.ratio(tn, tn + fp) }
    public var f1: Double { Metrics.ratio(2 * tp, 2 * tp + fp + fn) }
    /// Matthews correlation; 0 when a margin is empty (as scikit-learn).
    public var mcc: Double {
        let d = ((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)).squareRoot()
        return d == 0 ? 0 : (tp * tn - fp * fn) / d
    }
}

/// How per-class scores are combined for multiclass labels.
public enum ClassAverage: Sendable, Equatable {
    /// Only the class `positive` (scikit-learn `average="binary"`).
    case binary(positive: Int)
    /// Unweighted mean over classes present in truth or prediction.
    case macro
    /// Mean weighted by each class's support (true count).
    case weighted
    /// Global counts (equals accuracy for single-label data).
    case micro
}

/// Per-class precision, recall, F1 and support for integer class labels.
public struct ClassificationReport: Sendable {
    /// Classes present in truth or prediction, ascending.
    public let classes: [Int]
    public let precision: [Double]
    public let recall: [Double]
    public let f1: [Double]
    public let support: [Double]
    /// confusion[i][j] = weight of truth classes[i] predicted as classes[j].
    public let confusion: [[Double]]
    public let accuracy: Double
    /// Multiclass Matthews correlation (Gorodkin's R_K, as scikit-learn).
    public let mcc: Double

    /// Averages precision, recall and F1 as asked. For `.binary` an absent
    /// positive class scores 0.
    public func averaged(_ average: ClassAverage) -> (precision: Double, recall: Double, f1: Double) {
        switch average {
        case .binary(let pos):
            guard let i = classes.firstIndex(of: pos) else { return (0, 0, 0) }
            return (precision[i], recall[i], f1[i])
        case .macro:
            let k = Double(classes.count)
            return (precision.reduce(0, +) / k, recall.reduce(0, +) / k, f1.reduce(0, +) / k)
        case .weighted:
            let s = support.reduce(0, +)
            func w(_ a: [Double]) -> Double { s == 0 ? 0 : zip(a, support).reduce(0) { $0 + $1.0 * $1.1 } / s }
            return (w(precision), w(recall), w(f1))
        case .micro:
            var tp = 0.0, all = 0.0
            for i in 0..<classes.count { tp += confusion[i][i]; all += confusion[i].reduce(0, +) }
            let a = Metrics.ratio(tp, all)
            return (a, a, a)
        }
    }
}

extension Metrics {
    @inline(__always) static func ratio(_ a: Double, _ b: Double) -> Double { b == 0 ? 0 : a / b }

    /// Confusion counts when "score >= threshold" predicts 1.
    public static func confusion(_ y: [Double], _ p: [Double], threshold: Double = 0.5,
                                 weights: [Double]? = nil) throws -> ConfusionMatrix {
        // NaN compares false with every score: it would silently predict 0 for all rows.
        guard !threshold.isNaN else { throw MetricsError.invalidOption("threshold must be a number, got nan") }
        try BinaryInput.check(y, p, weights: weights)
        try BinaryInput.requireFiniteTotal(weights, "confusion matrix")
        var c = ConfusionMatrix(tp: 0, fp: 0, tn: 0, fn: 0)
        y.withUnsafeBufferPointer { yb in p.withUnsafeBufferPointer { pb in
            for i in 0..<yb.count {
                let w = weights?[i] ?? 1
                let predPos = pb[i] >= threshold
                if yb[i] == 1 { if predPos { c.tp += w } else { c.fn += w } }
                else { if predPos { c.fp += w } else { c.tn += w } }
            }
        } }
        return c
    }

    /// Per-class report for integer class labels (0, 1, 2, …).
    public static func classification(truth: [Int], predicted: [Int], weights: [Double]? = nil) throws -> ClassificationReport {
        guard predicted.count == truth.count else {
            throw MetricsError.lengthMismatch(what: "predicted labels", expected: truth.count, got: predicted.count)
        }
        try BinaryInput.check([Double](repeating: 0, count: truth.count), weights: weights)
        try BinaryInput.requireFiniteTotal(weights, "classification report")
        for (i, v) in truth.enumerated() where v < 0 { throw MetricsError.badClassLabel(what: "true labels", row: i, value: v) }
        for (i, v) in predicted.enumerated() where v < 0 { throw MetricsError.badClassLabel(what: "predicted labels", row: i, value: v) }
        let classes = Array(Set(truth).union(predicted)).sorted()
        guard !classes.isEmpty else { throw MetricsError.empty(metric: "classification report") }
        var pos = [Int: Int]()
        for (i, c) in classes.enumerated() { pos[c] = i }
        let k = classes.count
        var cm = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<truth.count { cm[pos[truth[i]]!][pos[predicted[i]]!] += weights?[i] ?? 1 }
        var prec = [Double](), rec = [Double](), f1 = [Double](), sup = [Double]()
        var colSum = [Double](repeating: 0, count: k)
        for i in 0..<k { for j in 0..<k { colSum[j] += cm[i][j] } }
        var correct = 0.0, total = 0.0
        for i in 0..<k {
            let tp = cm[i][i], rowSum = cm[i].reduce(0, +)
            correct += tp; total += rowSum
            prec.append(ratio(tp, colSum[i])); rec.append(ratio(tp, rowSum))
            f1.append(ratio(2 * tp, colSum[i] + rowSum)); sup.append(rowSum)
        }
        // Multiclass MCC from the confusion matrix margins.
        let tSum = sup, pSum = colSum
        let cov = correct * total - zip(tSum, pSum).reduce(0) { $0 + $1.0 * $1.1 }
        let covPP = total * total - pSum.reduce(0) { $0 + $1 * $1 }
        let covTT = total * total - tSum.reduce(0) { $0 + $1 * $1 }
        let mcc = covPP * covTT == 0 ? 0 : cov / (covTT * covPP).squareRoot()
        return ClassificationReport(classes: classes, precision: prec, recall: rec, f1: f1, support: sup,
                                    confusion: cm, accuracy: ratio(correct, total), mcc: mcc)
    }
}
