#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Special functions behind the distribution functions: log-gamma, the
/// regularized incomplete gamma and beta functions (Numerical Recipes-style
/// series and Lentz continued fractions, double precision ~1e-14).
enum Special {
    static func lnGamma(_ x: Double) -> Double { lgamma(x) }

    /// Digamma ψ(x) for x > 0: recurrence up to x ≥ 10, then the asymptotic
    /// series ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) (error < 1e-15 there).
    static func digamma(_ x0: Double) -> Double {
        var x = x0, r = 0.0
        while x < 10 { r -= 1 / x; x += 1 }
        let f = 1 / (x * x)
        let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760 - f / 12))))))
        return r + log(x) - 0.5 / x - series
    }

    /// Gauss hypergeometric ₂F₁(a, b; c; z) for 0 <= z < 1 by its power series
    /// (the BG/NBD arguments: z = t/(α + T + t), terms shrink geometrically).
    static func hyp2f1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
        var term = 1.0, sum = 1.0
        for k in 0..<100_000 {
            let kd = Double(k)
            term *= (a + kd) * (b + kd) / ((c + kd) * (kd + 1)) * z
            sum += term
            if abs(term) <= abs(sum) * 1e-17 { break }
        }
        return sum
    }

    /// Regularized lower incomplete gamma P(a, x).
    static func gammaP(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x.isInfinite { return 1 }
        if x < a + 1 { return gammaSeries(a, x) }
        return 1 - gammaContinuedFraction(a, x)
    }

    /// Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the tail.
    static func gammaQ(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        if x.isInfinite { return 0 }
        if x < a + 1 { return 1 - gammaSeries(a, x) }
        return gammaContinuedFraction(a, x)
    }

    /// log Q(a, x), finite far beyond where Q itself underflows to 0 (a log-rank
    /// statistic of 2000 has p ≈ 1e-437): the continued fraction is summed in
    /// linear scale and its exp(−x + a log x − lgamma a) prefactor kept as a log.
    static func logGammaQ(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x.isInfinite { return -.infinity }
        if x < a + 1 { return log1p(-gammaSeries(a, x)) }
        return -x + a * log(x) - lnGamma(a) + log(gammaContinuedFractionCore(a, x))
    }

    private static func gammaSeries(_ a: Double, _ x: Double) -> Double {
        var ap = a, sum = 1 / a, del = sum
        for _ in 0..<10_000 {
            ap += 1; del *= x / ap; sum += del
            if abs(del) < abs(sum) * 1e-16 { break }
        }
        return sum * exp(-x + a * log(x) - lnGamma(a))
    }

    private static func gammaContinuedFraction(_ a: Double, _ x: Double) -> Double {
        exp(-x + a * log(x) - lnGamma(a)) * gammaContinuedFractionCore(a, x)
    }

    /// The Lentz continued fraction of Q(a, x) without its prefactor.
    private static func gammaContinuedFractionCore(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b; if abs(d) < tiny { d = tiny }
            c = b + an / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-16 { break }
        }
        return h
    }

    /// Regularized incomplete beta I_x(a, b).
    static func betaI(_ a: Double, _ b: Double, _ x: Double) -> Double { betaI(a, b, x: x, y: 1 - x) }

    /// I_x(a, b) given both x and y = 1 − x, so callers that know 1 − x more
    /// precisely than x (x near 1, as in the t distribution with large df) keep it.
    static func betaI(_ a: Double, _ b: Double, x: Double, y: Double) -> Double {
        if x <= 0 { return 0 }
        if y <= 0 { return 1 }
        let lx = x < 0.5 ? log(x) : log1p(-y), ly = y < 0.5 ? log(y) : log1p(-x)
        let bt = exp(a * lx + b * ly - lnBeta(a, b))
        if x < (a + 1) / (a + b + 2) { return bt * betaContinuedFraction(a, b, x) / a }
        return 1 - bt * betaContinuedFraction(b, a, y) / b
    }

    /// log B(a, b). For a large argument, lgamma(a + b) − lgamma(a) is taken
    /// from Stirling's series instead of subtracting two huge lgamma values
    /// (which would lose ~log10(lgamma(a)) digits, e.g. 8 at a = 5·10⁶).
    static func lnBeta(_ a: Double, _ b: Double) -> Double {
        let big = max(a, b), small = min(a, b)
        if big < 30 { return lnGamma(a) + lnGamma(b) - lnGamma(a + b) }
        // Stirling remainder δ(z) = lgamma(z) − ((z − ½)·log z − z + ½·log 2π).
        func delta(_ z: Double) -> Double {
            let z2 = z * z
            return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * z2)) / z2) / z2) / z
        }
        // lgamma(big + small) − lgamma(big)
        let ratio = (big - 0.5) * log1p(small / big) + small * log(big + small) - small + delta(big + small) - delta(big)
        return lnGamma(small) - ratio
    }

    private static func betaContinuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0, d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1..<10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-16 { break }
        }
        return h
    }
}
