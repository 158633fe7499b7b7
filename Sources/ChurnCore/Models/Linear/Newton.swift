/// Newton's method (equivalently IRLS) for the smooth logistic objective:
/// θ ← θ − t·H⁻¹∇f, t halved until the objective decreases. Each step costs
/// O(n·d²) for the Hessian, so it is the choice for few coefficients; it
/// converges quadratically and ends with the exact Hessian in hand.
///
/// Near the optimum the decrease a step brings (½·∇fᵀH⁻¹∇f) falls below the
/// rounding of f itself; there a full step is accepted whenever f does not
/// rise beyond rounding, since the gradient still guides it reliably.
struct NewtonSolver {
    var maxIterations = 100
    var gtol = 1e-8

    func minimize(_ objective: LogisticObjective, from x0: [Double]) throws -> LBFGS.Result {
        let d = objective.dimension
        var x = x0
        var g = [Double](repeating: 0, count: d)
        var fx = objective.evaluate(x, gradient: &g)
        var evals = 1
        for iter in 1...max(1, maxIterations) {
            try ExecutionContext.check()   // per step: a Hessian is O(n·d²)
            if LBFGS.maxAbs(g) <= gtol {
                return .init(x: x, value: fx, iterations: iter - 1, evaluations: evals, converged: true, message: "gradient below tolerance")
            }
            var h = objective.hessian(x)
            let inv = 1 / objective.totalWeight
            for k in 0..<h.count { h[k] *= inv }
            guard let l = DenseSPD.cholesky(h, d) else {
                throw LinearModelError.invalidOption(
                    "logistic regression (newton): the Hessian is singular — features are collinear or the classes are " +
                    "perfectly separated; drop redundant features or use an L2 penalty")
            }
            let step = DenseSPD.solve(cholesky: l, d, g)
            let decrement = LBFGS.dot(g, step)
            let fScale = max(1, abs(fx))
            if decrement <= 1e-30 * fScale {
                return .init(x: x, value: fx, iterations: iter - 1, evaluations: evals, converged: true,
                             message: "Newton decrement below floating-point precision")
            }
            let noiseRegime = decrement <= 1e-10 * fScale
            var t = 1.0
            var accepted = false
            for _ in 0..<40 {
                var xt = x
                LBFGS.axpy(-t, step, &xt)
                var gt = [Double](repeating: 0, count: d)
                let ft = objective.evaluate(xt, gradient: &gt); evals += 1
                let sufficient = ft <= fx - 1e-4 * t * decrement
                let withinRounding = noiseRegime && t == 1 && ft <= fx + 1e-13 * fScale
                if ft.isFinite && (sufficient || withinRounding) {
                    x = xt; g = gt; fx = ft; accepted = true; break
                }
                t /= 2
            }
            if !accepted {
                return .init(x: x, value: fx, iterations: iter, evaluations: evals, converged: LBFGS.maxAbs(g) <= gtol * 100,
                             message: "no further decrease possible (at the limit of floating-point precision)")
            }
        }
        return .init(x: x, value: fx, iterations: maxIterations, evaluations: evals, converged: LBFGS.maxAbs(g) <= gtol,
                     message: "reached max_iter = \(maxIterations)")
    }
}

