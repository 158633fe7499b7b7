/// Limited-memory BFGS minimisers used by the linear models.
///
/// * `LBFGS.minimize` — smooth objectives; line search satisfies the strong
///   Wolfe conditions (Nocedal & Wright, Algorithms 3.5/3.6: bracketing then
///   zoom with safeguarded cubic interpolation), c₁ = 1e-4, c₂ = 0.9.
/// * `LBFGS.minimizeOWLQN` — smooth objective plus Σ λⱼ|θⱼ| (Andrew & Gao 2007,
///   "Orthant-wise limited-memory quasi-Newton"): steps use the pseudo-gradient,
///   directions are sign-constrained, trial points are projected onto the
///   current orthant, and a backtracking (Armijo) line search is used, since the
///   projected path is not differentiable.
///
/// Both stop when the (pseudo-)gradient's largest entry is ≤ `gtol`, or when the
/// relative decrease of the objective over an iteration is ≤ `ftol`, or at
/// `maxIterations`.
public struct LBFGS: Sendable {
    public var memory = 10
    public var maxIterations = 1000
    public var gtol = 1e-8
    /// Relative-reduction stop, as scipy's L-BFGS-B `ftol` (scikit-learn passes 64·ε).
    public var ftol = 64 * Double.ulpOfOne
    public var maxLineSearch = 40

    public init() {}

    public struct Result: Sendable {
        public var x: [Double]
        public var value: Double
        public var iterations: Int
        public var evaluations: Int
        public var converged: Bool
        public var message: String
    }

    public typealias Objective = ([Double], inout [Double]) -> Double

    /// Two-loop recursion: returns −H·g for the stored pairs.
    private static func direction(_ g: [Double], s: [[Double]], y: [[Double]], rho: [Double]) -> [Double] {
        var q = g
        let m = s.count
        var a = [Double](repeating: 0, count: m)
        for k in stride(from: m - 1, through: 0, by: -1) {
            a[k] = rho[k] * dot(s[k], q)
            axpy(-a[k], y[k], &q)
        }
        if m > 0 {
            let gamma = dot(s[m - 1], y[m - 1]) / dot(y[m - 1], y[m - 1])
            for i in 0..<q.count { q[i] *= gamma }
        }
        for k in 0..<m {
            let b = rho[k] * dot(y[k], q)
            axpy(a[k] - b, s[k], &q)
        }
        for i in 0..<q.count { q[i] = -q[i] }
        return q
    }

