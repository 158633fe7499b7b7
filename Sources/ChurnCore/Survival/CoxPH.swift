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
    public var concordance: Double
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
        let n = durations.count, p = features.count
        let data = try SurvivalData(durations: durations, events: events, weights: weights)
        guard X.count == n * p, p > 0 else { throw SurvivalError.invalid("cox: X must have n × \(p) values") }
        guard events.contains(true) else { throw SurvivalError.invalid("cox: no events") }
        guard o.penalizer.isFinite, o.penalizer >= 0 else { throw SurvivalError.invalid("cox: penalizer must be finite and >= 0, got \(o.penalizer)") }
        guard o.l1Ratio >= 0, o.l1Ratio <= 1 else { throw SurvivalError.invalid("cox: l1_ratio must be in [0, 1], got \(o.l1Ratio)") }
        try ExecutionContext.checkMemory(n * p * 8 + n * 48, for: "cox design matrix")
        // Column means (and the first non-finite value) in one row-order pass over fixed chunks.
        let chunk = 16384, chunks = (n + chunk - 1) / chunk
        let sums = try X.withUnsafeBufferPointer { X in
            try Parallel.mapChunksThrowing(chunks, chunks: chunks) { cs -> (sum: [Double], bad: Int?) in
                var sum = [Double](repeating: 0, count: p)
                for c in cs {
                    for i in (c * chunk * p)..<(min(n, (c + 1) * chunk) * p) {
                        let x = X[i]
                        guard x.isFinite else { return (sum, i) }
                        sum[i % p] += x
                    }
                }
                return (sum, nil)
            }
        }
        if let i = sums.compactMap(\.bad).first { throw SurvivalError.invalid("cox: feature '\(features[i % p])' row \(i / p + 1) is not finite") }
        var mean = [Double](repeating: 0, count: p)
        for part in sums { for j in 0..<p { mean[j] += part.sum[j] } }
        for j in 0..<p { mean[j] /= Double(n) }
        // Efron and penalized fits run on standardised columns as lifelines' do (the
        // penalty is on the standardised β); Breslow fits (statsmodels' reference) on centred ones.
        let penalized = o.penalizer > 0 || o.ties == .efron
        var scale = [Double](repeating: 1, count: p)
        if penalized {
            let squares = X.withUnsafeBufferPointer { X in
                Parallel.mapChunks(chunks, chunks: chunks) { cs -> [Double] in
                    var ss = [Double](repeating: 0, count: p)
                    for c in cs {
                        for r in (c * chunk)..<min(n, (c + 1) * chunk) {
                            for j in 0..<p { let v = X[r * p + j] - mean[j]; ss[j] += v * v }
                        }
                    }
                    return ss
                }
            }
            for j in 0..<p {
                var ss = 0.0
                for part in squares { ss += part[j] }
                scale[j] = (ss / Double(max(n - 1, 1))).squareRoot()
                guard scale[j] > 0 else { throw SurvivalError.invalid("cox: feature '\(features[j])' is constant") }
            }
        }
        // Per stratum, rows by duration descending: the risk set grows as time goes back.
        let codes = strata?.codes ?? [Int](repeating: 0, count: n)
        let k = strata?.labels.count ?? 1
        guard codes.count == n, codes.allSatisfy({ $0 >= 0 && $0 < k }) else { throw SurvivalError.invalid("cox: strata codes out of range") }
        var orders = [[Int]](repeating: [], count: k)
        for i in try TimeRanks(data.durations).ascendingRows().reversed() { orders[codes[i]].append(i) }
        // The Newton loop reads rows in risk-set order: lay them out in that order,
        // centred and scaled, once, so every evaluation streams through memory.
        let perm = orders.flatMap { $0 }
        var Xp = [Double](repeating: 0, count: n * p)
        let inverseScale = scale.map { 1 / $0 }
        Xp.withUnsafeMutableBufferPointer { dst in
            X.withUnsafeBufferPointer { src in
                perm.withUnsafeBufferPointer { perm in
                    let d = dst.baseAddress!
                    Parallel.forEach(chunks) { c in
                        for k in (c * chunk)..<min(n, (c + 1) * chunk) {
                            let r = perm[k]
                            for j in 0..<p { d[k * p + j] = penalized ? (src[r * p + j] - mean[j]) * inverseScale[j] : src[r * p + j] - mean[j] }
                        }
                    }
                }
            }
        }
        let dataP = try SurvivalData(durations: perm.map { data.durations[$0] }, events: perm.map { data.events[$0] },
                                     weights: weights.map { w in perm.map { w[$0] } })
        var ordersP: [[Int]] = [], next = 0
        for order in orders { ordersP.append(Array(next..<(next + order.count))); next += order.count }
        // Efron and penalized fits follow lifelines' Newton schedule: its stopping rules
        // (relative log-likelihood change < 1e-9 among them) leave lifelines ~1e-6 short of
        // the optimum, and the smoothed |β| of penalized fits sharpens with the iteration
        // count, so the schedule is part of the reference answer. Breslow fits (statsmodels'
        // reference) go to the exact optimum by full Newton steps with halving.
        let fitted = penalized
            ? try newtonLifelines(Xp, dataP, ordersP, p, o)
            : try newtonLineSearch(Xp, dataP, ordersP, p, o)
        Xp = []
        let beta = zip(fitted.beta, scale).map { $0 / $1 }
        // Covariance: (−H)⁻¹ on the fitting scale, back to the columns' scale.
        var variance = [Double](repeating: .nan, count: p * p)
        if let inv = try? inverseSPD(fitted.hessian.map { -$0 }, p) {
            for a in 0..<p { for b in 0..<p { variance[a * p + b] = inv[a * p + b] / (scale[a] * scale[b]) } }
        }
        // Log partial hazard (x − x̄)β per row (concordance, baseline, robust errors).
        var risk = [Double](repeating: 0, count: n)
        risk.withUnsafeMutableBufferPointer { out in
            X.withUnsafeBufferPointer { X in
                let o = out.baseAddress!
                Parallel.forEach(chunks) { c in
                    for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                        var s = 0.0
                        for j in 0..<p { s += (X[i * p + j] - mean[j]) * beta[j] }
                        o[i] = s
                    }
                }
            }
        }
        var se = (0..<p).map { variance[$0 * p + $0] > 0 ? variance[$0 * p + $0].squareRoot() : .nan }
        if o.robust {
            let sandwich = try robustVariance(X: X, mean: mean, risk: risk, data: data, orders: orders, variance: variance, p: p)
            se = (0..<p).map { sandwich[$0 * p + $0] > 0 ? sandwich[$0 * p + $0].squareRoot() : .nan }
        }
        // Concordance of −(partial hazard) with the durations (lifelines' concordance_index_,
        // unweighted); stratified fits pool the pairs within strata.
        var num = 0.0, den = 0.0
        if k == 1 {
            let r = try Concordance.counts(durations: durations, scores: risk.map { -$0 }, events: events)
            num = r.concordant; den = r.pairs
        } else {
            for order in orders where order.count > 1 {
                let r = try Concordance.counts(durations: order.map { data.durations[$0] }, scores: order.map { -risk[$0] }, events: order.map { events[$0] })
                num += r.concordant; den += r.pairs
            }
        }
        guard den > 0 else { throw SurvivalError.invalid("concordance: no comparable pairs") }
        let c = num / den
        var m = CoxPHModel(features: features, coef: beta, standardErrors: se, logPartialLikelihood: fitted.ll, concordance: c,
                           ties: o.ties, iterations: fitted.iterations, events: events.filter { $0 }.count, n: n)
        m.variance = variance
        m.penalizer = o.penalizer; m.l1Ratio = o.l1Ratio; m.converged = fitted.converged; m.means = mean
        m.strata = strata?.labels ?? []
        m.robust = o.robust; m.weighted = weights != nil
        let partialHazard = risk.map { exp($0) }
        m.baselines = (0..<k).map { s in CoxBaseline.breslow(orders[s], data, partialHazard: partialHazard) }
        return m
    }

    struct NewtonResult { var beta: [Double]; var ll: Double; var hessian: [Double]; var iterations: Int; var converged: Bool }

    /// Newton with step halving until the log partial likelihood stops improving (the exact optimum).
    static func newtonLineSearch(_ Xc: [Double], _ data: SurvivalData, _ orders: [[Int]], _ p: Int, _ o: Options) throws -> NewtonResult {
        var beta = [Double](repeating: 0, count: p)
        var (ll, g, H) = try evaluate(beta, Xc, data, orders, p, o.ties)
        var iterations = 0, converged = false
        while iterations < o.maxIterations {
            iterations += 1
            // Newton step: solve (−H) δ = g.
            let delta = try solveSPD(H.map { -$0 }, g, p)
            var step = 1.0, accepted = false
            for _ in 0..<30 {
                let trial = zip(beta, delta).map { $0 + step * $1 }
                let r = try evaluate(trial, Xc, data, orders, p, o.ties)
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
    static func newtonLifelines(_ Xs: [Double], _ data: SurvivalData, _ orders: [[Int]], _ p: Int, _ o: Options) throws -> NewtonResult {
        let n = Double(data.count), lam = o.penalizer, l1 = o.l1Ratio
        var beta = [Double](repeating: 0, count: p), delta = beta
        var sizer = StepSizer()
        var step = sizer.stepSize
        var previousLL = 0.0, i = 0
        var hessian: [Double] = [], llOut = 0.0, converged = false
        while true {
            for j in 0..<p { beta[j] += step * delta[j] }
            i += 1
            var (ll, g, H) = try evaluate(beta, Xs, data, orders, p, o.ties)
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

    /// Log partial likelihood, gradient and Hessian at β, summed over the strata.
    /// `orders[s]` lists stratum s's rows by duration descending; in the fit they
    /// are consecutive (X is laid out in that order), which this relies on.
    ///
    /// Three passes instead of a p × p risk-set matrix updated per row:
    /// (1, parallel) eᵣ = exp(xᵣβ); (2, sequential) the risk-set sums S and Z per
    /// distinct time, which give the log-likelihood, the gradient and the z zᵀ
    /// part of the Hessian (Efron's d terms folded into three rank-one updates per
    /// time), and per time A = Σₗ 1/φₗ, B = Σₗ (l/d)/φₗ; (3, parallel, fixed
    /// chunks so the sum never depends on the thread count) the W part
    /// Σₜ (A W_R(t) − B W_D(t)) = Σᵣ wᵣ xᵣxᵣᵀ with wᵣ = eᵣ (Σ_{t ≤ Tᵣ} Aₜ − δᵣ B_{Tᵣ}),
    /// a weighted Gram matrix — the O(n p²) work, now one streaming pass.
    static func evaluate(_ beta: [Double], _ X: [Double], _ data: SurvivalData, _ orders: [[Int]], _ p: Int, _ ties: Ties) throws -> (Double, [Double], [Double]) {
        let n = data.count
        var ll = 0.0
        var g = [Double](repeating: 0, count: p), H = [Double](repeating: 0, count: p * p)
        var e = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: n)
        let chunk = 8192, chunks = (n + chunk - 1) / chunk
        try X.withUnsafeBufferPointer { X in
        try beta.withUnsafeBufferPointer { beta in
            // (1) partial hazards, times the case weights (lifelines' scores = w·exp(xβ)).
            e.withUnsafeMutableBufferPointer { e in
                let eb = e.baseAddress!
                let weighted = data.weights != nil, wv = data.weights ?? []
                Parallel.forEach(chunks) { c in
                    for r in (c * chunk)..<min(n, (c + 1) * chunk) {
                        let x = X.baseAddress! + r * p
                        var eta = 0.0
                        for j in 0..<p { eta += x[j] * beta[j] }
                        let ex = exp(eta)
                        eb[r] = weighted ? wv[r] * ex : ex
                    }
                }
            }
            // (2) risk-set sums per stratum.
            for order in orders where !order.isEmpty {
                try sweepStratum(order.first!..<(order.first! + order.count), X, beta, e, &w, data, p, ties, &ll, &g, &H)
            }
        }
            // (3) H −= Σ wᵣ xᵣxᵣᵀ (lower triangle), per chunk, added in chunk order.
            try ExecutionContext.checkMemory(chunks * p * p * 8, for: "cox Hessian partial sums")
            var parts = [Double](repeating: 0, count: chunks * p * p)
            parts.withUnsafeMutableBufferPointer { parts in
                w.withUnsafeBufferPointer { w in
                    let pb = parts.baseAddress!
                    Parallel.forEach(chunks) { c in
                        let acc = pb + c * p * p
                        let lo = c * chunk, hi = min(n, (c + 1) * chunk)
                        // Four rows per sweep of the accumulator: a quarter of its loads and stores.
                        var r = lo
                        while r + 4 <= hi {
                            let x0 = X.baseAddress! + r * p, x1 = x0 + p, x2 = x1 + p, x3 = x2 + p
                            let w0 = w[r], w1 = w[r + 1], w2 = w[r + 2], w3 = w[r + 3]
                            for a in 0..<p {
                                let u0 = w0 * x0[a], u1 = w1 * x1[a], u2 = w2 * x2[a], u3 = w3 * x3[a], row = acc + a * p
                                for b in 0...a { row[b] += (u0 * x0[b] + u1 * x1[b]) + (u2 * x2[b] + u3 * x3[b]) }
                            }
                            r += 4
                        }
                        while r < hi {
                            let wr = w[r], x = X.baseAddress! + r * p
                            for a in 0..<p {
                                let wx = wr * x[a], row = acc + a * p
                                for b in 0...a { row[b] += wx * x[b] }
                            }
                            r += 1
                        }
                    }
                }
            }
            for c in 0..<chunks { for a in 0..<p { for b in 0...a { H[a * p + b] -= parts[c * p * p + a * p + b] } } }
        }
        for a in 0..<p { for b in 0..<a { H[b * p + a] = H[a * p + b] } }
        return (ll, g, H)
    }

    /// Pass (2) of `evaluate` for one stratum (rows `rows`, duration descending):
    /// log-likelihood, gradient, the z zᵀ Hessian terms, and each row's Gram weight in `w`.
    static func sweepStratum(_ rows: Range<Int>, _ X: UnsafeBufferPointer<Double>, _ beta: UnsafeBufferPointer<Double>,
                             _ e: [Double], _ w: inout [Double], _ data: SurvivalData, _ p: Int, _ ties: Ties,
                             _ ll: inout Double, _ g: inout [Double], _ H: inout [Double]) throws {
        var zR = [Double](repeating: 0, count: p), zD = zR
        // Per distinct time (in processing order): A, B and the first row of the time.
        var timeA: [Double] = [], timeB: [Double] = [], timeStart: [Int] = []
        var sR = 0.0, llAcc = 0.0
        let dur = data.durations, ev = data.events
        let weighted = data.weights != nil, wv = data.weights ?? []
        try zR.withUnsafeMutableBufferPointer { zR in
        try zD.withUnsafeMutableBufferPointer { zD in
        try g.withUnsafeMutableBufferPointer { g in
        try H.withUnsafeMutableBufferPointer { H in
            let Hb = H.baseAddress!
            var i = rows.lowerBound
            while i < rows.upperBound {
                if (i - rows.lowerBound) & 0x3FFF == 0 { try ExecutionContext.check() }
                let t = dur[i], start = i
                var sD = 0.0, d = 0, wD = 0.0
                while i < rows.upperBound && dur[i] == t {
                    let x = X.baseAddress! + i * p, er = e[i]
                    sR += er
                    for a in 0..<p { zR[a] += er * x[a] }
                    if ev[i] {
                        if d == 0 { for j in 0..<p { zD[j] = 0 } }
                        let wi = weighted ? wv[i] : 1
                        d += 1; sD += er; wD += wi
                        var eta = 0.0
                        for a in 0..<p { eta += x[a] * beta[a]; g[a] += wi * x[a]; zD[a] += er * x[a] }
                        llAcc += wi * eta
                    }
                    i += 1
                }
                timeStart.append(start)
                guard d > 0 else { timeA.append(0); timeB.append(0); continue }
                let dd = Double(d)
                var A = 0.0, B = 0.0, c0 = 0.0, c1 = 0.0, c2 = 0.0, logs = 0.0
                for l in 0..<d {
                    let f = ties == .efron ? Double(l) / dd : 0
                    let inv = 1 / (sR - f * sD)
                    logs += log(sR - f * sD)
                    A += inv; B += f * inv
                    c0 += inv * inv; c1 += f * inv * inv; c2 += f * f * inv * inv
                }
                // With case weights every term of the time is scaled by the tied deaths'
                // mean weight (lifelines' weighted_average); 1 without weights.
                let wAvg = weighted ? wD / dd : 1
                llAcc -= wAvg * logs
                A *= wAvg; B *= wAvg; c0 *= wAvg; c1 *= wAvg; c2 *= wAvg
                // g −= Σₗ (Z_R − fₗ Z_D)/φₗ;  H += Σₗ zₗzₗᵀ = c0 Z_R Z_Rᵀ − c1 (Z_R Z_Dᵀ + Z_D Z_Rᵀ) + c2 Z_D Z_Dᵀ.
                for a in 0..<p { g[a] -= A * zR[a] - B * zD[a] }
                if c1 == 0 {
                    for a in 0..<p { let u = c0 * zR[a], row = Hb + a * p; for b in 0...a { row[b] += u * zR[b] } }
                } else {
                    for a in 0..<p {
                        let row = Hb + a * p, ra = zR[a], da = zD[a]
                        for b in 0...a { row[b] += c0 * ra * zR[b] - c1 * (ra * zD[b] + da * zR[b]) + c2 * da * zD[b] }
                    }
                }
                timeA.append(A); timeB.append(B)
            }
        } } } }
        ll += llAcc
        // Row weights: eᵣ (Σ of A over the times at or after its own in processing
        // order, i.e. at or before Tᵣ) − δᵣ eᵣ B_{Tᵣ}; suffix sums from the end (no cancellation).
        var suffix = 0.0
        for k in stride(from: timeStart.count - 1, through: 0, by: -1) {
            suffix += timeA[k]
            let end = k + 1 < timeStart.count ? timeStart[k + 1] : rows.upperBound
            for r in timeStart[k]..<end { w[r] = e[r] * (suffix - (ev[r] ? timeB[k] : 0)) }
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

/// Harrell's concordance index as lifelines' `concordance_index(durations, scores, events)`:
/// over pairs where the shorter duration is an observed event, the share whose
/// score (predicted survival) is also smaller; score ties count ½. A censoring at
/// the same time as an event counts as the longer survival; two events at the
/// same time are not comparable.
public enum Concordance {
    /// O(n log n): times in descending order, a Fenwick tree over score ranks of
    /// everyone with a longer time (censorings at the same time go in first).
    public static func index(durations: [Double], scores: [Double], events: [Bool]) throws -> Double {
        let r = try counts(durations: durations, scores: scores, events: events)
        guard r.pairs > 0 else { throw SurvivalError.invalid("concordance: no comparable pairs") }
        return r.concordant / r.pairs
    }

    /// Concordant pairs (ties ½) and comparable pairs.
    public static func counts(durations: [Double], scores: [Double], events: [Bool]) throws -> (concordant: Double, pairs: Double) {
        let n = durations.count
        guard scores.count == n, events.count == n else { throw SurvivalError.invalid("concordance: lengths differ") }
        if let i = scores.firstIndex(where: { $0.isNaN }) { throw SurvivalError.invalid("concordance: score \(i + 1) is NaN") }
        // Score ranks (1-based, for the Fenwick tree) and rows by time, descending, both by `TimeRanks`.
        let scoreRanks = try TimeRanks(scores)
        let m = scoreRanks.count
        var tree = [Double](repeating: 0, count: m + 1)
        func add(_ r: Int) { var i = r; while i <= m { tree[i] += 1; i += i & -i } }
        func prefix(_ r: Int) -> Double { var i = r, s = 0.0; while i > 0 { s += tree[i]; i -= i & -i }; return s }
        let order = Array(try TimeRanks(durations).ascendingRows().reversed())
        @inline(__always) func rankOf(_ r: Int) -> Int { Int(scoreRanks.rank[r]) + 1 }
        var inTree = 0.0, num = 0.0, den = 0.0
        var i = 0
        while i < n {
            if i & 0x3FFF == 0 { try ExecutionContext.check() }
            let t = durations[order[i]]
            var j = i
            while j < n && durations[order[j]] == t { j += 1 }
            for k in i..<j where !events[order[k]] { add(rankOf(order[k])); inTree += 1 }
            for k in i..<j where events[order[k]] {
                let r = rankOf(order[k])
                let below = prefix(r - 1), atOrBelow = prefix(r)
                num += (inTree - atOrBelow) + 0.5 * (atOrBelow - below)
                den += inTree
            }
            for k in i..<j where events[order[k]] { add(rankOf(order[k])); inTree += 1 }
            i = j
        }
        return (num, den)
    }
}

