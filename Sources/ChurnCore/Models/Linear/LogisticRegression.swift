#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Binary logistic regression with scikit-learn's parametrisation.
///
/// Minimises Σᵢ wᵢ·logloss(yᵢ, β·xᵢ + b) + penalty(β)/C, where penalty is
/// none, ½‖β‖² (L2), ‖β‖₁ (L1) or l1_ratio·‖β‖₁ + ½(1−l1_ratio)·‖β‖² (elastic
/// net) — exactly sklearn's `LogisticRegression(C=…, l1_ratio=…)` objective. The
/// intercept b is never penalised. wᵢ are sample weights times class weights
/// (`balanced`: n / (2·n_class), as sklearn).
///
/// Solvers (`Solver.auto` picks):
/// * `newton` — few coefficients (auto: ≤ 30 incl. intercept). None/L2: Newton/IRLS
///   with step halving. L1/elastic net: proximal Newton (quadratic model + exact
///   L1 term solved by coordinate descent, then backtracking), like glmnet.
/// * `lbfgs` — own L-BFGS with a strong-Wolfe line search; none/L2 otherwise.
/// * `owlqn` — orthant-wise L-BFGS for L1 and elastic net with many coefficients
///   (the L2 part stays in the smooth objective, the L1 part is handled by
///   orthant projection).
/// Both L1 methods give exact zeros.
///
/// Inputs: numeric features are used as they are; categorical features are
/// one-hot encoded with the first level dropped (columns named `plan=annual`).
/// Missing values are errors (impute first). With `standardize`, columns are
/// centred and scaled (population std, like StandardScaler) before fitting, so
/// the penalty acts on standardised coefficients; without it the penalty acts on
/// raw coefficients as in plain sklearn. (The optimiser always runs on scaled
/// columns for conditioning; the penalty is rescaled to match, so this changes
/// only speed and accuracy, not the answer.) `coef`/`intercept` are always on the
/// original scale, `standardizedCoef` = coef × column std. Without an intercept
/// columns are only scaled, not centred (centring would change the model).
///
/// Unpenalised fits also carry the coefficient covariance (inverse Hessian), so
/// `coefficientTable()` gives standard errors, z, p-values and 95% intervals like
/// statsmodels' `Logit` (non-robust; sample weights treated as frequency weights).
public struct LogisticRegression: BinaryClassifier, Codable, Sendable {
    public enum Penalty: String, Codable, Sendable, CaseIterable { case none, l2, l1, elasticnet }
    public enum Solver: String, Codable, Sendable, CaseIterable { case auto, lbfgs, newton, owlqn }
    public enum ClassWeight: String, Codable, Sendable, CaseIterable { case none, balanced }

    public struct Options: Codable, Sendable, Equatable {
        public var penalty: Penalty = .l2
        /// Inverse regularisation strength (> 0); ignored for `.none`.
        public var C: Double = 1
        /// Elastic-net mixing in [0, 1]: 1 = pure L1, 0 = pure L2.
        public var l1Ratio: Double = 0.5
        public var fitIntercept = true
        public var classWeight: ClassWeight = .none
        public var standardize = false
        public var solver: Solver = .auto
        /// Stop when the largest gradient entry of the weight-averaged objective
        /// (on the internally scaled columns) is below this. nil = the solver's
        /// default, `defaultTol(for:)`: 1e-4 for the first-order solvers (lbfgs,
        /// owlqn) — scikit-learn's default `tol`, on the same mean-loss scale,
        /// so a default fit stops where scikit-learn's does instead of spending
        /// hundreds of iterations on digits of the loss no prediction sees —
        /// and 1e-8 for newton, whose quadratic convergence makes the tight
        /// stop nearly free. Both solvers also stop when an iteration lowers the
        /// objective by less than 64·ε relatively (scipy's `ftol`, as scikit-learn).
        public var tol: Double? = nil
        public var maxIter = 1000
        /// liblinear's intercept_scaling: the intercept is fitted as the weight of
        /// a constant feature of this value and penalised like the coefficients,
        /// i.e. the penalty includes (b/s)² (L2) or |b|/s (L1). nil: the intercept
        /// is not penalised (scikit-learn's other solvers). Larger s = weaker
        /// penalty on b. Needs fit_intercept; not with standardize (whose
        /// centring would change what is penalised).
        public var interceptScaling: Double? = nil
        public init(penalty: Penalty = .l2, C: Double = 1, l1Ratio: Double = 0.5, fitIntercept: Bool = true,
                    classWeight: ClassWeight = .none, standardize: Bool = false, solver: Solver = .auto,
                    tol: Double? = nil, maxIter: Int = 1000) {
            self.penalty = penalty; self.C = C; self.l1Ratio = l1Ratio; self.fitIntercept = fitIntercept
            self.classWeight = classWeight; self.standardize = standardize; self.solver = solver
            self.tol = tol; self.maxIter = maxIter
        }
    }

