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
