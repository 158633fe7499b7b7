import Foundation
import ExecutionControl

/// Cox proportional hazards by Newton–Raphson on the partial likelihood, with
/// Efron's (lifelines' only method, R's default) or Breslow's handling of tied
/// event times. For tied deaths D at a time with risk set R, Efron's term is
/// Σ_D xβ − Σ_{l<d} log(S_R − (l/d) S_D), S = Σ exp(xβ); Breslow's is Σ_D xβ − d log S_R.
/// Columns are centred internally (β is unchanged; exp stays in range).
public struct CoxPHModel: Sendable, Codable {
    public enum Ties: String, Sendable, Codable { case efron, breslow }
    public var features: [String]
    public var coef: [Double]
    public var standardErrors: [Double]
    public var logPartialLikelihood: Double
    public var concordance: Double
    public var ties: Ties
    public var iterations: Int
    public var events: Int
    public var n: Int

    public var z: [Double] { zip(coef, standardErrors).map { $0 / $1 } }
    /// Two-sided Wald p-values.
    public var pValues: [Double] { z.map { 2 * Normal.cdf(-abs($0)) } }
    public var hazardRatios: [Double] { coef.map { exp($0) } }
    /// lifelines' `AIC_partial_`: −2 log PL + 2 p.
    public var aicPartial: Double { -2 * logPartialLikelihood + 2 * Double(coef.count) }
    public func confidenceInterval(alpha: Double = 0.05) -> (lower: [Double], upper: [Double]) {
        let q = Normal.quantile(1 - alpha / 2)
        return (zip(coef, standardErrors).map { $0 - q * $1 }, zip(coef, standardErrors).map { $0 + q * $1 })
    }

