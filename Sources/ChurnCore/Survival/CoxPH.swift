import Foundation
import ExecutionControl

/// Cox proportional hazards by Newton–Raphson on the partial likelihood, with
/// Efron's (lifelines' only method, R's default) or Breslow's handling of tied
/// event times. For tied deaths D at a time with risk set R, Efron's term is
/// Σ_D xβ − Σ_{l<d} log(S_R − (l/d) S_D), S = Σ exp(xβ); Breslow's is Σ_D xβ − d log S_R.
/// Columns are centred internally (β is unchanged; exp stays in range).
/// Strata: each stratum has its own risk sets and baseline hazard, the
/// coefficients are shared (the partial likelihoods add up).
/// Breslow fits go to the exact optimum by Newton with step halving.
/// Efron and penalized fits (lifelines' `penalizer`, `l1_ratio`) follow lifelines' own
/// Newton schedule on standardised columns so the elastic-net smoothing — whose
/// sharpness grows with the iteration count — lands on lifelines' coefficients.
public struct CoxPHModel: Sendable, Codable {
    public enum Ties: String, Sendable, Codable { case efron, breslow }
    public var features: [String]
    public var coef: [Double]
    public var standardErrors: [Double]
    /// lifelines' `log_likelihood_` (for penalized fits: the penalized one, as lifelines reports it).
    public var logPartialLikelihood: Double
    /// Harrell's C of the training rows (lifelines' `concordance_index_`); NaN when no pair is comparable.
    @Deferred public var concordance: Double
    public var ties: Ties
    public var iterations: Int
    public var events: Int
    public var n: Int
    /// Covariance of the coefficients (lifelines' `variance_matrix_`), p × p row-major.
    public var variance: [Double] = []
    public var penalizer: Double = 0
    public var l1Ratio: Double = 0
    public var converged: Bool = true
    /// Standard errors are the robust (sandwich, Lin–Wei) ones (lifelines' `robust=True`); nil in files before it.
    public var robust: Bool? = nil
    /// Fitted with case weights (lifelines' `weights_col`); nil in files before it.
    public var weighted: Bool? = nil
    /// Training column means: partial hazards are exp((x − mean)·β), as lifelines' (so the baseline is the average subject's).
    public var means: [Double] = []
    /// Stratum labels (empty: unstratified) and one Breslow baseline per stratum.
    public var strata: [String] = []
    public var baselines: [CoxBaseline] = []
    /// How frame columns become the design (set when fitted on a frame).
    public var design: CoxDesign?

    public var z: [Double] { zip(coef, standardErrors).map { $0 / $1 } }
    /// Two-sided Wald p-values.
    public var pValues: [Double] { z.map { 2 * Normal.cdf(-abs($0)) } }
    /// −log₂ p, from log p directly so it stays finite when p underflows.
    public var minusLog2P: [Double] { z.map { -Special.logGammaQ(0.5, $0 * $0 / 2) / M_LN2 } }
    public var hazardRatios: [Double] { coef.map { exp($0) } }
    /// lifelines' `AIC_partial_`: −2 log PL + 2 p.
    public var aicPartial: Double { -2 * logPartialLikelihood + 2 * Double(coef.count) }
    public func confidenceInterval(alpha: Double = 0.05) -> (lower: [Double], upper: [Double]) {
        let q = Normal.quantile(1 - alpha / 2)
        return (zip(coef, standardErrors).map { $0 - q * $1 }, zip(coef, standardErrors).map { $0 + q * $1 })
    }

    public struct Options: Sendable {
        public var ties: Ties = .efron
        /// lifelines' `penalizer` (≥ 0) and `l1_ratio` ([0, 1]): n/2 · penalizer · (l1 · Σ softabs(β̃) + (1 − l1) · Σ β̃²) on standardised β̃.
        public var penalizer: Double = 0
        public var l1Ratio: Double = 0
        public var maxIterations: Int = 500
        /// Columns whose values split the rows into strata (each its own baseline; coefficients shared).
        public var strata: [String] = []
        /// Robust (sandwich) standard errors, as lifelines' `fit(robust=True)`.
        public var robust: Bool = false
        public init(ties: Ties = .efron, penalizer: Double = 0, l1Ratio: Double = 0) {
            self.ties = ties; self.penalizer = penalizer; self.l1Ratio = l1Ratio
        }
    }