    /// How the optimisation went.
    public struct FitInfo: Codable, Sendable, Equatable {
        public var solver: Solver
        public var iterations: Int
        public var evaluations: Int
        public var converged: Bool
        public var message: String
        /// Final objective divided by the total weight.
        public var objective: Double
        public var nobs: Int
        public var totalWeight: Double
    }

    /// Model kind in model files.
    public static let kind = "logistic"

    public let options: Options
    /// Input features and, for categoricals, their fit-time levels.
    public let layout: LinearDesign.Layout
    /// Names of the design columns (numeric features and `feature=level` indicators).
    public let columnNames: [String]
    /// Coefficients per design column, original scale.
    public let coef: [Double]
    public let intercept: Double
    /// Coefficients of the standardised columns (coef × column std), the scale
    /// the penalty acts on when `options.standardize`.
    public let standardizedCoef: [Double]
    /// Training mean and population std of each design column (used by `contributions`).
    public let columnMean: [Double]
    public let columnScale: [Double]
    /// Covariance of [coef…, intercept] (row-major), unpenalised fits only.
    public let covariance: [Double]?
    public let info: FitInfo

    public var featureNames: [String] { layout.features.map(\.name) }

    // MARK: fitting

    /// Fits on `X` with 0/1 targets `y` and optional non-negative sample weights.
    public static func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]? = nil,
                           options: Options = Options()) throws -> LogisticRegression {
        try validate(options)
        let n = X.nrow
        guard y.count == n else { throw LinearModelError.lengthMismatch(what: "target", expected: n, got: y.count) }
        if let weights, weights.count != n { throw LinearModelError.lengthMismatch(what: "weights", expected: n, got: weights.count) }
        var positives = 0
        for (i, v) in y.enumerated() {
            guard v == 0 || v == 1 else { throw LinearModelError.badTarget("logistic regression: target must be 0/1; row \(i + 1) is \(v)") }
            if v == 1 { positives += 1 }
        }
        guard positives > 0 && positives < n else {
            throw LinearModelError.badTarget("logistic regression: the target has a single class (\(positives) positives in \(n) rows)")
        }

        let layout = LinearDesign.layout(of: X)
        var design = try LinearDesign(X, layout: layout)
        let (mean, scale) = design.columnMoments()
        // The optimiser always works on centred, scaled columns (centring only with
        // an intercept to absorb it): same minimiser, far better conditioning. Without
        // `standardize` the penalty is rescaled so it still acts on raw coefficients.
        // A penalised intercept (intercept_scaling) is not shift-invariant, so its columns are only scaled.
        let penalisedIntercept = options.fitIntercept ? options.interceptScaling : nil
        let center = options.fitIntercept && penalisedIntercept == nil ? mean : [Double](repeating: 0, count: mean.count)
        design.standardize(mean: center, scale: scale)

        var w = [Double](repeating: 1, count: n)
        if let weights {
            for (i, v) in weights.enumerated() {
                guard v.isFinite && v >= 0 else { throw LinearModelError.badTarget("logistic regression: weight at row \(i + 1) is \(v); weights must be finite and ≥ 0") }
                w[i] = v
            }
        }
        if options.classWeight == .balanced {
            let cw1 = Double(n) / (2 * Double(positives)), cw0 = Double(n) / (2 * Double(n - positives))
            for i in 0..<n { w[i] *= y[i] == 1 ? cw1 : cw0 }
        }
        var totalWeight = 0.0, weightedPos = 0.0
        for i in 0..<n { totalWeight += w[i]; weightedPos += w[i] * y[i] }
        guard totalWeight > 0 else { throw LinearModelError.badTarget("logistic regression: all sample weights are zero") }

        let p = design.ncol
        let (alpha, lambda1): (Double, Double) = {
            switch options.penalty {
            case .none: return (0, 0)
            case .l2: return (1 / options.C, 0)
            case .l1: return (0, 1 / options.C)
            case .elasticnet: return ((1 - options.l1Ratio) / options.C, options.l1Ratio / options.C)
            }
        }()
        // Penalty on θ (the coefficient of the scaled column): raw β = θ/s, so
        // α·β² = (α/s²)·θ² and λ·|β| = (λ/s)·|θ|.
        let alphas = (0..<p).map { options.standardize ? alpha : alpha / (scale[$0] * scale[$0]) }
        let lambdas = (0..<p).map { options.standardize ? lambda1 : lambda1 / scale[$0] }
        // liblinear: b = s·w_b with w_b penalised, so α·w_b² = (α/s²)·b² and λ·|w_b| = (λ/s)·|b|.
        let interceptAlpha = penalisedIntercept.map { alpha / ($0 * $0) } ?? 0
        let objective = LogisticObjective(design: design, y: y, w: w, totalWeight: totalWeight, alpha: alphas,
                                          fitIntercept: options.fitIntercept, interceptAlpha: interceptAlpha)
        let d = objective.dimension
        var theta0 = [Double](repeating: 0, count: d)
        if options.fitIntercept {
            let rate = min(max(weightedPos / totalWeight, 1e-12), 1 - 1e-12)
            theta0[p] = log(rate / (1 - rate))
        }

        let solver: Solver
        switch options.solver {
        case .auto: solver = d <= 30 ? .newton : (lambda1 > 0 ? .owlqn : .lbfgs)
        case .owlqn, .newton: solver = options.solver
        case .lbfgs:
            guard lambda1 == 0 else {
                throw LinearModelError.invalidOption("logistic regression: solver 'lbfgs' cannot fit an L1 penalty; use 'owlqn', 'newton' or 'auto'")
            }
            solver = .lbfgs
        }
        var l1 = lambdas.map { $0 / totalWeight }
        if options.fitIntercept { l1.append(penalisedIntercept.map { lambda1 / $0 / totalWeight } ?? 0) }
        let result: LBFGS.Result
        var lbfgs = LBFGS()
        lbfgs.gtol = options.tol ?? Self.defaultTol(for: solver); lbfgs.maxIterations = options.maxIter
        let f: LBFGS.Objective = { objective.evaluate($0, gradient: &$1) }
        let newton = NewtonSolver(maxIterations: min(options.maxIter, 200), gtol: options.tol ?? Self.defaultTol(for: .newton))
        switch solver {
        case .newton:
            result = try lambda1 > 0 ? newton.minimizeL1(objective, from: theta0, l1: l1) : newton.minimize(objective, from: theta0)
        case .lbfgs, .auto:
            result = try lbfgs.minimize(theta0, f)
        case .owlqn:
            result = try lbfgs.minimizeOWLQN(theta0, l1: l1, f)
        }

        // Without a penalty, separable classes send coefficients to infinity while the
        // loss tends to 0; the "optimum" is meaningless, so say so (as statsmodels does).
        if alpha == 0 && lambda1 == 0 && result.value < 1e-6 {
            throw LinearModelError.invalidOption(
                "logistic regression: the classes are perfectly separated by the features (mean log-loss \(result.value)), " +
                "so unpenalised coefficients are infinite; use an L2 penalty or drop the separating feature")
        }
        let fitted = Array(result.x[0..<p])
        let b = options.fitIntercept ? result.x[p] : 0
        var coef = fitted, intercept = b
        for j in 0..<p { coef[j] = fitted[j] / scale[j]; intercept -= fitted[j] * center[j] / scale[j] }

        var covariance: [Double]? = nil
        if options.penalty == .none, let l = DenseSPD.cholesky(objective.hessian(result.x), d) {
            // θ_raw = A·θ_fit: coefⱼ = θⱼ/sⱼ, intercept = b − Σ θⱼ·cⱼ/sⱼ; Cov_raw = A·Cov·Aᵀ.
            var a = [Double](repeating: 0, count: d * d)
            for j in 0..<p { a[j * d + j] = 1 / scale[j] }
            if options.fitIntercept {
                for j in 0..<p { a[p * d + j] = -center[j] / scale[j] }
                a[p * d + p] = 1
            }
            covariance = multiplyABAt(a, DenseSPD.inverse(cholesky: l, d), d)
        }

        let info = FitInfo(solver: solver, iterations: result.iterations, evaluations: result.evaluations,
                           converged: result.converged, message: result.message, objective: result.value,
                           nobs: n, totalWeight: totalWeight)
        return LogisticRegression(options: options, layout: layout, columnNames: design.names, coef: coef,
                                  intercept: intercept, standardizedCoef: fitted, columnMean: mean,
                                  columnScale: scale, covariance: covariance, info: info)
    }

    /// The stopping tolerance when `Options.tol` is nil (see there).
    public static func defaultTol(for solver: Solver) -> Double {
        solver == .newton ? 1e-8 : 1e-4
    }

    static func validate(_ o: Options) throws {
        if o.penalty != .none {
            guard o.C.isFinite && o.C > 0 else { throw LinearModelError.invalidOption("logistic regression: C must be a positive number, got \(o.C)") }
        }
        guard o.l1Ratio >= 0 && o.l1Ratio <= 1 else { throw LinearModelError.invalidOption("logistic regression: l1_ratio must be in [0, 1], got \(o.l1Ratio)") }
        if let tol = o.tol {
            guard tol > 0 && tol.isFinite else { throw LinearModelError.invalidOption("logistic regression: tol must be positive, got \(tol)") }
        }
        if let s = o.interceptScaling {
            guard s.isFinite && s > 0 else { throw LinearModelError.invalidOption("logistic regression: intercept_scaling must be a finite number > 0, got \(s)") }
            guard o.fitIntercept else { throw LinearModelError.invalidOption("logistic regression: intercept_scaling needs fit_intercept = true") }
            guard !o.standardize else { throw LinearModelError.invalidOption("logistic regression: intercept_scaling (a penalised intercept, liblinear) cannot be combined with standardize = true") }
        }
        guard o.maxIter > 0 else { throw LinearModelError.invalidOption("logistic regression: max_iter must be positive, got \(o.maxIter)") }
    }

    /// A·B·Aᵀ for d×d row-major matrices.
    private static func multiplyABAt(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var ab = [Double](repeating: 0, count: d * d), out = ab
        for i in 0..<d { for k in 0..<d where a[i * d + k] != 0 { for j in 0..<d { ab[i * d + j] += a[i * d + k] * b[k * d + j] } } }
        for i in 0..<d { for j in 0..<d { var s = 0.0; for k in 0..<d { s += ab[i * d + k] * a[j * d + k] }; out[i * d + j] = s } }
        return out
    }

    // MARK: prediction

    /// Linear predictor (log-odds) per row.
    public func decisionFunction(_ X: FeatureMatrix) throws -> [Double] {
        try LinearDesign.linearPredictor(X, layout: layout, coef: coef, intercept: intercept)
    }

    /// P(positive) per row.
    public func predictProba(_ X: FeatureMatrix) throws -> [Double] {
        var z = try decisionFunction(X)
        for i in 0..<z.count { z[i] = LogisticObjective.logLossParts(z[i]).sigmoid }
        return z
    }

    // MARK: explanation

    /// Per-row contributions to the log-odds, one column per input feature.
    /// For feature j: Σ over its design columns c of coef_c·(x_c − mean_c) —
    /// the standardised coefficient times the standardised value. A categorical
    /// feature's indicators are summed. Each row satisfies
    /// `baseline + Σⱼ values[j][row] = log-odds(row)`, where `baseline` is the
    /// log-odds at the training means.
    public struct Contributions: Sendable {
        public let featureNames: [String]
        /// values[feature][row].
        public let values: [[Double]]
        public let baseline: Double
    }

    public func contributions(_ X: FeatureMatrix) throws -> Contributions {
        let design = try LinearDesign(X, layout: layout)
        let n = design.nrow
        var out = [[Double]](repeating: [Double](repeating: 0, count: n), count: layout.features.count)
        var baseline = intercept
        for c in 0..<design.ncol { baseline += coef[c] * columnMean[c] }
        // Row chunks of every column materialised (sparse indicators too).
        let ranges = Parallel.ranges(n, chunks: max(1, (n + 4095) / 4096))
        let chunk = ranges.map(\.count).max() ?? 0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: max(1, chunk * design.ncol)) { buf in
            let x = buf.baseAddress!
            for r in ranges {
                design.copyRows(r, into: x)
                for c in 0..<design.ncol {
                    let f = design.source[c], b = coef[c], m = columnMean[c]
                    out[f].withUnsafeMutableBufferPointer { o in
                        let col = x + c * r.count
                        for i in r { o[i] += b * (col[i - r.lowerBound] - m) }
                    }
                }
            }
        }
        return Contributions(featureNames: featureNames, values: out, baseline: baseline)
    }
}
