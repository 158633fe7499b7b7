/// Chi-square test of independence for an r × c contingency table.
public struct ChiSquareResult: Sendable {
    public let statistic: Double
    public let df: Int
    public let pValue: Double
    /// Expected counts under independence.
    public let expected: [[Double]]
    /// Cramér's V from the uncorrected statistic: √(χ² / (n·(min(r, c) − 1))).
    public let cramersV: Double
    /// Interval of the population Cramér's V at `level`, by inverting the
    /// noncentral chi-square distribution of the uncorrected statistic for its
    /// noncentrality λ (Smithson 2003) and mapping V = √(λ / (n·(min(r, c) − 1))).
    public let lower: Double
    public let upper: Double
    public let level: Double
    /// Whether Yates' correction was applied (2 × 2 tables only).
    public let yatesCorrected: Bool
}

extension Stats {
    /// Pearson's chi-square test of independence (SciPy's `chi2_contingency`):
    /// with `yates` (default, as SciPy) a 2 × 2 table moves each |O − E| half
    /// a unit towards zero. Rows and columns must have positive totals.
    public static func chiSquareIndependence(_ table: [[Double]], yates: Bool = true, level: Double = 0.95) throws -> ChiSquareResult {
        try checkLevel(level)
        let r = table.count
        guard r >= 2 else { throw StatsError.invalid("chi-square test needs at least 2 rows, got \(r)") }
        let c = table[0].count
        guard c >= 2 else { throw StatsError.invalid("chi-square test needs at least 2 columns, got \(c)") }
        for (i, row) in table.enumerated() {
            guard row.count == c else { throw StatsError.invalid("chi-square table row \(i + 1) has \(row.count) cells, expected \(c)") }
            for (j, v) in row.enumerated() where !(v >= 0 && v.isFinite) {
                throw StatsError.invalid("chi-square table cell (\(i + 1), \(j + 1)) must be a count >= 0, got \(v)")
            }
        }
        let rowSum = table.map { $0.reduce(0, +) }
        let colSum = (0..<c).map { j in table.reduce(0) { $0 + $1[j] } }
        let n = rowSum.reduce(0, +)
        if let i = rowSum.firstIndex(of: 0) { throw StatsError.invalid("chi-square table row \(i + 1) is all zero") }
        if let j = colSum.firstIndex(of: 0) { throw StatsError.invalid("chi-square table column \(j + 1) is all zero") }
        let expected = rowSum.map { rs in colSum.map { rs * $0 / n } }
        let df = (r - 1) * (c - 1)
        let correct = yates && df == 1
        var chi = 0.0, raw = 0.0
        for i in 0..<r { for j in 0..<c {
            let d = table[i][j] - expected[i][j]
            raw += d * d / expected[i][j]
            let dc = correct ? max(0, abs(d) - 0.5) : abs(d)
            chi += dc * dc / expected[i][j]
        } }
        let scale = n * Double(min(r, c) - 1)
        let v = (raw / scale).squareRoot()
        let alpha = 1 - level
        let lamLo = noncentrality(raw, df: Double(df), cdfTarget: 1 - alpha / 2)
        let lamHi = noncentrality(raw, df: Double(df), cdfTarget: alpha / 2)
        return ChiSquareResult(statistic: chi, df: df, pValue: ChiSquare.sf(chi, df: Double(df)), expected: expected,
                               cramersV: v, lower: min(1, (lamLo / scale).squareRoot()), upper: min(1, (lamHi / scale).squareRoot()),
                               level: level, yatesCorrected: correct)
    }

    /// The λ with P(χ²(df, λ) ≤ x) = target (0 when even λ = 0 gives less);
    /// the cdf falls as λ grows, so bisection brackets it.
    static func noncentrality(_ x: Double, df: Double, cdfTarget: Double) -> Double {
        if NoncentralChiSquare.cdf(x, df: df, lambda: 0) <= cdfTarget { return 0 }
        var lo = 0.0, hi = max(1.0, x)
        while NoncentralChiSquare.cdf(x, df: df, lambda: hi) > cdfTarget { lo = hi; hi *= 2 }
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if NoncentralChiSquare.cdf(x, df: df, lambda: mid) > cdfTarget { lo = mid } else { hi = mid }
            if hi - lo <= 1e-12 * max(1, hi) { break }
        }
        return 0.5 * (lo + hi)
    }
}
