import Foundation

/// Kaplan–Meier product-limit estimate, as lifelines' `KaplanMeierFitter`:
/// S(t) = Π (1 − dᵢ/nᵢ) over the life table, Greenwood variance Σ dᵢ/(nᵢ(nᵢ − dᵢ)),
/// and the log(−log) confidence band exp(−exp(log(−log S) ± z √V / log S)),
/// which stays inside [0, 1] without clipping.
public struct KaplanMeierResult: Sendable {
    public let table: LifeTable
    public let survival: [Double]
    /// Greenwood's cumulative sum (the variance of log S divided by (log S)² is this over (log S)²).
    public let greenwood: [Double]
    public let lower: [Double]
    public let upper: [Double]
    public let alpha: Double

    /// Median survival time: the first time with S(t) <= 0.5 (lifelines' `median_survival_time_`); +inf when S never gets there.
    public var median: Double { Self.quantileTime(survival, times: table.times, p: 0.5) }
    /// The median's CI: the median of the lower and of the upper band (lifelines' `median_survival_times(confidence_interval_)`).
    public var medianLower: Double { Self.quantileTime(lower, times: table.times, p: 0.5) }
    public var medianUpper: Double { Self.quantileTime(upper, times: table.times, p: 0.5) }

    /// The first time at which `curve` <= p, +inf if none.
    static func quantileTime(_ curve: [Double], times: [Double], p: Double) -> Double {
        for (i, s) in curve.enumerated() where s <= p { return times[i] }
        return .infinity
    }

    /// S(t) as a right-continuous step function (lifelines' `survival_function_at_times` /
    /// `predict`): the value at the last table time <= t; 1 before the first.
    public func survival(at t: Double) -> Double { Self.step(survival, times: table.times, at: t, before: 1) }
    public func lower(at t: Double) -> Double { Self.step(lower, times: table.times, at: t, before: 1) }
    public func upper(at t: Double) -> Double { Self.step(upper, times: table.times, at: t, before: 1) }

    static func step(_ v: [Double], times: [Double], at t: Double, before: Double) -> Double {
        var lo = 0, hi = times.count          // first index with times[i] > t
        while lo < hi { let m = (lo + hi) / 2; if times[m] <= t { lo = m + 1 } else { hi = m } }
        return lo == 0 ? before : v[lo - 1]
    }
}

public enum KaplanMeier {
    public static func fit(_ data: SurvivalData, alpha: Double = 0.05) throws -> KaplanMeierResult {
        guard alpha > 0 && alpha < 1 else { throw SurvivalError.invalid("alpha must be in (0, 1), got \(alpha)") }
        return try fit(table: try LifeTable(data), alpha: alpha)
    }

    /// The estimate from a life table (one group's, see `LifeTable.byGroup`).
    public static func fit(table t: LifeTable, alpha: Double = 0.05) throws -> KaplanMeierResult {
        guard alpha > 0 && alpha < 1 else { throw SurvivalError.invalid("alpha must be in (0, 1), got \(alpha)") }
        let n = t.count
        var s = [Double](repeating: 1, count: n), g = [Double](repeating: 0, count: n)
        var logS = 0.0, gw = 0.0
        for i in 0..<n {
            let d = t.observed[i], r = t.population(i)
            if d > 0 {
                // Σ log(1 − d/n) in the log domain (lifelines: log(n − d) − log(n)), then exp.
                logS += log(r - d) - log(r)
                if r - d > 0 { gw += d / (r * (r - d)) }   // lifelines replaces the inf at S = 0 by 0
            }
            s[i] = exp(logS); g[i] = gw
        }
        let z = Normal.quantile(1 - alpha / 2)
        var lo = [Double](repeating: 1, count: n), up = [Double](repeating: 1, count: n)
        for i in 0..<n {
            let v = log(s[i])
            if v == 0 { continue }                       // S = 1: lifelines fills the 0/0 band with 1
            let a = log(-v), b = z * g[i].squareRoot() / v
            lo[i] = exp(-exp(a - b)); up[i] = exp(-exp(a + b))   // v < 0: a − b is the larger
        }
        return KaplanMeierResult(table: t, survival: s, greenwood: g, lower: lo, upper: up, alpha: alpha)
    }
}

/// Nelson–Aalen cumulative hazard, as lifelines' `NelsonAalenFitter`: with tie
/// smoothing (default) ΔH = Σ_{k<d} 1/(n − k) and Var = Σ 1/(n − k)², otherwise
/// ΔH = d/n and Var = d/n²; CI H·exp(±z √Var / H).
public struct NelsonAalenResult: Sendable {
    public let table: LifeTable
    public let cumulativeHazard: [Double]
    public let variance: [Double]
    public let lower: [Double]
    public let upper: [Double]
    public func cumulativeHazard(at t: Double) -> Double { KaplanMeierResult.step(cumulativeHazard, times: table.times, at: t, before: 0) }
}

public enum NelsonAalen {
    public static func fit(_ data: SurvivalData, alpha: Double = 0.05, smoothing: Bool = true) throws -> NelsonAalenResult {
        guard alpha > 0 && alpha < 1 else { throw SurvivalError.invalid("alpha must be in (0, 1), got \(alpha)") }
        if smoothing, data.weights != nil {
            throw SurvivalError.invalid("nelson_aalen: tie smoothing needs integer counts; pass smoothing = false with weights")
        }
        let t = try LifeTable(data)
        let n = t.count
        var h = [Double](repeating: 0, count: n), v = [Double](repeating: 0, count: n)
        var hs = 0.0, vs = 0.0
        for i in 0..<n {
            let d = t.observed[i], r = t.population(i)
            if d > 0 {
                if smoothing {
                    for k in 0..<Int(d) { let q = r - Double(k); hs += 1 / q; vs += 1 / (q * q) }
                } else { hs += d / r; vs += d / (r * r) }
            }
            h[i] = hs; v[i] = vs
        }
        let z = Normal.quantile(1 - alpha / 2)
        var lo = h, up = h
        for i in 0..<n {
            let e = z * v[i].squareRoot() / (h[i] == 0 ? 1 : h[i])
            up[i] = h[i] * exp(e); lo[i] = h[i] * exp(-e)
        }
        return NelsonAalenResult(table: t, cumulativeHazard: h, variance: v, lower: lo, upper: up)
    }
}