    /// `X` row-major n × p.
    public static func fit(durations: [Double], events: [Bool], X: [Double], features: [String],
                           ties: Ties = .efron, maxIterations: Int = 100, tolerance: Double = 1e-10) throws -> CoxPHModel {
        let n = durations.count, p = features.count
        let data = try SurvivalData(durations: durations, events: events)
        guard X.count == n * p, p > 0 else { throw SurvivalError.invalid("cox: X must have n × \(p) values") }
        guard events.contains(true) else { throw SurvivalError.invalid("cox: no events") }
        if let i = X.firstIndex(where: { !$0.isFinite }) { throw SurvivalError.invalid("cox: feature '\(features[i % p])' row \(i / p + 1) is not finite") }
        try ExecutionContext.checkMemory(n * p * 8, for: "cox design matrix")
        // Centre columns.
        var mean = [Double](repeating: 0, count: p)
        for i in 0..<n { for j in 0..<p { mean[j] += X[i * p + j] } }
        for j in 0..<p { mean[j] /= Double(n) }
        var Xc = X
        for i in 0..<n { for j in 0..<p { Xc[i * p + j] -= mean[j] } }
        // Rows by duration descending: the risk set grows as time goes back.
        var order = Array(0..<n)
        order.sort { data.durations[$0] > data.durations[$1] }
        var beta = [Double](repeating: 0, count: p)
        var (ll, g, H) = try evaluate(beta, Xc, data, order, p, ties)
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            // Newton step: solve (−H) δ = g.
            let negH = H.map { -$0 }
            let delta = try solveSPD(negH, g, p)
            var step = 1.0, accepted = false
            for _ in 0..<30 {
                let trial = zip(beta, delta).map { $0 + step * $1 }
                let r = try evaluate(trial, Xc, data, order, p, ties)
                if r.0.isFinite && r.0 >= ll - 1e-12 * abs(ll) {
                    beta = trial; accepted = true
                    let improvement = r.0 - ll
                    (ll, g, H) = r
                    if improvement.magnitude < tolerance && delta.map(abs).max()! * step < 1e-9 { iterations = maxIterations + 1 }
                    break
                }
                step /= 2
            }
            if !accepted { break }
            if delta.map(abs).max()! < 1e-12 { break }
        }
        let negH = H.map { -$0 }
        let se = LogParameterMLE.invertDiagonal(negH, p).map { $0 > 0 ? $0.squareRoot() : .nan }
        // Concordance of −(partial hazard) with the durations (lifelines' concordance_index_).
        var risk = [Double](repeating: 0, count: n)
        for i in 0..<n { var s = 0.0; for j in 0..<p { s += Xc[i * p + j] * beta[j] }; risk[i] = s }
        let c = try Concordance.index(durations: data.durations, scores: risk.map { -$0 }, events: events)
        return CoxPHModel(features: features, coef: beta, standardErrors: se, logPartialLikelihood: ll, concordance: c,
                          ties: ties, iterations: min(iterations, maxIterations), events: events.filter { $0 }.count, n: n)
    }

    /// Log partial likelihood, gradient and Hessian at β.
    static func evaluate(_ beta: [Double], _ X: [Double], _ data: SurvivalData, _ order: [Int], _ p: Int, _ ties: Ties) throws -> (Double, [Double], [Double]) {
        let n = order.count
        var ll = 0.0
        var g = [Double](repeating: 0, count: p), H = [Double](repeating: 0, count: p * p)
        var sR = 0.0, zR = [Double](repeating: 0, count: p), wR = [Double](repeating: 0, count: p * p)
        var sD = 0.0, zD = zR, wD = wR
        var i = 0
        while i < n {
            if i & 0x3FFF == 0 { try ExecutionContext.check() }
            let t = data.durations[order[i]]
            sD = 0; for j in 0..<p { zD[j] = 0 }; for j in 0..<(p * p) { wD[j] = 0 }
            var d = 0
            while i < n && data.durations[order[i]] == t {
                let r = order[i]
                var eta = 0.0
                for j in 0..<p { eta += X[r * p + j] * beta[j] }
                let e = exp(eta)
                sR += e
                for a in 0..<p {
                    let xa = X[r * p + a]
                    zR[a] += e * xa
                    for b in 0...a { wR[a * p + b] += e * xa * X[r * p + b] }
                }
                if data.events[r] {
                    d += 1; sD += e; ll += eta
                    for a in 0..<p {
                        let xa = X[r * p + a]
                        g[a] += xa; zD[a] += e * xa
                        for b in 0...a { wD[a * p + b] += e * xa * X[r * p + b] }
                    }
                }
                i += 1
            }
            guard d > 0 else { continue }
            let dd = Double(d)
            for l in 0..<d {
                let f = ties == .efron ? Double(l) / dd : 0
                let phi = sR - f * sD
                ll -= log(phi)
                for a in 0..<p {
                    let za = (zR[a] - f * zD[a]) / phi
                    g[a] -= za
                    for b in 0...a {
                        let zb = (zR[b] - f * zD[b]) / phi
                        H[a * p + b] -= (wR[a * p + b] - f * wD[a * p + b]) / phi - za * zb
                    }
                }
            }
        }
        for a in 0..<p { for b in 0..<a { H[b * p + a] = H[a * p + b] } }
        return (ll, g, H)
    }

    /// Solves A x = b for a symmetric positive-definite A (Cholesky).
    static func solveSPD(_ A: [Double], _ b: [Double], _ p: Int) throws -> [Double] {
        var L = [Double](repeating: 0, count: p * p)
        for i in 0..<p {
            for j in 0...i {
                var s = A[i * p + j]
                for k in 0..<j { s -= L[i * p + k] * L[j * p + k] }
                if i == j {
                    guard s > 0 else { throw SurvivalError.invalid("cox: the information matrix is singular (a constant or collinear feature, or complete separation?)") }
                    L[i * p + i] = s.squareRoot()
                } else { L[i * p + j] = s / L[j * p + j] }
            }
        }
        var y = b
        for i in 0..<p { for k in 0..<i { y[i] -= L[i * p + k] * y[k] }; y[i] /= L[i * p + i] }
        for i in stride(from: p - 1, through: 0, by: -1) { for k in i + 1..<max(p, i + 1) { y[i] -= L[k * p + i] * y[k] }; y[i] /= L[i * p + i] }
        return y
    }
}

