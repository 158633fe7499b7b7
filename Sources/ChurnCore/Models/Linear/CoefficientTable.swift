#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// One row of a statsmodels-style coefficient table.
public struct CoefficientRow: Sendable, Equatable {
    public let name: String
    public let coef: Double
    /// nil for penalised fits (no valid standard errors) or a singular Hessian.
    public let stdErr: Double?
    public let z: Double?
    /// Two-sided p-value of z under N(0, 1).
    public let pValue: Double?
    public let ciLow: Double?
    public let ciHigh: Double?
}

public enum NormalDistribution {
    /// Φ(x), the standard normal CDF, via erfc (accurate in both tails).
    public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
    /// Two-sided tail probability P(|Z| ≥ |z|).
    public static func twoSidedP(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }
    /// Φ⁻¹(0.975).
    public static let z975 = 1.959963984540054
}

extension LogisticRegression {
    /// Name used for the intercept row (as statsmodels' `add_constant`).
    public static let interceptName = "const"

    /// Coefficients with standard errors, z, p-values and 95% Wald intervals
    /// (intercept first, then design columns). Statistics are present only for
    /// unpenalised fits whose Hessian is invertible.
    public func coefficientTable() -> [CoefficientRow] {
        let p = coef.count, d = covariance.map { Int(Double($0.count).squareRoot()) } ?? 0
        func row(_ name: String, _ c: Double, _ k: Int?) -> CoefficientRow {
            guard let cov = covariance, let k else {
                return CoefficientRow(name: name, coef: c, stdErr: nil, z: nil, pValue: nil, ciLow: nil, ciHigh: nil)
            }
            let se = cov[k * d + k].squareRoot()
            let z = c / se
            return CoefficientRow(name: name, coef: c, stdErr: se, z: z, pValue: NormalDistribution.twoSidedP(z),
                                  ciLow: c - NormalDistribution.z975 * se, ciHigh: c + NormalDistribution.z975 * se)
        }
        var rows: [CoefficientRow] = []
        if options.fitIntercept { rows.append(row(Self.interceptName, intercept, p)) }
        for j in 0..<p { rows.append(row(columnNames[j], coef[j], j)) }
        return rows
    }

    /// Plain-text summary: fit facts and the coefficient table.
    public func summary() -> String {
        var s = "logistic regression (penalty \(options.penalty.rawValue)"
        if options.penalty != .none { s += ", C \(options.C)" }
        if options.penalty == .elasticnet { s += ", l1_ratio \(options.l1Ratio)" }
        s += "), \(info.nobs) rows, solver \(info.solver.rawValue), \(info.iterations) iterations"
        s += info.converged ? "\n" : " — NOT converged: \(info.message)\n"
        let rows = coefficientTable()
        let width = max(10, rows.map(\.name.count).max() ?? 0)
        func pad(_ t: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - t.count)) + t }
        func num(_ v: Double?) -> String {
            guard let v else { return "" }
            return String(format: "%.4f", v)
        }
        s += pad("", width) + pad("coef", 11) + pad("std err", 11) + pad("z", 9) + pad("P>|z|", 8) + pad("[0.025", 11) + pad("0.975]", 11) + "\n"
        for r in rows {
            s += r.name + String(repeating: " ", count: width - r.name.count)
            s += pad(num(r.coef), 11) + pad(num(r.stdErr), 11) + pad(r.z.map { String(format: "%.3f", $0) } ?? "", 9)
            s += pad(r.pValue.map { String(format: "%.3f", $0) } ?? "", 8) + pad(num(r.ciLow), 11) + pad(num(r.ciHigh), 11) + "\n"
        }
        // Say why the inference columns are empty instead of leaving blanks unexplained.
        if rows.contains(where: { $0.stdErr == nil }) {
            s += options.penalty != .none
                ? "note: std err, z, P>|z| and the interval are left empty: with penalty '\(options.penalty.rawValue)' the coefficients are shrunk, so Wald statistics would not be valid (fit with penalty = 'none' for them, as statsmodels' Logit)\n"
                : "note: std err, z, P>|z| and the interval are left empty: the Hessian is singular (collinear or constant columns), so the coefficients have no standard errors\n"
        }
        return s
    }
}