extension NewtonSolver {
    /// Proximal Newton for f(θ) + Σ l1ⱼ·|θⱼ| (as glmnet / liblinear's newGLMNET):
    /// each outer step minimises the quadratic model of f plus the exact L1 term
    /// by cyclic coordinate descent — O(d²) per sweep, independent of the row
    /// count — then backtracks on the true objective. Robust where OWL-QN
    /// crawls (nearly collinear columns such as minutes vs charge), and exact
    /// zeros come from the soft-thresholding.
    func minimizeL1(_ objective: LogisticObjective, from x0: [Double], l1: [Double]) throws -> LBFGS.Result {
        let d = objective.dimension
        var x = x0
        var g = [Double](repeating: 0, count: d)
        var fs = objective.evaluate(x, gradient: &g)
        var evals = 1
        func penalty(_ v: [Double]) -> Double { var s = 0.0; for j in 0..<d { s += l1[j] * abs(v[j]) }; return s }
        func subgradientNorm(_ x: [Double], _ g: [Double]) -> Double {
            var m = 0.0
            for j in 0..<d {
                let v: Double
                if l1[j] == 0 { v = g[j] }
                else if x[j] > 0 { v = g[j] + l1[j] }
                else if x[j] < 0 { v = g[j] - l1[j] }
                else { v = max(0, abs(g[j]) - l1[j]) }
                m = max(m, abs(v))
            }
            return m
        }
        var F = fs + penalty(x)
        for iter in 1...max(1, maxIterations) {
            try ExecutionContext.check()
            let optimality = subgradientNorm(x, g)
            if optimality <= gtol {
                return .init(x: x, value: F, iterations: iter - 1, evaluations: evals, converged: true, message: "subgradient below tolerance")
            }
            var h = objective.hessian(x)
            let inv = 1 / objective.totalWeight
            for k in 0..<h.count { h[k] *= inv }
            // Inner problem: min_u gᵀ(u−x) + ½(u−x)ᵀH(u−x) + Σ l1ⱼ|uⱼ|, by coordinate descent,
            // solved loosely far from the optimum and tightly near it.
            let innerTol = min(1e-4, max(1e-13, 0.01 * optimality))
            var u = x
            var hd = [Double](repeating: 0, count: d)   // H·(u − x)
            for _ in 0..<10_000 {
                var maxChange = 0.0, maxCoef = 0.0
                for j in 0..<d {
                    let a = h[j * d + j]
                    guard a > 0 else { continue }
                    let delta = u[j] - x[j]
                    // Derivative of the smooth part at u w.r.t. uⱼ, minus the diagonal term.
                    let b = g[j] + hd[j] - a * delta
                    let target = a * x[j] - b
                    let newU = l1[j] == 0 ? target / a : (abs(target) <= l1[j] ? 0 : (target - (target > 0 ? l1[j] : -l1[j])) / a)
                    let change = newU - u[j]
                    if change != 0 {
                        for k in 0..<d { hd[k] += h[k * d + j] * change }
                        u[j] = newU
                    }
                    maxChange = max(maxChange, abs(change)); maxCoef = max(maxCoef, abs(newU))
                }
                if maxChange <= innerTol * max(1, maxCoef) { break }
            }
            var step = u
            for j in 0..<d { step[j] -= x[j] }
            // Predicted decrease of the model (negative when u improves on x).
            let predicted = LBFGS.dot(g, step) + penalty(u) - penalty(x)
            if predicted > -1e-30 * max(1, abs(F)) {
                return .init(x: x, value: F, iterations: iter - 1, evaluations: evals, converged: true,
                             message: "proximal Newton step below floating-point precision")
            }
            let noiseRegime = -predicted <= 1e-10 * max(1, abs(F))
            var t = 1.0
            var accepted = false
            for _ in 0..<40 {
                var xt = x
                LBFGS.axpy(t, step, &xt)
                var gt = [Double](repeating: 0, count: d)
                let ft = objective.evaluate(xt, gradient: &gt); evals += 1
                let Ft = ft + penalty(xt)
                if Ft.isFinite && (Ft <= F + 1e-4 * t * predicted || (noiseRegime && t == 1 && Ft <= F + 1e-13 * max(1, abs(F)))) {
                    x = xt; g = gt; fs = ft; F = Ft; accepted = true; break
                }
                t /= 2
            }
            if !accepted {
                return .init(x: x, value: F, iterations: iter, evaluations: evals, converged: subgradientNorm(x, g) <= gtol * 100,
                             message: "no further decrease possible (at the limit of floating-point precision)")
            }
        }
        _ = fs
        return .init(x: x, value: F, iterations: maxIterations, evaluations: evals, converged: subgradientNorm(x, g) <= gtol,
                     message: "reached max_iter = \(maxIterations)")
    }
}
