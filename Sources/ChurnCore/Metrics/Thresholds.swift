/// What to optimise when choosing a decision threshold.
public enum ThresholdObjective: Sendable, Equatable {
    /// Highest F1.
    case maxF1
    /// Highest recall among thresholds whose precision is at least the target.
    case precisionAtLeast(Double)
    /// Highest precision among thresholds whose recall is at least the target.
    case recallAtLeast(Double)
    /// Lowest total cost costFP·FP + costFN·FN.
    case minCost(costFP: Double, costFN: Double)
}

/// A chosen threshold ("score >= threshold" predicts 1) and its confusion counts.
public struct ThresholdChoice: Sendable {
    public let threshold: Double
    public let confusion: ConfusionMatrix
    /// The optimised quantity (F1, recall, precision or cost).
    public let objective: Double
    public var precision: Double { confusion.precision }
    public var recall: Double { confusion.recall }
    public var f1: Double { confusion.f1 }
}

extension Metrics {
    /// Best threshold over all distinct scores (and +inf, "contact nobody",
    /// for the cost objective). Ties go to the higher threshold. Throws
    /// `invalidOption` when no threshold reaches a precision/recall target.
    public static func bestThreshold(_ y: [Double], _ p: [Double], objective: ThresholdObjective = .maxF1,
                                     weights: [Double]? = nil) throws -> ThresholdChoice {
        switch objective {
        case .precisionAtLeast(let t), .recallAtLeast(let t):
            guard t >= 0 && t <= 1 else { throw MetricsError.invalidOption("target must be in [0, 1], got \(t)") }
        case .minCost(let a, let b):
            guard a >= 0 && b >= 0 && a.isFinite && b.isFinite else {
                throw MetricsError.invalidOption("costs must be finite and >= 0, got cost_fp=\(a), cost_fn=\(b)")
            }
        case .maxF1: break
        }
        let c = try sorted("threshold selection", y, p, weights: weights, reportsCounts: true).curve()
        return try bestThreshold(from: c, objective: objective)
    }

    static func bestThreshold(from c: BinaryCurve, objective: ThresholdObjective) throws -> ThresholdChoice {
        let P = c.positives, N = c.negatives
        func cm(_ tp: Double, _ fp: Double) -> ConfusionMatrix { ConfusionMatrix(tp: tp, fp: fp, tn: N - fp, fn: P - tp) }
        var best: (k: Int, score: Double)? = nil
        // Candidate k = -1 is threshold +inf (nothing predicted positive).
        let start = { if case .minCost = objective { return -1 }; return 0 }()
        for k in start..<c.thresholds.count {
            let tp = k < 0 ? 0 : c.tps[k], fp = k < 0 ? 0 : c.fps[k]
            let m = cm(tp, fp)
            let s: Double?   // larger is better
            switch objective {
            case .maxF1: s = m.f1
            case .precisionAtLeast(let t): s = m.precision >= t ? m.recall : nil
            case .recallAtLeast(let t): s = m.recall >= t ? m.precision : nil
            case .minCost(let a, let b): s = -(a * m.fp + b * m.fn)
            }
            if let s, best == nil || s > best!.score { best = (k, s) }
        }
        guard let best else {
            switch objective {
            case .precisionAtLeast(let t): throw MetricsError.invalidOption("no threshold reaches precision \(t)")
            case .recallAtLeast(let t): throw MetricsError.invalidOption("no threshold reaches recall \(t)")
            default: throw MetricsError.empty(metric: "threshold selection")
            }
        }
        let k = best.k
        let m = k < 0 ? cm(0, 0) : cm(c.tps[k], c.fps[k])
        let value: Double
        if case .minCost = objective { value = -best.score } else { value = best.score }
        return ThresholdChoice(threshold: k < 0 ? .infinity : c.thresholds[k], confusion: m, objective: value)
    }
}
