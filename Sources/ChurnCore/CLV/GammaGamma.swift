import Foundation

/// Gamma–Gamma spend model (Fader, Hardie & Lee, "RFM and CLV", 2005): a
/// customer's transaction values are Gamma(p, ν), ν ~ Gamma(q, γ); fitted on
/// repeat customers' (frequency x > 0, mean spend m), as lifetimes' `GammaGammaFitter`
/// (its `v` is γ here).
public struct GammaGammaModel: Sendable, Codable {
    public var p: Double, q: Double, gamma: Double
    public var standardErrors: [Double] = []
    public var logLikelihood: Double = .nan
    public var customers: Int = 0
    public var penalizer: Double = 0

    public init(p: Double, q: Double, gamma: Double) { self.p = p; self.q = q; self.gamma = gamma }

    /// Customers with x = 0 are skipped (lifetimes requires the caller to drop them).
    public static func fit(frequency: [Double], monetaryValue: [Double], penalizer: Double = 0) throws -> GammaGammaModel {
        guard frequency.count == monetaryValue.count else { throw CLVError.invalid("frequency and monetary_value must have the same length") }
        var x: [Double] = [], m: [Double] = []
        for i in 0..<frequency.count where frequency[i] > 0 {
            guard monetaryValue[i].isFinite, monetaryValue[i] > 0 else {
                throw CLVError.invalid("gamma_gamma: monetary_value must be > 0 for repeat customers; customer \(i + 1) has \(monetaryValue[i])")
            }
            x.append(frequency[i]); m.append(monetaryValue[i])
        }
        guard x.count >= 3 else { throw CLVError.invalid("gamma_gamma needs at least 3 repeat customers, got \(x.count)") }
        let f = try LogParameterMLE.fit(initial: [1, 1, 1], totalWeight: Double(x.count), penalizer: penalizer) { th, g in
            logLikelihood(th, x, m, &g)
        }
        var r = GammaGammaModel(p: f.params[0], q: f.params[1], gamma: f.params[2])
        r.standardErrors = f.standardErrors; r.logLikelihood = f.logLikelihood; r.customers = x.count
        return r
    }

    static func logLikelihood(_ th: [Double], _ x: [Double], _ m: [Double], _ g: inout [Double]) -> Double {
        let p = th[0], q = th[1], v = th[2]
        var ll = 0.0, gp = 0.0, gq = 0.0, gv = 0.0
        let lgq = Special.lnGamma(q), psq = Special.digamma(q), lv = log(v)
        for i in 0..<x.count {
            let xi = x[i], mi = m[i], px = p * xi
            let lxm = log(xi * mi + v), lm = log(mi), lx = log(xi)
            let gammaTerms: Double = Special.lnGamma(px + q) - Special.lnGamma(px) - lgq
            let logTerms: Double = q * lv + (px - 1) * lm + px * lx - (px + q) * lxm
            ll += gammaTerms + logTerms
            let ps = Special.digamma(px + q)
            gp += xi * (ps - Special.digamma(px) + lm + lx - lxm)
            gq += ps - psq + lv - lxm
            gv += q / v - (px + q) / (xi * mi + v)
        }
        g = [gp, gq, gv]
        return ll
    }

    /// E[mean spend | x, m] (lifetimes' `conditional_expected_average_profit`); the population mean when x = 0.
    public func expectedAverageSpend(frequency x: Double, monetaryValue m: Double) -> Double {
        let w = p * x / (p * x + q - 1)
        return (1 - w) * (gamma * p / (q - 1)) + w * m
    }
}

/// Customer lifetime value, as lifetimes' `GammaGammaFitter.customer_lifetime_value`:
/// Σ over months k = 1…`months` of expected spend × (E[purchases by month k] −
/// E[by month k − 1]) / (1 + discount)^k, where a month is `periodsPerMonth`
/// model time units (4.345 weeks, 30 days).
public enum CustomerValue {
    public static func clv(_ bg: some RepeatPurchaseModel, _ gg: GammaGammaModel, frequency x: Double, recency tx: Double, T: Double,
                           monetaryValue m: Double, months: Int, discount: Double, periodsPerMonth: Double) -> Double {
        let spend = gg.expectedAverageSpend(frequency: x, monetaryValue: m)
        var v = 0.0, prev = 0.0
        for k in 1...max(months, 1) {
            let t = Double(k) * periodsPerMonth
            let e = bg.conditionalExpectedPurchases(t, frequency: x, recency: tx, T: T)
            v += spend * (e - prev) / pow(1 + discount, Double(k))
            prev = e
        }
        return v
    }
}
