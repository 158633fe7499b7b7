import Foundation

/// Options for `MetricsReport`.
public struct ReportOptions: Sendable {
    /// "score >= threshold" predicts 1.
    public var threshold: Double = 0.5
    /// Share of top-scored rows for precision/recall/lift at k.
    public var topFraction: Double = 0.1
    /// Uniform bins for the calibration error.
    public var calibrationBins: Int = 10
    public init(threshold: Double = 0.5, topFraction: Double = 0.1, calibrationBins: Int = 10) {
        self.threshold = threshold; self.topFraction = topFraction; self.calibrationBins = calibrationBins
    }
}

/// Every binary metric at once, computed from one sort. Metrics undefined for
/// the data (one class only, scores outside [0, 1] for the probabilistic
/// ones) are NaN and `warnings` says why.
public struct MetricsReport: Sendable, CustomStringConvertible {
    public let rows: Int
    public let positives: Double
    public let negatives: Double
    public let prevalence: Double
    public let threshold: Double
    public let confusion: ConfusionMatrix
    public var accuracy: Double { confusion.accuracy }
    public var precision: Double { confusion.precision }
    public var recall: Double { confusion.recall }
    public var specificity: Double { confusion.specificity }
    public var f1: Double { confusion.f1 }
    public var mcc: Double { confusion.mcc }
    public let rocAUC: Double
    public let averagePrecision: Double
    public let ks: Double
    public let logLoss: Double
    public let brier: Double
    public let ece: Double
    public let topFraction: Double
    public let precisionAtTop: Double
    public let recallAtTop: Double
    public let liftAtTop: Double
    /// Threshold maximising F1 and that F1.
    public let bestF1Threshold: Double
    public let bestF1: Double
    public let warnings: [String]

    public init(_ y: [Double], _ p: [Double], weights: [Double]? = nil, options: ReportOptions = ReportOptions()) throws {
        try BinaryInput.check(y, p, weights: weights)
        try BinaryInput.requireFiniteTotal(weights, "the metrics report")
        guard options.topFraction > 0 && options.topFraction <= 1 else {
            throw MetricsError.invalidOption("top fraction must be in (0, 1], got \(options.topFraction)")
        }
        var warnings: [String] = []
        let s = SortedClasses(y, p, weights: weights)
        rows = y.count; positives = s.posTotal; negatives = s.negTotal
        guard positives + negatives > 0 else { throw MetricsError.empty(metric: "the metrics report") }
        prevalence = positives / (positives + negatives)
        threshold = options.threshold
        confusion = try Metrics.confusion(y, p, threshold: options.threshold, weights: weights)
        topFraction = options.topFraction
        if positives > 0 && negatives > 0 {
            let c = s.curve()
            rocAUC = s.auc()
            averagePrecision = Metrics.averagePrecision(from: c)
            ks = Metrics.ks(from: c).statistic
            let t = Metrics.topK(from: c, fraction: options.topFraction)
            precisionAtTop = t.precision; recallAtTop = t.recall; liftAtTop = t.lift
            let b = try Metrics.bestThreshold(from: c, objective: .maxF1)
            bestF1Threshold = b.threshold; bestF1 = b.f1
        } else {
            warnings.append("only one class in the labels: ROC AUC, average precision, KS, top-k and best threshold are undefined (NaN)")
            rocAUC = .nan; averagePrecision = .nan; ks = .nan
            precisionAtTop = .nan; recallAtTop = .nan; liftAtTop = .nan; bestF1Threshold = .nan; bestF1 = .nan
        }
        if p.allSatisfy({ $0 >= 0 && $0 <= 1 }) {
            logLoss = try Metrics.logLoss(y, p, weights: weights)
            brier = try Metrics.brier(y, p, weights: weights)
            ece = try Metrics.calibration(y, p, bins: options.calibrationBins, weights: weights).ece
        } else {
            warnings.append("scores are not probabilities in [0, 1]: log loss, Brier and calibration error are NaN")
            logLoss = .nan; brier = .nan; ece = .nan
        }
        self.warnings = warnings
    }

    /// (name, value) pairs in display order (for tables and the Lua binding).
    public var entries: [(name: String, value: Double)] {
        let k = Self.percent(topFraction)
        return [("rows", Double(rows)), ("positives", positives), ("prevalence", prevalence), ("threshold", threshold),
                ("accuracy", accuracy), ("precision", precision), ("recall", recall), ("specificity", specificity),
                ("f1", f1), ("mcc", mcc), ("roc_auc", rocAUC), ("average_precision", averagePrecision), ("ks", ks),
                ("log_loss", logLoss), ("brier", brier), ("ece", ece),
                ("precision_at_\(k)", precisionAtTop), ("recall_at_\(k)", recallAtTop), ("lift_at_\(k)", liftAtTop),
                ("best_f1_threshold", bestF1Threshold), ("best_f1", bestF1),
                ("tp", confusion.tp), ("fp", confusion.fp), ("tn", confusion.tn), ("fn", confusion.fn)]
    }

    static func percent(_ f: Double) -> String {
        let v = f * 100
        return v == v.rounded() && abs(v) < 1e15 ? "\(Int(v))pct" : String(v) + "pct"   // Int(inf) would trap
    }

    /// An aligned two-column table.
    public var description: String {
        let e = entries
        let w = e.map { $0.name.count }.max() ?? 0
        var out = e.map { n, v in
            n.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + Self.format(v)
        }
        out += warnings.map { "warning: " + $0 }
        return out.joined(separator: "\n")
    }

    /// How report values print: integers without decimals, others with up to 6, nan/inf spelled out.
    public static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