    public static func fit(durations: [Double], events: [Bool], X: [Double], features: [String],
                           ties: Ties = .efron, maxIterations: Int = 100, tolerance: Double = 1e-10) throws -> CoxPHModel {
        var o = Options(ties: ties); o.maxIterations = maxIterations
        return try fit(durations: durations, events: events, X: X, features: features, strata: nil, options: o)
    }

    /// `X` row-major n × p; `strata` a stratum code per row (0..<strata.count labels) or nil;
    /// `weights` case weights > 0 (lifelines' `weights_col`) or nil.
    public static func fit(durations: [Double], events: [Bool], X: [Double], features: [String],
                           strata: (codes: [Int], labels: [String])?, options o: Options, weights: [Double]? = nil) throws -> CoxPHModel {
        guard !features.isEmpty, X.count == durations.count * features.count else {
            throw SurvivalError.invalid("cox: X must have n × \(features.count) values")
        }
        return try fit(durations: durations, events: events, covariates: try CoxCovariates(rowMajor: X, names: features),
                       strata: strata, options: o, weights: weights)
    }

    /// The fit on covariates read where they lie (a matrix or a frame's columns).
    static func fit(durations: [Double], events: [Bool], covariates X: CoxCovariates,
                    strata: (codes: [Int], labels: [String])?, options o: Options, weights: [Double]?) throws -> CoxPHModel {
        let n = durations.count, p = X.p, features = X.names
        let data = try SurvivalData(durations: durations, events: events, weights: weights)
        guard X.n == n, p > 0 else { throw SurvivalError.invalid("cox: the covariates have \(X.n) rows, the durations \(n)") }
        guard events.contains(true) else { throw SurvivalError.invalid("cox: no events") }
        guard o.penalizer.isFinite, o.penalizer >= 0 else { throw SurvivalError.invalid("cox: penalizer must be finite and >= 0, got \(o.penalizer)") }
        guard o.l1Ratio >= 0, o.l1Ratio <= 1 else { throw SurvivalError.invalid("cox: l1_ratio must be in [0, 1], got \(o.l1Ratio)") }
        try ExecutionContext.checkMemory(n * p * 8 + n * 48, for: "cox design matrix")
        // Column means (a non-finite value is an error), then for Efron and penalized fits —
        // which run on standardised columns as lifelines' do (the penalty is on the
        // standardised β) — the standard deviations; Breslow fits (statsmodels' reference) run on centred ones.
        let mean = try X.columnSums(centredOn: nil).map { $0 / Double(n) }
        let penalized = o.penalizer > 0 || o.ties == .efron
        var scale = [Double](repeating: 1, count: p)
        if penalized {
            let squares = try X.columnSums(centredOn: mean)
            for j in 0..<p {
                scale[j] = (squares[j] / Double(max(n - 1, 1))).squareRoot()
                guard scale[j] > 0 else { throw SurvivalError.invalid("cox: feature '\(features[j])' is constant") }
            }
        }
        // Per stratum, rows by duration descending: the risk set grows as time goes back.
        let codes = strata?.codes
        let k = strata?.labels.count ?? 1
        if let codes { guard codes.count == n, codes.allSatisfy({ $0 >= 0 && $0 < k }) else { throw SurvivalError.invalid("cox: strata codes out of range") } }
        let ranks = try TimeRanks(data.durations)
        let descending = ranks.ascendingRows().reversed()
        var orders = [[Int]](repeating: [], count: k)
        if let codes { for i in descending { orders[codes[i]].append(i) } } else { orders[0] = Array(descending) }
        // Efron and penalized fits follow lifelines' Newton schedule: its stopping rules
        // (relative log-likelihood change < 1e-9 among them) leave lifelines ~1e-6 short of
        // the optimum, and the smoothed |β| of penalized fits sharpens with the iteration
        // count, so the schedule is part of the reference answer. Breslow fits (statsmodels'
        // reference) go to the exact optimum by full Newton steps with halving.
        let fitted = try {
            // The Newton loop reads rows in risk-set order: laid out once (`CoxRiskSets`).
            let sets = try CoxRiskSets(covariates: X, mean: mean, inverseScale: penalized ? scale.map { 1 / $0 } : nil, data: data,
                                       ranks: ranks, codes: codes, strata: k)
            return penalized ? try newtonLifelines(sets, o) : try newtonLineSearch(sets, o)
        }()
        let beta = zip(fitted.beta, scale).map { $0 / $1 }
        // Covariance: (−H)⁻¹ on the fitting scale, back to the columns' scale.
        var variance = [Double](repeating: .nan, count: p * p)
        if let inv = try? inverseSPD(fitted.hessian.map { -$0 }, p) {
            for a in 0..<p { for b in 0..<p { variance[a * p + b] = inv[a * p + b] / (scale[a] * scale[b]) } }
        }
        // Log partial hazard (x − x̄)β per row (concordance, baseline, robust errors).
        let risk = try X.linearPredictor(mean: mean, beta: beta)
        let partialHazard = risk.map { exp($0) }
        var se = (0..<p).map { variance[$0 * p + $0] > 0 ? variance[$0 * p + $0].squareRoot() : .nan }
        if o.robust {
            let sandwich = try robustVariance(X: X, mean: mean, risk: risk, data: data, orders: orders, variance: variance, p: p)
            se = (0..<p).map { sandwich[$0 * p + $0] > 0 ? sandwich[$0 * p + $0].squareRoot() : .nan }
        }
        // Concordance of −(partial hazard) with the durations (lifelines' concordance_index_,
        // unweighted); stratified fits pool the pairs within strata. Computed on first read,
        // as lifelines' is: it sorts every row's score, a sixth of a large fit.
        let concordance = Deferred<Double> { [orders] in
            do {
                var num = 0.0, den = 0.0
                if k == 1 {
                    let r = try Concordance.counts(times: ranks, scores: risk.map { -$0 }, events: events)
                    num = r.concordant; den = r.pairs
                } else {
                    for order in orders where order.count > 1 {
                        let r = try Concordance.counts(durations: order.map { data.durations[$0] }, scores: order.map { -risk[$0] },
                                                       events: order.map { events[$0] })
                        num += r.concordant; den += r.pairs
                    }
                }
                return den > 0 ? num / den : .nan   // NaN: no comparable pair
            } catch { return .nan }
        }
        var m = CoxPHModel(features: features, coef: beta, standardErrors: se, logPartialLikelihood: fitted.ll, concordance: .nan,
                           ties: o.ties, iterations: fitted.iterations, events: events.filter { $0 }.count, n: n)
        m.$concordance = concordance
        m.variance = variance
        m.penalizer = o.penalizer; m.l1Ratio = o.l1Ratio; m.converged = fitted.converged; m.means = mean
        m.strata = strata?.labels ?? []
        m.robust = o.robust; m.weighted = weights != nil
        m.baselines = (0..<k).map { s in CoxBaseline.breslow(orders[s], data, partialHazard: partialHazard) }
        return m
    }

