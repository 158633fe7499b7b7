/// Chi-square test of independence for an r × c contingency table.
public struct ChiSquareResult: Sendable {
    public let statistic: Double
    public let df: Int
    public let pValue: Double
    /// Expected counts under independence.
    public let expected: [[Double]]
    /// Cramér's V from the uncorrected statistic: √(χ² / (n·(min(r, c) − 1))).
    public let cramersV: Double
    /// Whether Yates' correction was applied (2 × 2 tables only).
    public let yatesCorrected: Bool
}

extension Stats {
    /// Pearson's chi-square test of independence (SciPy's `chi2_contingency`):
    /// with `yates` (default, as SciPy) a 2 × 2 table moves each |O − E| half
    /// a unit towards zero. Rows and columns must have positive totals.
    public static func chiSquareIndependence(_ table: [[Double]], yates: Bool = true) throws -> ChiSquareResult {
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
        let v = (raw / (n * Double(min(r, c) - 1))).squareRoot()
        return ChiSquareResult(statistic: chi, df: df, pValue: ChiSquare.sf(chi, df: Double(df)), expected: expected,
                               cramersV: v, yatesCorrected: correct)
    }
}
