import Foundation

/// What CLV needs from a buy-till-you-die purchase model (BG/NBD, Pareto/NBD):
/// expected purchases ahead and the probability the customer is still active.
public protocol RepeatPurchaseModel: Sendable {
    /// E[purchases in (T, T + t]] given the history (x, tₓ, T).
    func conditionalExpectedPurchases(_ t: Double, frequency x: Double, recency tx: Double, T: Double) -> Double
    /// P(still alive | x, tₓ, T).
    func probabilityAlive(frequency x: Double, recency tx: Double, T: Double) -> Double
    /// E[X(t)] for a new customer.
    func expectedPurchases(_ t: Double) -> Double
}

extension BetaGeoModel: RepeatPurchaseModel {}

/// Pareto/NBD (Schmittlein, Morrison & Colombo 1987): purchases Poisson(λ) while
/// alive, λ ~ Gamma(r, α); lifetime Exponential(μ), μ ~ Gamma(s, β). Fitted by
/// maximum likelihood as lifetimes' `ParetoNBDFitter` (its likelihood, A₀ from
/// Fader & Hardie's 2005 note eqs. 19–20); lifetimes stops Nelder–Mead at
/// tol 1e-4, we go to the optimum (the two agree to ~1e-4: the optimum is flat).
/// The gradient is numerical (central differences in θ): the analytic one runs
/// through ∂/∂a of ₂F₁.
public struct ParetoNBDModel: Sendable, Codable, RepeatPurchaseModel {
    public var r: Double, alpha: Double, s: Double, beta: Double
    public var standardErrors: [Double] = []
    public var logLikelihood: Double = .nan
    public var customers: Int = 0
    public var penalizer: Double = 0

    public init(r: Double, alpha: Double, s: Double, beta: Double) { self.r = r; self.alpha = alpha; self.s = s; self.beta = beta }

    public static func fit(frequency x: [Double], recency tx: [Double], T: [Double], penalizer: Double = 0) throws -> ParetoNBDModel {
        let (ux, ut, uT, w) = try CLVData.pooled(x, tx, T)
        let W = w.reduce(0, +)
        // Start near typical weekly-data values, scaled to the data's time span (as lifetimes scales T to ≤ 10).
        let span = max(uT.max() ?? 1, 1e-9)
        // lifetimes' penalty: penalizer·Σθ² with α, β in units of max T (it fits on T / max T), added to the
        // *summed* negative log-likelihood (it divides by weights.mean() = 1) — so on our mean it is penalizer / n.
        let f = try LogParameterMLE.fit(initial: [0.5, span / 4, 0.5, span / 4], totalWeight: W, penalizer: penalizer / W,
                                        penaltyScale: [1, 1 / span, 1, 1 / span]) { th, g in
            let v = logLikelihood(th, ux, ut, uT, w)
            for j in 0..<4 {
                let h = 1e-6 * th[j]
                var tp = th, tm = th; tp[j] += h; tm[j] -= h
                g[j] = (logLikelihood(tp, ux, ut, uT, w) - logLikelihood(tm, ux, ut, uT, w)) / (2 * h)
            }
            return v
        }
        var m = ParetoNBDModel(r: f.params[0], alpha: f.params[1], s: f.params[2], beta: f.params[3])
        m.standardErrors = f.standardErrors; m.logLikelihood = f.logLikelihood; m.customers = x.count; m.penalizer = penalizer
        return m
    }

    /// log A₀ (lifetimes' `_log_A_0`).
    static func logA0(_ r: Double, _ alpha: Double, _ s: Double, _ beta: Double, _ x: Double, _ tx: Double, _ T: Double) -> Double {
        let (lo, hi, t) = alpha < beta ? (alpha, beta, r + x) : (beta, alpha, s + 1)
        let d = hi - lo, rsf = r + s + x
        let p1 = Special.hyp2f1(rsf, t, rsf + 1, d / (hi + tx)), q1 = hi + tx
        let p2 = Special.hyp2f1(rsf, t, rsf + 1, d / (hi + T)), q2 = hi + T
        // log(p1 q2^rsf − p2 q1^rsf) − rsf log(q1 q2), the difference taken in log space.
        let a = log(p1) + rsf * log(q2), b = log(p2) + rsf * log(q1)
        return a + log(-expm1(b - a)) - rsf * log(q1 * q2)
    }

    /// Per-customer log-likelihood (lifetimes' `_conditional_log_likelihood`).
    static func logLikelihood(_ r: Double, _ alpha: Double, _ s: Double, _ beta: Double, _ x: Double, _ tx: Double, _ T: Double) -> Double {
        let a1 = Special.lnGamma(r + x) - Special.lnGamma(r) + r * log(alpha) + s * log(beta)
        let u = -(r + x) * log(alpha + T) - s * log(beta + T)
        let v = log(s) + logA0(r, alpha, s, beta, x, tx, T) - log(r + s + x)
        let m = Swift.max(u, v)
        return a1 + m + log(exp(u - m) + exp(v - m))
    }

    static func logLikelihood(_ th: [Double], _ x: [Double], _ tx: [Double], _ T: [Double], _ w: [Double]) -> Double {
        var ll = 0.0
        for i in 0..<x.count { ll += w[i] * logLikelihood(th[0], th[1], th[2], th[3], x[i], tx[i], T[i]) }
        return ll
    }

    /// lifetimes' `conditional_expected_number_of_purchases_up_to_time`.
    public func conditionalExpectedPurchases(_ t: Double, frequency x: Double, recency tx: Double, T: Double) -> Double {
        let ll = Self.logLikelihood(r, alpha, s, beta, x, tx, T)
        let first = Special.lnGamma(r + x) - Special.lnGamma(r) + r * log(alpha) + s * log(beta) - (r + x) * log(alpha + T) - s * log(beta + T)
        let second = log(r + x) + log(beta + T) - log(alpha + T)
        let third = log((1 - pow((beta + T) / (beta + T + t), s - 1)) / (s - 1))
        return exp(first + second + third - ll)
    }

    /// lifetimes' `conditional_probability_alive`.
    public func probabilityAlive(frequency x: Double, recency tx: Double, T: Double) -> Double {
        let a0 = Self.logA0(r, alpha, s, beta, x, tx, T)
        return 1 / (1 + exp(log(s) - log(r + s + x) + (r + x) * log(alpha + T) + s * log(beta + T) + a0))
    }

    /// lifetimes' `expected_number_of_purchases_up_to_time`: r β / (α (s − 1)) · (1 − (β / (β + t))^(s − 1)).
    public func expectedPurchases(_ t: Double) -> Double {
        r * beta / (alpha * (s - 1)) * (1 - pow(beta / (beta + t), s - 1))
    }
}
