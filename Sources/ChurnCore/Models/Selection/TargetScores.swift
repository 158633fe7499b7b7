import Foundation

/// Model-selection scores for non-binary targets, on (coded target, model
/// output): regression on (y, predicted value), multiclass on (class code,
/// predicted class code). Definitions as scikit-learn's `metrics` module
/// (weighted when weights are given).
public enum TargetScores {
    public typealias Score = ([Double], [Double], [Double]?) throws -> Double

    /// Names for a target kind, the defaults first; empty for binary (the metrics layer has those).
    public static func names(for kind: TargetKind) -> [String] {
        switch kind {
        case .binary: return []
        case .continuous: return ["rmse", "mae", "r2", "mse"]
        case .multiclass: return ["accuracy"]
        }
    }

    /// What cross-validation reports when no metric is given.
    public static func defaults(for kind: TargetKind) -> [String] {
        switch kind {
        case .binary: return ["auc"]
        case .continuous: return ["rmse", "mae", "r2"]
        case .multiclass: return ["accuracy"]
        }
    }

    /// Scores where smaller is better.
    public static let lowerIsBetter: Set<String> = ["rmse", "mae", "mse"]

    /// The score `name` for `kind`, nil when the kind has no such score.
    public static func named(_ name: String, for kind: TargetKind) -> Score? {
        guard names(for: kind).contains(name) else { return nil }
        switch name {
        case "rmse": return { sqrt(try mse($0, $1, $2)) }
        case "mse": return mse
        case "mae": return { y, p, w in try weightedMean(y, p, w) { abs($0 - $1) } }
        case "r2": return r2
        case "accuracy": return { y, p, w in try weightedMean(y, p, w) { $0 == $1 ? 1 : 0 } }
        default: return nil
        }
    }

    static func mse(_ y: [Double], _ p: [Double], _ w: [Double]?) throws -> Double {
        try weightedMean(y, p, w) { ($0 - $1) * ($0 - $1) }
    }

    /// 1 − SS_res / SS_tot around the (weighted) mean of y; 1 when y is constant
    /// and predicted exactly, 0 when constant and not (scikit-learn's convention).
    static func r2(_ y: [Double], _ p: [Double], _ w: [Double]?) throws -> Double {
        try check(y, p, w)
        var sw = 0.0, swy = 0.0
        for i in y.indices { let wi = w?[i] ?? 1; sw += wi; swy += wi * y[i] }
        let mean = swy / sw
        var res = 0.0, tot = 0.0
        for i in y.indices {
            let wi = w?[i] ?? 1
            res += wi * (y[i] - p[i]) * (y[i] - p[i]); tot += wi * (y[i] - mean) * (y[i] - mean)
        }
        if tot == 0 { return res == 0 ? 1 : 0 }
        return 1 - res / tot
    }

    private static func weightedMean(_ y: [Double], _ p: [Double], _ w: [Double]?, _ f: (Double, Double) -> Double) throws -> Double {
        try check(y, p, w)
        var s = 0.0, sw = 0.0
        for i in y.indices { let wi = w?[i] ?? 1; s += wi * f(y[i], p[i]); sw += wi }
        return s / sw
    }

    private static func check(_ y: [Double], _ p: [Double], _ w: [Double]?) throws {
        guard y.count == p.count else { throw SelectionError.invalid("score: \(y.count) targets but \(p.count) predictions") }
        guard !y.isEmpty else { throw SelectionError.invalid("score: no rows") }
        if let w {
            guard w.count == y.count else { throw SelectionError.invalid("score: \(w.count) weights for \(y.count) rows") }
            guard w.reduce(0, +) > 0 else { throw SelectionError.invalid("score: the weights sum to 0") }
        }
    }
}