    struct NewtonResult { var beta: [Double]; var ll: Double; var hessian: [Double]; var iterations: Int; var converged: Bool }

    /// Newton with step halving until the log partial likelihood stops improving (the exact optimum).
    static func newtonLineSearch(_ sets: CoxRiskSets, _ o: Options) throws -> NewtonResult {
        let p = sets.p
        var beta = [Double](repeating: 0, count: p)
        var (ll, g, H) = try sets.evaluate(beta, ties: o.ties)
        var iterations = 0, converged = false
        while iterations < o.maxIterations {
            iterations += 1
            // Newton step: solve (−H) δ = g.
            let delta = try solveSPD(H.map { -$0 }, g, p)
            var step = 1.0, accepted = false
            for _ in 0..<30 {
                let trial = zip(beta, delta).map { $0 + step * $1 }
                let r = try sets.evaluate(trial, ties: o.ties)
                if r.0.isFinite && r.0 >= ll - 1e-12 * abs(ll) {
                    beta = trial; accepted = true
                    (ll, g, H) = r
                    // Converged once a full step moved no coefficient by 1e-6 (on the fitting scale):
                    // Newton is quadratic there, so the point reached is ~1e-12 from the optimum.
                    // (A test on the log-likelihood's change would chase rounding noise on millions of rows.)
                    let moved = delta.map(abs).max()! * step
                    if (step == 1 && moved < 1e-6) || moved < 1e-9 { converged = true }
                    break
                }
                step /= 2
            }
            if !accepted || delta.map(abs).max()! < 1e-12 { converged = true }
            if converged { break }
        }
        return NewtonResult(beta: beta, ll: ll, hessian: H, iterations: iterations, converged: converged)
    }

