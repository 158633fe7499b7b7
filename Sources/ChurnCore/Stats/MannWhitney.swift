/// How the Mann–Whitney p-value is computed.
public enum MannWhitneyMethod: String, Sendable {
    /// SciPy's rule: exact when both samples have at most 8 values and there are no ties, else asymptotic.
    case auto
    /// Normal approximation with tie and continuity correction.
    case asymptotic
    /// Exact null distribution of U (no ties allowed; n₁·n₂ ≤ 10,000).
    case exact
}

/// Mann–Whitney U test.
public struct MannWhitneyResult: Sendable {
    /// The method actually used (`.auto` resolved).
    public let method: MannWhitneyMethod
    /// U of the first sample (SciPy's `statistic`).
    public let u: Double
    /// Normal deviate (tie-corrected, continuity-corrected).
    public let z: Double
    public let pValue: Double
    /// P(X > Y) + ½ P(X = Y) = U / (n₁n₂) (the AUC of x against y).
    public let probabilityOfSuperiority: Double
    /// Rank-biserial correlation 2·P(X>Y) − 1.
    public let rankBiserial: Double
    /// DeLong interval of the probability of superiority at `level`.
    public let lower: Double
    public let upper: Double
    public let level: Double
}

extension Stats {
    /// Mann–Whitney U test with the normal approximation, tie correction and
    /// continuity correction (SciPy's `mannwhitneyu(method="asymptotic")`).
    public static func mannWhitneyU(_ x: [Double], _ y: [Double], alternative: Alternative = .twoSided,
                                    method: MannWhitneyMethod = .auto, level: Double = 0.95) throws -> MannWhitneyResult {
        try checkLevel(level)
        guard !x.isEmpty else { throw StatsError.tooFewObservations(what: "Mann-Whitney U, first sample", need: 1, got: 0) }
        guard !y.isEmpty else { throw StatsError.tooFewObservations(what: "Mann-Whitney U, second sample", need: 1, got: 0) }
        try checkFinite(x, "first sample"); try checkFinite(y, "second sample")
        let n1 = Double(x.count), n2 = Double(y.count), n = n1 + n2
        // Sort the pooled sample once; midranks and the tie term come from its runs.
        var keys = (x + y).map(ScoreSort.key)
        var fromX: [Bool]? = [Bool](repeating: true, count: x.count) + [Bool](repeating: false, count: y.count)
        ScoreSort.sort(&keys, payload: &fromX)
        var r1 = 0.0, tieTerm = 0.0, g = 0
        while g < keys.count {
            var e = g + 1
            while e < keys.count && keys[e] == keys[g] { e += 1 }
            let midrank = Double(g + 1 + e) / 2
            for t in g..<e where fromX![t] { r1 += midrank }
            let tn = Double(e - g); tieTerm += tn * tn * tn - tn
            g = e
        }
        let u1 = r1 - n1 * (n1 + 1) / 2
        var used = method
        if used == .auto { used = x.count <= 8 && y.count <= 8 && tieTerm == 0 ? .exact : .asymptotic }
        if used == .exact {
            guard tieTerm == 0 else { throw StatsError.invalid("the exact Mann-Whitney test needs untied data; use the asymptotic method") }
            guard n1 * n2 <= 10_000 else { throw StatsError.invalid("the exact Mann-Whitney test is limited to n1·n2 <= 10000, got \(Int(n1 * n2))") }
        }
        let mu = n1 * n2 / 2
        let sigma = (n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
        var z: Double, p: Double
        switch alternative {
        case .twoSided:
            let u = max(u1, n1 * n2 - u1)
            z = sigma > 0 ? (u - mu - 0.5) / sigma : 0
            p = sigma > 0 ? min(1, 2 * Normal.sf(z)) : 1
        case .greater:
            z = sigma > 0 ? (u1 - mu - 0.5) / sigma : 0
            p = sigma > 0 ? Normal.sf(z) : 1
        case .less:
            z = sigma > 0 ? (n1 * n2 - u1 - mu - 0.5) / sigma : 0
            p = sigma > 0 ? Normal.sf(z) : 1
        }
        if used == .exact {
            let u = alternative == .twoSided ? max(u1, n1 * n2 - u1) : (alternative == .greater ? u1 : n1 * n2 - u1)
            p = min(1, (alternative == .twoSided ? 2 : 1) * exactUpperTail(Int(u.rounded()), x.count, y.count))
        }
        let ps = u1 / (n1 * n2)
        var lower = Double.nan, upper = Double.nan
        if x.count >= 2 && y.count >= 2 {
            let ci = try Metrics.aucInterval([Double](repeating: 1, count: x.count) + [Double](repeating: 0, count: y.count),
                                             x + y, level: level)
            lower = ci.lower; upper = ci.upper
        }
        return MannWhitneyResult(method: used, u: u1, z: alternative == .less ? -z : z, pValue: p, probabilityOfSuperiority: ps,
                                 rankBiserial: 2 * ps - 1, lower: lower, upper: upper, level: level)
    }

    /// P(U ≥ u) under H0 for sample sizes m, n without ties. The counts of U
    /// are the coefficients of the Gaussian binomial [m+n choose m]_q, built as
    /// Π (1 − q^(n+i)) / (1 − q^i), i = 1…m.
    static func exactUpperTail(_ u: Int, _ m: Int, _ n: Int) -> Double {
        let top = m * n
        var c = [Double](repeating: 0, count: top + 1)
        c[0] = 1
        for i in 1...m {  // m, n >= 1, so i <= m <= m·n
            let a = n + i
            // Multiply by (1 − q^a), truncated at degree top.
            if a <= top { for k in stride(from: top, through: a, by: -1) { c[k] -= c[k - a] } }
            // Divide by (1 − q^i): running sum with lag i.
            for k in i...top { c[k] += c[k - i] }
        }
        let total = c.reduce(0, +)
        var tail = 0.0
        if u <= top { for k in max(0, u)...top { tail += c[k] } }
        return tail / total
    }
}
