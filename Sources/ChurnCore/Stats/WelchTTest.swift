/// Welch's unequal-variance t-test.
public struct WelchResult: Sendable {
    public let mean1: Double
    public let mean2: Double
    /// mean1 − mean2.
    public let difference: Double
    public let t: Double
    /// Welch–Satterthwaite degrees of freedom.
    public let df: Double
    public let pValue: Double
    /// Interval of the mean difference at `level` (t quantile with Welch df).
    public let lower: Double
    public let upper: Double
    public let level: Double
    /// Cohen's d with the pooled standard deviation.
    public let cohensD: Double
    /// Hedges' g: d with the small-sample correction 1 − 3 / (4(n₁+n₂) − 9).
    public let hedgesG: Double
}

extension Stats {
    /// Welch's t-test of mean(x) = mean(y) (as SciPy's `ttest_ind(equal_var=False)`).
    public static func welchTTest(_ x: [Double], _ y: [Double], alternative: Alternative = .twoSided,
                                  level: Double = 0.95) throws -> WelchResult {
        try checkLevel(level)
        guard x.count >= 2 else { throw StatsError.tooFewObservations(what: "Welch's t-test, first sample", need: 2, got: x.count) }
        guard y.count >= 2 else { throw StatsError.tooFewObservations(what: "Welch's t-test, second sample", need: 2, got: y.count) }
        try checkFinite(x, "first sample"); try checkFinite(y, "second sample")
        let n1 = Double(x.count), n2 = Double(y.count)
        let m1 = mean(x), m2 = mean(y), v1 = variance(x), v2 = variance(y)
        let a = v1 / n1, b = v2 / n2
        let se = (a + b).squareRoot()
        let df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1))
        let diff = m1 - m2
        guard se > 0 else { throw StatsError.invalid("Welch's t-test: both samples have zero variance") }
        let t = diff / se
        let p = pValue(t, alternative, sf: { StudentT.sf($0, df: df) })
        let q = StudentT.quantile(0.5 + level / 2, df: df)
        let sp = (((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)).squareRoot()
        let d = sp > 0 ? diff / sp : .nan
        return WelchResult(mean1: m1, mean2: m2, difference: diff, t: t, df: df, pValue: p,
                           lower: diff - q * se, upper: diff + q * se, level: level,
                           cohensD: d, hedgesG: d * (1 - 3 / (4 * (n1 + n2) - 9)))
    }
}
