/// Distribution functions with their domains checked, for callers passing user input
/// (the `cl.stats` p*/q* functions). The unchecked `Normal`/`StudentT`/`ChiSquare` functions
/// answer NaN (or a meaningless limit) outside the domain — `quantile(2)` is NaN and
/// `StudentT.cdf(1, df: 0)` is 1 — which a script would carry on computing with; here the
/// same inputs are errors naming the function, the argument and the accepted range.
///
/// Domains (as R and SciPy define them): a probability is in [0, 1] (0 and 1 give the
/// infinite or zero quantile); df > 0 (t also accepts df = +inf, the normal limit; scipy's
/// `t.cdf(x, np.inf)` equals `norm.cdf(x)`); x and t may be ±inf; a chi-square x < 0 has
/// cdf 0. NaN is never accepted.
public enum DistributionFunctions {
    public static func pnorm(_ x: Double) throws -> Double {
        try value(x, "pnorm", "x")
        return Normal.cdf(x)
    }

    public static func qnorm(_ p: Double) throws -> Double {
        try probability(p, "qnorm")
        return Normal.quantile(p)
    }

    public static func pt(_ t: Double, df: Double) throws -> Double {
        try value(t, "pt", "t")
        try degreesOfFreedom(df, "pt", infiniteAllowed: true)
        return df.isInfinite ? Normal.cdf(t) : StudentT.cdf(t, df: df)
    }

    public static func qt(_ p: Double, df: Double) throws -> Double {
        try probability(p, "qt")
        try degreesOfFreedom(df, "qt", infiniteAllowed: true)
        return df.isInfinite ? Normal.quantile(p) : StudentT.quantile(p, df: df)
    }

    public static func pchisq(_ x: Double, df: Double) throws -> Double {
        try value(x, "pchisq", "x")
        try degreesOfFreedom(df, "pchisq", infiniteAllowed: false)
        return ChiSquare.cdf(x, df: df)
    }

    public static func qchisq(_ p: Double, df: Double) throws -> Double {
        try probability(p, "qchisq")
        try degreesOfFreedom(df, "qchisq", infiniteAllowed: false)
        return ChiSquare.quantile(p, df: df)
    }

    // MARK: domain checks

    static func value(_ x: Double, _ fn: String, _ name: String) throws {
        guard !x.isNaN else { throw StatsError.invalid("\(fn): \(name) is NaN") }
    }

    static func probability(_ p: Double, _ fn: String) throws {
        guard p >= 0 && p <= 1 else { throw StatsError.invalid("\(fn): probability p must be in [0, 1], got \(p)") }
    }

    static func degreesOfFreedom(_ df: Double, _ fn: String, infiniteAllowed: Bool) throws {
        guard df > 0, infiniteAllowed || df.isFinite else {
            throw StatsError.invalid("\(fn): degrees of freedom df must be " + (infiniteAllowed ? "> 0" : "> 0 and finite") + ", got \(df)")
        }
    }
}