    /// lifelines' `_newton_raphson_for_efron_model` (0.30): step sizes from its
    /// `StepSizer` (0.95 start), softabs sharpness a = 1.3^i at iteration i, stop on
    /// ‖δ‖ < 1e-7, relative ΔLL < 1e-9 or Newton decrement < 1e-7; β, LL and
    /// Hessian are those of the last evaluation (the last δ is not applied).
    /// Penalty n · λ · Σ (l1 · softabs(β̃, a) + ½ (1 − l1) β̃²).
    static func newtonLifelines(_ sets: CoxRiskSets, _ o: Options) throws -> NewtonResult {
        let p = sets.p, n = Double(sets.n), lam = o.penalizer, l1 = o.l1Ratio
        var beta = [Double](repeating: 0, count: p), delta = beta
        var sizer = StepSizer()
        var step = sizer.stepSize
        var previousLL = 0.0, i = 0
        var hessian: [Double] = [], llOut = 0.0, converged = false
        while true {
            for j in 0..<p { beta[j] += step * delta[j] }
            i += 1
            var (ll, g, H) = try sets.evaluate(beta, ties: o.ties)
            let a = pow(1.3, Double(i))
            for j in 0..<p {
                let b = beta[j]
                // softabs(b, a) = (log(1 + e^{−ab}) + log(1 + e^{ab})) / a; d/db = tanh(ab/2); d²/db² = 2a σ(ab) σ(−ab).
                let softAbs = (logOnePlusExp(-a * b) + logOnePlusExp(a * b)) / a
                let sig = 1 / (1 + exp(-a * b))
                ll -= n * lam * (l1 * softAbs + 0.5 * (1 - l1) * b * b)
                g[j] -= n * lam * (l1 * tanh(a * b / 2) + (1 - l1) * b)
                H[j * p + j] -= n * lam * (l1 * 2 * a * sig * (1 - sig) + (1 - l1))
            }
            do { delta = try solveSPD(H.map { -$0 }, g, p) } catch {
                throw SurvivalError.invalid("cox: the information matrix became singular at iteration \(i) (collinear features or complete separation? a larger penalizer helps)")
            }
            guard delta.allSatisfy({ $0.isFinite }) else { throw SurvivalError.invalid("cox: Newton step diverged at iteration \(i)") }
            hessian = H; llOut = ll
            let normDelta = delta.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var decrement = 0.0
            for j in 0..<p { decrement += g[j] * delta[j] }
            decrement /= 2
            var stop = false
            if normDelta < 1e-7 { stop = true; converged = true }
            else if previousLL != 0 && abs(ll - previousLL) / (-previousLL) < 1e-9 { stop = true; converged = true }
            else if decrement < 1e-7 { stop = true; converged = true }
            else if i >= o.maxIterations { stop = true }
            else if step <= 1e-5 { stop = true }
            else if abs(ll) < 1e-4 && normDelta > 1 { stop = true }
            previousLL = ll
            step = sizer.update(normDelta)
            if stop { break }
        }
        return NewtonResult(beta: beta, ll: llOut, hessian: hessian, iterations: i, converged: converged)
    }

    @inline(__always) static func logOnePlusExp(_ x: Double) -> Double { x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)) }

    /// lifelines' `StepSizer`: shrink after large steps, grow back after three shrinking ones.
    struct StepSizer {
        var stepSize = 0.95, initial = 0.95, temperBackUp = false
        var norms: [Double] = []
        mutating func update(_ norm: Double) -> Double {
            norms.append(norm)
            if temperBackUp { stepSize = min(stepSize * 1.3, initial) }
            if norm >= 15 { stepSize *= 0.1; temperBackUp = true }
            else if norm > 5 { stepSize *= 0.25; temperBackUp = true }
            if norms.count >= 3 {
                let k = norms.count
                let decreasing = norms[k - 2] < norms[k - 3] && norms[k - 1] < norms[k - 2]
                if !decreasing { stepSize *= 0.98 } else { stepSize = min(stepSize * 1.3, 1) }
            }
            return stepSize
        }
    }

    /// A⁻¹ for a symmetric positive-definite A, column by column.
    static func inverseSPD(_ A: [Double], _ p: Int) throws -> [Double] {
        var inv = [Double](repeating: 0, count: p * p)
        for c in 0..<p {
            var e = [Double](repeating: 0, count: p); e[c] = 1
            let x = try solveSPD(A, e, p)
            for r in 0..<p { inv[r * p + c] = x[r] }
        }
        return inv
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
