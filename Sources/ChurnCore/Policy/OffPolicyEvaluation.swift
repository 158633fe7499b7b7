import Foundation

/// Off-policy estimators of a target policy's value from logged decisions
/// (formulas as in Open Bandit Pipeline, Saito et al. 2021):
///
///   w_i = π(a_i | x_i) / p_i                       (importance weight)
///   IPS       = mean(w r)
///   SNIPS     = Σ w r / Σ w
///   DM        = mean(Σₐ π(a | x) q̂(x, a))
///   DR        = mean(Σₐ π q̂ + w (r − q̂(x, a_i)))
///   Switch-DR = mean(Σₐ π q̂ + 1{w ≤ τ} w (r − q̂(x, a_i)))   (τ = ∞: DR, τ = 0: DM)
///
/// Every estimator is Σ num_i / Σ den_i over per-row terms (den = 1 except
/// SNIPS's w), so the bootstrap resamples rows once and recomputes the ratio.
public enum OffPolicyEvaluation {
    public enum Method: String, CaseIterable, Sendable { case ips, snips, dm, dr, switchDR = "switch_dr" }

    public struct Result: Sendable {
        public var method: Method
        public var value: Double
        public var lower: Double, upper: Double
        public var standardError: Double
        /// (Σ w)² / Σ w²: how many logged rows the estimate is worth.
        public var effectiveSampleSize: Double
        public var n: Int
        /// Mean probability the target puts on actions the logging policy never takes
        /// (nil when the log has no per-action probabilities).
        public var unsupportedMass: Double?
        public var maxWeight: Double
        public var warnings: [String]
    }

    public struct Settings: Sendable {
        public var method: Method = .dr
        public var tau: Double = .infinity
        public var bootstrap = 200
        public var level = 0.95
        public var seed: UInt64 = 42
        public init() {}
    }

    /// Per-row numerator and denominator terms of the estimator.
    static func terms(_ m: Method, logs: LoggedDecisions, target pi: [Double], q: [Double]?, tau: Double)
        -> (num: [Double], den: [Double], w: [Double]) {
        let n = logs.count, k = logs.actionNames.count
        var num = [Double](repeating: 0, count: n), den = [Double](repeating: 1, count: n), w = num
        for i in 0..<n {
            let a = logs.actions[i], r = logs.rewards[i]
            let wi = pi[i * k + a] / logs.propensities[i]
            w[i] = wi
            var dm = 0.0
            if let q { for j in 0..<k { dm += pi[i * k + j] * q[i * k + j] } }
            switch m {
            case .ips: num[i] = wi * r
            case .snips: num[i] = wi * r; den[i] = wi
            case .dm: num[i] = dm
            case .dr: num[i] = dm + wi * (r - q![i * k + a])
            case .switchDR: num[i] = dm + (wi <= tau ? wi * (r - q![i * k + a]) : 0)
            }
        }
        return (num, den, w)
    }

    /// Estimates the value of a target policy (row-major n × K probabilities on the
    /// logged contexts). `q`: reward-model predictions for every row and action
    /// (needed by dm, dr, switch_dr).
    public static func evaluate(_ logs: LoggedDecisions, target pi: [Double], q: [Double]?, _ s: Settings) throws -> Result {
        let n = logs.count, k = logs.actionNames.count
        guard n > 0 else { throw FrameError.invalid("policy.evaluate: the log is empty") }
        try PolicySampling.check(pi, n: n, k: k, what: "target policy")
        if s.method != .ips && s.method != .snips {
            guard let q, q.count == n * k else { throw FrameError.invalid("policy.evaluate: \(s.method.rawValue) needs reward-model predictions for every row and action") }
            guard q.allSatisfy(\.isFinite) else { throw FrameError.invalid("policy.evaluate: reward-model predictions are not all finite") }
        }
        guard s.tau >= 0, !s.tau.isNaN else { throw FrameError.invalid("policy.evaluate: tau must be >= 0") }
        guard (0...100_000).contains(s.bootstrap) else { throw FrameError.invalid("policy.evaluate: bootstrap must be 0…100000") }
        guard s.level > 0, s.level < 1 else { throw FrameError.invalid("policy.evaluate: level must be in (0, 1)") }
        let (num, den, w) = terms(s.method, logs: logs, target: pi, q: q, tau: s.tau)
        let sn = num.reduce(0, +), sd = den.reduce(0, +)
        var warnings: [String] = []
        guard sd > 0 else { throw FrameError.invalid("policy.evaluate: the target policy gives probability 0 to every logged action (SNIPS undefined)") }
        let value = sn / sd
        // Standard error: of a mean, or by the delta method for the SNIPS ratio.
        var ss = 0.0
        for i in 0..<n { let e = (num[i] - value * den[i]) / (sd / Double(n)); ss += e * e }
        let se = n > 1 ? (ss / Double(n - 1) / Double(n)).squareRoot() : .nan
        let sw = w.reduce(0, +), sw2 = w.reduce(0) { $0 + $1 * $1 }
        let ess = sw2 > 0 ? sw * sw / sw2 : 0
        var unsupported: Double? = nil
        if let lp = logs.loggingProbabilities {
            var mass = 0.0
            for i in 0..<n { for a in 0..<k where lp[i * k + a] <= 0 { mass += pi[i * k + a] } }
            unsupported = mass / Double(n)
            if mass > 0 {
                warnings.append(String(format: "the target policy leaves the logged support: %.4g of its probability (mean per row) is on actions the logging policy never takes there; IPS/SNIPS/DR are biased for it", mass / Double(n)))
            }
        }
        if ess < 0.01 * Double(n) {
            warnings.append(String(format: "effective sample size %.1f is under 1 %% of %d rows: the target policy is far from the logging policy", ess, n))
        }
        // Percentile bootstrap.
        var lower = Double.nan, upper = Double.nan
        if s.bootstrap > 0 {
            var stats = [Double](repeating: 0, count: s.bootstrap)
            for b in 0..<s.bootstrap {
                if b & 15 == 0 { try ExecutionContext.check() }
                var rng = SeededRandom(seed: s.seed, stream: UInt64(b))
                var a = 0.0, c = 0.0
                for _ in 0..<n { let i = rng.below(n); a += num[i]; c += den[i] }
                stats[b] = c > 0 ? a / c : value
            }
            stats.sort()
            lower = Quantile.sorted(stats, (1 - s.level) / 2)
            upper = Quantile.sorted(stats, 1 - (1 - s.level) / 2)
        }
        return Result(method: s.method, value: value, lower: lower, upper: upper, standardError: se,
                      effectiveSampleSize: ess, n: n, unsupportedMass: unsupported, maxWeight: w.max() ?? 0, warnings: warnings)
    }
}

/// Linear-interpolation quantile of sorted values (numpy's default).
enum Quantile {
    static func sorted(_ v: [Double], _ p: Double) -> Double {
        guard !v.isEmpty else { return .nan }
        let h = Double(v.count - 1) * p, lo = Int(h.rounded(.down)), hi = min(lo + 1, v.count - 1)
        return v[lo] + (h - Double(lo)) * (v[hi] - v[lo])
    }
}
