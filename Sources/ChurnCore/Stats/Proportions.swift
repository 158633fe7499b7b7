/// Two-proportion z-test (e.g. churn rate in treatment vs control).
public struct TwoProportionResult: Sendable {
    public let p1: Double
    public let p2: Double
    /// p1 − p2.
    public let difference: Double
    /// (p1 − p2) / p2.
    public let relativeDifference: Double
    /// Cohen's h = 2·asin√p1 − 2·asin√p2.
    public let cohensH: Double
    public let z: Double
    public let pValue: Double
    /// Wald interval of p1 − p2 (unpooled standard error) at `level`.
    public let lower: Double
    public let upper: Double
    public let level: Double
}

extension Stats {
    /// Pooled-variance z-test of p1 = p2 (as statsmodels' `proportions_ztest`),
    /// with an unpooled Wald interval for the difference (statsmodels'
    /// `confint_proportions_2indep(method="wald")`).
    public static func twoProportionZTest(successes1: Double, trials1: Double, successes2: Double, trials2: Double,
                                          alternative: Alternative = .twoSided, level: Double = 0.95) throws -> TwoProportionResult {
        try checkLevel(level)
        for (name, s, n) in [("group 1", successes1, trials1), ("group 2", successes2, trials2)] {
            guard n > 0, s >= 0, s <= n, s.isFinite, n.isFinite else {
                throw StatsError.invalid("\(name): successes must be in [0, trials] and trials > 0, got \(s) of \(n)")
            }
        }
        let p1 = successes1 / trials1, p2 = successes2 / trials2
        let pooled = (successes1 + successes2) / (trials1 + trials2)
        let se0 = (pooled * (1 - pooled) * (1 / trials1 + 1 / trials2)).squareRoot()
        let diff = p1 - p2
        let z = se0 > 0 ? diff / se0 : (diff == 0 ? 0 : .nan)
        let p = z.isNaN ? .nan : pValue(z, alternative, sf: Normal.sf)
        let se = (p1 * (1 - p1) / trials1 + p2 * (1 - p2) / trials2).squareRoot()
        let q = Normal.quantile(0.5 + level / 2)
        return TwoProportionResult(p1: p1, p2: p2, difference: diff, relativeDifference: p2 > 0 ? diff / p2 : .nan,
                                   cohensH: 2 * asin(p1.squareRoot()) - 2 * asin(p2.squareRoot()),
                                   z: z, pValue: p, lower: diff - q * se, upper: diff + q * se, level: level)
    }
}

/// Sample size / power for comparing a churn rate against a shifted one.
public struct PowerResult: Sendable {
    public let baseline: Double
    public let treated: Double
    public let alpha: Double
    public let power: Double
    /// Rows per group (group 2 has ratio × this many), rounded up.
    public let perGroup: Int
    public let ratio: Double
    public var total: Int { perGroup + Int((Double(perGroup) * ratio).rounded(.up)) }
}

extension Stats {
    /// The two sides of the normal-approximation power equation (two-sided
    /// test, pooled variance under H0, unpooled under H1 — Fleiss' formula
    /// without continuity correction).
    private static func powerTerms(_ p1: Double, _ p2: Double, ratio k: Double) -> (null: Double, alt: Double) {
        let pbar = (p1 + k * p2) / (1 + k)
        return ((pbar * (1 - pbar) * (1 + 1 / k)).squareRoot(), (p1 * (1 - p1) + p2 * (1 - p2) / k).squareRoot())
    }

    private static func checkRates(_ baseline: Double, _ mde: Double, _ alpha: Double, _ ratio: Double) throws -> Double {
        guard baseline > 0 && baseline < 1 else { throw StatsError.invalid("baseline rate must be in (0, 1), got \(baseline)") }
        let p2 = baseline + mde
        guard mde != 0, p2 > 0, p2 < 1 else {
            throw StatsError.invalid("baseline + minimum detectable effect must be in (0, 1) and the effect non-zero, got \(baseline) + \(mde)")
        }
        guard alpha > 0 && alpha < 1 else { throw StatsError.invalid("alpha must be in (0, 1), got \(alpha)") }
        guard ratio >= 1e-6 && ratio <= 1e6 else { throw StatsError.invalid("group ratio must be in [1e-6, 1e6], got \(ratio)") }
        return p2
    }

    /// Rows per group needed to detect an absolute change `mde` of a
    /// `baseline` churn rate with a two-sided test at `alpha` and `power`:
    /// n₁ = (z₁₋α/₂·√(p̄q̄(1+1/k)) + z_power·√(p₁q₁ + p₂q₂/k))² / Δ², n₂ = k·n₁.
    public static func sampleSizeTwoProportions(baseline: Double, mde: Double, alpha: Double = 0.05,
                                                power: Double = 0.8, ratio: Double = 1) throws -> PowerResult {
        let p2 = try checkRates(baseline, mde, alpha, ratio)
        guard power > 0 && power < 1 else { throw StatsError.invalid("power must be in (0, 1), got \(power)") }
        let t = powerTerms(baseline, p2, ratio: ratio)
        let a = Normal.quantile(1 - alpha / 2), b = Normal.quantile(power)
        let n = ((a * t.null + b * t.alt) / mde) * ((a * t.null + b * t.alt) / mde)
        guard n.isFinite && n <= 1e12 else {
            throw StatsError.invalid("the effect \(mde) is too small to detect with any practical sample size")
        }
        return PowerResult(baseline: baseline, treated: p2, alpha: alpha, power: power,
                           perGroup: Int((n - 1e-9).rounded(.up)), ratio: ratio)
    }

    /// Power of the two-sided test with `perGroup` rows in group 1 (ratio × in group 2).
    public static func powerTwoProportions(baseline: Double, mde: Double, perGroup: Int, alpha: Double = 0.05,
                                           ratio: Double = 1) throws -> Double {
        let p2 = try checkRates(baseline, mde, alpha, ratio)
        guard perGroup >= 1 else { throw StatsError.invalid("perGroup must be >= 1, got \(perGroup)") }
        let t = powerTerms(baseline, p2, ratio: ratio)
        let zb = (abs(mde) * Double(perGroup).squareRoot() - Normal.quantile(1 - alpha / 2) * t.null) / t.alt
        return Normal.cdf(zb)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
