#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Standard normal distribution.
public enum Normal {
    public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
    /// Upper tail 1 − cdf(x), accurate for large x.
    public static func sf(_ x: Double) -> Double { 0.5 * erfc(x / 2.0.squareRoot()) }
    public static func pdf(_ x: Double) -> Double { exp(-0.5 * x * x) / (2 * Double.pi).squareRoot() }

    /// Quantile (inverse cdf): Acklam's rational approximation refined by two
    /// Halley steps, ~1e-15 relative. p outside (0, 1) gives ±inf / NaN.
    public static func quantile(_ p: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let plow = 0.02425
        var x: Double
        if p < plow {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - plow {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
                (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log1p(-p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        for _ in 0..<2 {
            // Halley step on the tail that is computed accurately.
            let e = p < 0.5 ? cdf(x) - p : -(sf(x) - (1 - p))
            let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
            x -= u / (1 + x * u / 2)
        }
        return x
    }
}

/// Student's t distribution with `df` degrees of freedom (df may be fractional, as in Welch's test).
/// Relative accuracy ~1e-12 up to df ≈ 1e5, ~1e-9 at df ≈ 1e7–1e8 (the incomplete-beta
/// continued fraction with a huge parameter), far below what a p-value needs.
public enum StudentT {
    public static func cdf(_ t: Double, df: Double) -> Double {
        if t.isInfinite { return t > 0 ? 1 : 0 }
        let t2 = t * t
        let tail = 0.5 * Special.betaI(df / 2, 0.5, x: df / (df + t2), y: t2 / (df + t2))
        return t > 0 ? 1 - tail : tail
    }
    /// Upper tail P(T > t).
    public static func sf(_ t: Double, df: Double) -> Double { cdf(-t, df: df) }

    public static func quantile(_ p: Double, df: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 || !(df > 0) { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        if p > 0.5 { return -quantile(1 - p, df: df) }
        // Lower tail, t < 0: P(T < t) = ½·I_x(df/2, ½) with x = df/(df+t²). Bisect on
        // y = 1 − x = t²/(df+t²) (the tail falls as y grows), which keeps precision when t²/df is tiny.
        var lo = 0.0, hi = 1.0
        for _ in 0..<400 {
            let mid = 0.5 * (lo + hi)
            if 0.5 * Special.betaI(df / 2, 0.5, x: 1 - mid, y: mid) > p { lo = mid } else { hi = mid }
            if hi - lo <= 1e-16 * hi { break }
        }
        let y = 0.5 * (lo + hi)
        return -(df * y / (1 - y)).squareRoot()
    }
}

/// Chi-square distribution with `df` degrees of freedom.
public enum ChiSquare {
    public static func cdf(_ x: Double, df: Double) -> Double { Special.gammaP(df / 2, x / 2) }
    /// Upper tail P(X > x) (the p-value of a chi-square test).
    public static func sf(_ x: Double, df: Double) -> Double { Special.gammaQ(df / 2, x / 2) }

    public static func quantile(_ p: Double, df: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 || !(df > 0) { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return .infinity }
        var lo = 0.0, hi = max(1.0, df)
        while cdf(hi, df: df) < p { hi *= 2 }
        for _ in 0..<300 {
            let mid = 0.5 * (lo + hi)
            if cdf(mid, df: df) < p { lo = mid } else { hi = mid }
            if hi - lo <= 1e-15 * hi { break }
        }
        return 0.5 * (lo + hi)
    }
}

/// Noncentral chi-square distribution (df degrees of freedom, noncentrality λ):
/// a Poisson(λ/2) mixture of central chi-squares with df + 2j degrees of freedom,
/// summed outwards from the largest Poisson weight until the terms vanish.
public enum NoncentralChiSquare {
    public static func cdf(_ x: Double, df: Double, lambda: Double) -> Double {
        if x <= 0 { return 0 }
        if lambda <= 0 { return ChiSquare.cdf(x, df: df) }
        if !x.isFinite || !lambda.isFinite { return x.isNaN || lambda.isNaN ? .nan : (x.isInfinite ? 1 : 0) }
        let h = lambda / 2
        if h > 1e7 {
            // The Poisson mixture would need ~√λ terms; here the normal limit is accurate to ~1/√λ.
            return Normal.cdf((x - (df + lambda)) / (2 * (df + 2 * lambda)).squareRoot())
        }
        let j0 = Int(h.rounded(.down))
        func term(_ j: Int) -> Double {
            exp(-h + Double(j) * log(h) - lgamma(Double(j) + 1)) * ChiSquare.cdf(x, df: df + 2 * Double(j))
        }
        func weight(_ j: Int) -> Double { exp(-h + Double(j) * log(h) - lgamma(Double(j) + 1)) }
        var sum = term(j0)
        var j = j0 + 1
        while true {
            let t = term(j); sum += t
            if weight(j) < 1e-17 { break }
            j += 1
        }
        j = j0 - 1
        while j >= 0 {
            let t = term(j); sum += t
            if weight(j) < 1e-17 { break }
            j -= 1
        }
        return min(1, sum)
    }
}