    @inline(__always) static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }
    @inline(__always) static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        for i in 0..<y.count { y[i] += a * x[i] }
    }
    static func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }

    private struct Memory {
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        let size: Int
        mutating func push(_ sk: [Double], _ yk: [Double]) {
            let sy = LBFGS.dot(sk, yk)
            guard sy > 1e-16 * LBFGS.dot(yk, yk), sy > 0 else { return }   // keep H positive definite
            if s.count == size { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
            s.append(sk); y.append(yk); rho.append(1 / sy)
        }
    }

    /// Minimises a smooth function from `x0`.
    /// Checks for cancellation once per iteration (an iteration evaluates the
    /// objective a few times: O(n·d) each).
    public func minimize(_ x0: [Double], _ f: Objective) throws -> Result {
        var x = x0
        var g = [Double](repeating: 0, count: x.count)
        var fx = f(x, &g)
        var evals = 1
        var mem = Memory(size: memory)
        if LBFGS.maxAbs(g) <= gtol { return Result(x: x, value: fx, iterations: 0, evaluations: evals, converged: true, message: "gradient below tolerance") }
        for iter in 1...max(1, maxIterations) {
            try ExecutionContext.check()
            var d = LBFGS.direction(g, s: mem.s, y: mem.y, rho: mem.rho)
            var dg = LBFGS.dot(d, g)
            if !(dg < 0) {   // not a descent direction: restart from steepest descent
                mem = Memory(size: memory)
                d = g.map { -$0 }; dg = LBFGS.dot(d, g)
            }
            let initial = mem.s.isEmpty ? min(1, 1 / max(LBFGS.maxAbs(g), 1e-300)) : 1
            guard let step = strongWolfe(x: x, fx: fx, g: g, d: d, dg0: dg, initial: initial, f, evals: &evals) else {
                return Result(x: x, value: fx, iterations: iter, evaluations: evals, converged: LBFGS.maxAbs(g) <= gtol * 10,
                              message: "line search could not make progress (at the limit of floating-point precision)")
            }
            var sk = step.x, yk = step.g
            for i in 0..<x.count { sk[i] -= x[i]; yk[i] -= g[i] }
            mem.push(sk, yk)
            let fOld = fx
            x = step.x; g = step.g; fx = step.f
            if LBFGS.maxAbs(g) <= gtol {
                return Result(x: x, value: fx, iterations: iter, evaluations: evals, converged: true, message: "gradient below tolerance")
            }
            if (fOld - fx) <= ftol * max(abs(fOld), abs(fx), 1) {
                return Result(x: x, value: fx, iterations: iter, evaluations: evals, converged: true, message: "relative reduction below tolerance")
            }
        }
        return Result(x: x, value: fx, iterations: maxIterations, evaluations: evals, converged: false,
                      message: "reached max_iter = \(maxIterations)")
    }

    private struct Trial { var a: Double; var f: Double; var dg: Double; var x: [Double]; var g: [Double] }

    /// Minimiser of the cubic through (a, fa, da) and (b, fb, db), kept inside
    /// the interval and away from its ends; bisection when the cubic is useless.
    private static func cubic(_ a: Double, _ fa: Double, _ da: Double, _ b: Double, _ fb: Double, _ db: Double) -> Double {
        let lo = min(a, b), hi = max(a, b), width = hi - lo
        let d1 = da + db - 3 * (fa - fb) / (a - b)
        let disc = d1 * d1 - da * db
        var t = (a + b) / 2
        if disc >= 0 {
            let d2 = (b > a ? 1.0 : -1.0) * disc.squareRoot()
            let c = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2)
            if c.isFinite { t = c }
        }
        return min(max(t, lo + 0.1 * width), hi - 0.1 * width)
    }

    private func strongWolfe(x: [Double], fx: Double, g: [Double], d: [Double], dg0: Double, initial: Double,
                             _ f: Objective, evals: inout Int) -> (x: [Double], f: Double, g: [Double])? {
        let c1 = 1e-4, c2 = 0.9
        func eval(_ a: Double) -> Trial {
            var xt = x
            LBFGS.axpy(a, d, &xt)
            var gt = [Double](repeating: 0, count: x.count)
            let ft = f(xt, &gt)
            evals += 1
            return Trial(a: a, f: ft, dg: LBFGS.dot(gt, d), x: xt, g: gt)
        }
        let armijo = { (t: Trial) in t.f <= fx + c1 * t.a * dg0 }
        let curvature = { (t: Trial) in abs(t.dg) <= -c2 * dg0 }
        var prev = Trial(a: 0, f: fx, dg: dg0, x: x, g: g)
        var a = initial
        var lo: Trial, hi: Trial
        var n = 0
        while true {
            let t = eval(a); n += 1
            if !t.f.isFinite {   // overflowed: shrink toward the last good point
                a = (prev.a + a) / 2
                if n >= maxLineSearch { return nil }
                continue
            }
            if !armijo(t) || (n > 1 && t.f >= prev.f) { lo = prev; hi = t; break }
            if curvature(t) { return (t.x, t.f, t.g) }
            if t.dg >= 0 { lo = t; hi = prev; break }
            if n >= maxLineSearch { return (t.x, t.f, t.g) }
            prev = t
            a *= 2
        }
        // Zoom: lo satisfies Armijo and has the lowest value so far.
        while n < maxLineSearch {
            let a = LBFGS.cubic(lo.a, lo.f, lo.dg, hi.a, hi.f, hi.dg)
            if abs(hi.a - lo.a) * LBFGS.maxAbs(d) < 1e-16 * max(1, LBFGS.maxAbs(x)) { break }
            let t = eval(a); n += 1
            if !t.f.isFinite || !armijo(t) || t.f >= lo.f {
                hi = t
            } else {
                if curvature(t) { return (t.x, t.f, t.g) }
                if t.dg * (hi.a - lo.a) >= 0 { hi = lo }
                lo = t
            }
        }
        // No strong-Wolfe point found; accept the best Armijo point if it improved.
        return lo.a > 0 && lo.f < fx ? (lo.x, lo.f, lo.g) : nil
    }

    /// Minimises f(θ) + Σ l1[j]·|θⱼ| (OWL-QN). `l1[j] = 0` leaves θⱼ unpenalised.
    public func minimizeOWLQN(_ x0: [Double], l1: [Double], _ f: Objective) throws -> Result {
        let dim = x0.count
        var x = x0
        var g = [Double](repeating: 0, count: dim)
        var fs = f(x, &g)
        var evals = 1
        func total(_ x: [Double], _ smooth: Double) -> Double {
            var s = smooth
            for j in 0..<dim where l1[j] != 0 { s += l1[j] * abs(x[j]) }
            return s
        }
        /// Minimum-norm subgradient of the full objective.
        func pseudoGradient(_ x: [Double], _ g: [Double]) -> [Double] {
            var pg = g
            for j in 0..<dim where l1[j] != 0 {
                if x[j] > 0 { pg[j] = g[j] + l1[j] }
                else if x[j] < 0 { pg[j] = g[j] - l1[j] }
                else if g[j] + l1[j] < 0 { pg[j] = g[j] + l1[j] }
                else if g[j] - l1[j] > 0 { pg[j] = g[j] - l1[j] }
                else { pg[j] = 0 }
            }
            return pg
        }
        var F = total(x, fs)
        var pg = pseudoGradient(x, g)
        var mem = Memory(size: memory)
        if LBFGS.maxAbs(pg) <= gtol { return Result(x: x, value: F, iterations: 0, evaluations: evals, converged: true, message: "pseudo-gradient below tolerance") }
        for iter in 1...max(1, maxIterations) {
            try ExecutionContext.check()
            var d = LBFGS.direction(pg, s: mem.s, y: mem.y, rho: mem.rho)
            // Keep only components that agree with steepest descent of the full objective.
            for j in 0..<dim where d[j] * pg[j] >= 0 { d[j] = 0 }
            if LBFGS.dot(d, pg) >= 0 || LBFGS.maxAbs(d) == 0 {
                mem = Memory(size: memory)
                d = pg.map { -$0 }
            }
            // Orthant of the step: the sign of x, or of the descent direction where x is 0.
            let orthant = (0..<dim).map { j -> Double in x[j] != 0 ? (x[j] > 0 ? 1 : -1) : (pg[j] < 0 ? 1 : (pg[j] > 0 ? -1 : 0)) }
            var a = mem.s.isEmpty ? min(1, 1 / max(LBFGS.maxAbs(pg), 1e-300)) : 1.0
            var accepted: (x: [Double], g: [Double], fs: Double, F: Double)?
            for _ in 0..<maxLineSearch {
                var xt = x
                LBFGS.axpy(a, d, &xt)
                for j in 0..<dim where l1[j] != 0 && xt[j] * orthant[j] <= 0 { xt[j] = 0 }
                var gt = [Double](repeating: 0, count: dim)
                let ft = f(xt, &gt); evals += 1
                let Ft = total(xt, ft)
                var decrease = 0.0
                for j in 0..<dim { decrease += pg[j] * (xt[j] - x[j]) }
                if Ft.isFinite && Ft <= F + 1e-4 * decrease { accepted = (xt, gt, ft, Ft); break }
                a *= 0.5
            }
            guard let step = accepted else {
                return Result(x: x, value: F, iterations: iter, evaluations: evals, converged: LBFGS.maxAbs(pg) <= gtol * 10,
                              message: "line search could not make progress (at the limit of floating-point precision)")
            }
            var sk = step.x, yk = step.g
            for j in 0..<dim { sk[j] -= x[j]; yk[j] -= g[j] }
            mem.push(sk, yk)
            let FOld = F
            x = step.x; g = step.g; fs = step.fs; F = step.F
            pg = pseudoGradient(x, g)
            if LBFGS.maxAbs(pg) <= gtol {
                return Result(x: x, value: F, iterations: iter, evaluations: evals, converged: true, message: "pseudo-gradient below tolerance")
            }
            if (FOld - F) <= ftol * max(abs(FOld), abs(F), 1) {
                return Result(x: x, value: F, iterations: iter, evaluations: evals, converged: true, message: "relative reduction below tolerance")
            }
        }
        _ = fs
        return Result(x: x, value: F, iterations: maxIterations, evaluations: evals, converged: false,
                      message: "reached max_iter = \(maxIterations)")
    }
}