/// Harrell's concordance index as lifelines' `concordance_index(durations, scores, events)`:
/// over pairs where the shorter duration is an observed event, the share whose
/// score (predicted survival) is also smaller; score ties count ½. A censoring at
/// the same time as an event counts as the longer survival; two events at the
/// same time are not comparable.
public enum Concordance {
    /// O(n log n): times in descending order, a Fenwick tree over score ranks of
    /// everyone with a longer time (censorings at the same time go in first).
    public static func index(durations: [Double], scores: [Double], events: [Bool]) throws -> Double {
        let n = durations.count
        guard scores.count == n, events.count == n else { throw SurvivalError.invalid("concordance: lengths differ") }
        if let i = scores.firstIndex(where: { $0.isNaN }) { throw SurvivalError.invalid("concordance: score \(i + 1) is NaN") }
        let distinct = Array(Set(scores)).sorted()
        var rankOf: [Double: Int] = [:]
        for (k, v) in distinct.enumerated() { rankOf[v] = k + 1 }
        let m = distinct.count
        var tree = [Double](repeating: 0, count: m + 1)
        func add(_ r: Int) { var i = r; while i <= m { tree[i] += 1; i += i & -i } }
        func prefix(_ r: Int) -> Double { var i = r, s = 0.0; while i > 0 { s += tree[i]; i -= i & -i }; return s }
        var order = Array(0..<n)
        order.sort { durations[$0] > durations[$1] }
        var inTree = 0.0, num = 0.0, den = 0.0
        var i = 0
        while i < n {
            if i & 0x3FFF == 0 { try ExecutionContext.check() }
            let t = durations[order[i]]
            var j = i
            while j < n && durations[order[j]] == t { j += 1 }
            for k in i..<j where !events[order[k]] { add(rankOf[scores[order[k]]]!); inTree += 1 }
            for k in i..<j where events[order[k]] {
                let r = rankOf[scores[order[k]]]!
                let below = prefix(r - 1), atOrBelow = prefix(r)
                num += (inTree - atOrBelow) + 0.5 * (atOrBelow - below)
                den += inTree
            }
            for k in i..<j where events[order[k]] { add(rankOf[scores[order[k]]]!); inTree += 1 }
            i = j
        }
        guard den > 0 else { throw SurvivalError.invalid("concordance: no comparable pairs") }
        return num / den
    }
}

extension CoxPHModel {
    /// Fit on frame columns: `features` (numeric or bool; nil = every numeric/bool
    /// column except the duration, event and `exclude` ones).
    public static func fit(_ f: Frame, _ cols: SurvivalColumns, features: [String]?, exclude: [String] = [], ties: Ties = .efron) throws -> CoxPHModel {
        let data = try cols.data(f)
        let skip = Set([cols.duration] + (cols.event.map { [$0] } ?? []) + exclude)
        let names = features ?? f.columns.filter { c in
            !skip.contains(c.name) && [DType.float64, .int64, .bool].contains(c.dtype)
        }.map(\.name)
        guard !names.isEmpty else { throw SurvivalError.invalid("cox: no feature columns (give features = {...})") }
        var columns: [[Double]] = []
        for name in names {
            let c = try f.column(name)
            guard let v = c.toDoubles() else {
                throw SurvivalError.invalid("cox: feature '\(name)' is \(c.dtype.rawValue); encode text columns first (cl.prep.one_hot)")
            }
            if c.nullCount > 0, let i = (0..<c.count).first(where: { c.isNull($0) }) {
                throw SurvivalError.invalid("cox: feature '\(name)' has a null in row \(i + 1)")
            }
            columns.append(v)
        }
        let n = f.nrow, p = names.count
        try ExecutionContext.checkMemory(n * p * 8, for: "cox design matrix")
        var X = [Double](repeating: 0, count: n * p)
        for j in 0..<p { let v = columns[j]; for i in 0..<n { X[i * p + j] = v[i] } }
        return try fit(durations: data.durations, events: data.events, X: X, features: names, ties: ties)
    }

    /// lifelines' `summary`: one row per feature.
    public func summaryFrame(alpha: Double = 0.05) throws -> Frame {
        let ci = confidenceInterval(alpha: alpha)
        return try Frame([.string("covariate", features.map { $0 }), .float("coef", coef), .float("exp_coef", hazardRatios),
                          .float("se", standardErrors), .float("z", z), .float("p", pValues),
                          .float("lower", ci.lower), .float("upper", ci.upper),
                          .float("exp_lower", ci.lower.map { exp($0) }), .float("exp_upper", ci.upper.map { exp($0) })])
    }
}
