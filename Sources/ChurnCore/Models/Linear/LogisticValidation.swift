/// Structural invariants of a logistic regression read from a file (see
/// `StructurallyValidated`). Prediction indexes `coef` by design column
/// (features in layout order, a categorical contributing levels − 1 columns)
/// and the coefficient table indexes `columnNames` and the covariance by the
/// same columns, so every per-column array must have exactly that length.
///
/// NaN/∞ policy: every stored number is the result of a fit that refuses
/// non-finite coefficients, so all must be finite; column scales are
/// divisors and must be > 0 (a constant column is stored with scale 1).
extension LogisticRegression: StructurallyValidated {
    public func validate() throws {
        do { try Self.validate(options) } catch { throw ModelStructureError("options", "\(error)") }
        try StructureCheck.unique("layout feature names", layout.features.map(\.name))
        for f in layout.features {
            if let levels = f.levels { try StructureCheck.unique("layout feature '\(f.name)' levels", levels) }
        }
        let p = layout.columnNames.count
        let why = "one per design column of the layout"
        try StructureCheck.length("columnNames", columnNames.count, expected: p, why)
        try StructureCheck.length("coef", coef.count, expected: p, why)
        try StructureCheck.length("standardizedCoef", standardizedCoef.count, expected: p, why)
        try StructureCheck.length("columnMean", columnMean.count, expected: p, why)
        try StructureCheck.length("columnScale", columnScale.count, expected: p, why)
        try StructureCheck.finite("coef", coef)
        try StructureCheck.finite("intercept", intercept)
        try StructureCheck.finite("standardizedCoef", standardizedCoef)
        try StructureCheck.finite("columnMean", columnMean)
        if let i = columnScale.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw ModelStructureError("columnScale", "entry \(i + 1) is \(columnScale[i]); must be finite and > 0")
        }
        if let cov = covariance {
            // Covariance of [coef…, intercept if fitted], row-major.
            let d = p + (options.fitIntercept ? 1 : 0)
            try StructureCheck.length("covariance", cov.count, expected: d * d, "a \(d)×\(d) matrix over the coefficients\(options.fitIntercept ? " and the intercept" : "")")
            try StructureCheck.finite("covariance", cov)
        }
    }
}
