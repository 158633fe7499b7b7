import Foundation

/// BG/NBD ("beta-geometric / negative binomial", Fader, Hardie & Lee 2005):
/// purchases Poisson(λ) while alive, λ ~ Gamma(r, α); after each purchase the
/// customer drops out with probability p ~ Beta(a, b). Fitted by maximum
/// likelihood on (frequency x, recency tₓ, age T), as lifetimes' `BetaGeoFitter`.
public struct BetaGeoModel: Sendable, Codable {
    public var r: Double, alpha: Double, a: Double, b: Double
    public var standardErrors: [Double] = []
    public var logLikelihood: Double = .nan
    public var customers: Int = 0
    public var penalizer: Double = 0

    public init(r: Double, alpha: Double, a: Double, b: Double) { self.r = r; self.alpha = alpha; self.a = a; self.b = b }

    /// Fit on per-customer x, tₓ, T (identical triplets are pooled, so the cost
    /// depends on the number of distinct triplets, not customers).
    public static func fit(frequency x: [Double], recency tx: [Double], T: [Double], penalizer: Double = 0) throws -> BetaGeoModel {
        let (ux, ut, uT, w) = try CLVData.pooled(x, tx, T)
        let W = w.reduce(0, +)
        // lifetimes penalizes α in units of max T (it fits on T / max T).
        let maxT = max(uT.max() ?? 1, 1e-300)
        let f = try LogParameterMLE.fit(initial: [1, 1, 1, 1], totalWeight: W, penalizer: penalizer,
                                        penaltyScale: [1, 1 / maxT, 1, 1]) { th, g in
            logLikelihood(th, ux, ut, uT, w, &g)
        }
        var m = BetaGeoModel(r: f.params[0], alpha: f.params[1], a: f.params[2], b: f.params[3])
        m.standardErrors = f.standardErrors; m.logLikelihood = f.logLikelihood; m.customers = x.count; m.penalizer = penalizer
        return m
    }

    /// Σ w·LL and its gradient in (r, α, a, b) (lifetimes' `_negative_log_likelihood`, negated; ψ for the gradient).
    static func logLikelihood(_ th: [Double], _ x: [Double], _ tx: [Double], _ T: [Double], _ w: [Double], _ g: inout [Double]) -> Double {
        let r = th[0], al = th[1], a = th[2], b = th[3]
        var ll = 0.0, gr = 0.0, gal = 0.0, ga = 0.0, gb = 0.0
        let lgr = Special.lnGamma(r), lgab = Special.lnGamma(a + b), lgb = Special.lnGamma(b)
        let psr = Special.digamma(r), psab = Special.digamma(a + b), psb = Special.digamma(b)
        for i in 0..<x.count {
            let xi = x[i], wi = w[i]
            let A1 = Special.lnGamma(r + xi) - lgr + r * log(al)
            let A2 = lgab + Special.lnGamma(b + xi) - lgb - Special.lnGamma(a + b + xi)
            let lT = log(al + T[i]), A3 = -(r + xi) * lT
            var w3 = 1.0, w4 = 0.0, mix = A3
            var ltx = 0.0
            if xi > 0 {
                ltx = log(al + tx[i])
                let A4 = log(a) - log(b + xi - 1) - (r + xi) * ltx
                let m = Swift.max(A3, A4)
                let e3 = exp(A3 - m), e4 = exp(A4 - m)
                mix = m + log(e3 + e4); w3 = e3 / (e3 + e4); w4 = e4 / (e3 + e4)
            }
            ll += wi * (A1 + A2 + mix)
            let psrx = Special.digamma(r + xi), psabx = Special.digamma(a + b + xi)
            gr += wi * (psrx - psr + log(al) - w3 * lT - w4 * ltx)
            gal += wi * (r / al - w3 * (r + xi) / (al + T[i]) - (xi > 0 ? w4 * (r + xi) / (al + tx[i]) : 0))
            ga += wi * (psab - psabx + (xi > 0 ? w4 / a : 0))
            gb += wi * (psab + Special.digamma(b + xi) - psb - psabx - (xi > 0 ? w4 / (b + xi - 1) : 0))
        }
        g = [gr, gal, ga, gb]
        return ll
    }

    /// E[purchases in (T, T + t]] for a customer with history (x, tₓ, T)
    /// (lifetimes' `conditional_expected_number_of_purchases_up_to_time`).
    public func conditionalExpectedPurchases(_ t: Double, frequency x: Double, recency tx: Double, T: Double) -> Double {
        let aa = r + x, bb = b + x, cc = a + b + x - 1, z = t / (alpha + T + t)
        let hyp = Special.hyp2f1(aa, bb, cc, z)
        let first = (a + b + x - 1) / (a - 1)
        let second = 1 - hyp * pow((alpha + T) / (alpha + t + T), r + x)
        let den = 1 + (x > 0 ? (a / (b + x - 1)) * pow((alpha + T) / (alpha + tx), r + x) : 0)
        return first * second / den
    }

    /// P(still alive | x, tₓ, T) (lifetimes' `conditional_probability_alive`); 1 when x = 0.
    public func probabilityAlive(frequency x: Double, recency tx: Double, T: Double) -> Double {
        if x == 0 { return 1 }
        let logDiv = (r + x) * log((alpha + T) / (alpha + tx)) + log(a / (b + x - 1))
        return 1 / (1 + exp(logDiv))
    }

    /// E[X(t)] for a new customer (lifetimes' `expected_number_of_purchases_up_to_time`).
    public func expectedPurchases(_ t: Double) -> Double {
        let hyp = Special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
        return (a + b - 1) / (a - 1) * (1 - hyp * pow(alpha / (alpha + t), r))
    }
}

/// Input checks and pooling shared by the CLV models.
enum CLVData {
    /// Distinct (x, tₓ, T) triplets with their counts; validates the ranges.
    static func pooled(_ x: [Double], _ tx: [Double], _ T: [Double]) throws -> ([Double], [Double], [Double], [Double]) {
        guard x.count == tx.count, x.count == T.count else { throw CLVError.invalid("frequency, recency and T must have the same length") }
        guard !x.isEmpty else { throw CLVError.invalid("no customers") }
        struct Key: Hashable { var x: Double; var tx: Double; var T: Double }
        var index: [Key: Int] = [:]
        var ux: [Double] = [], ut: [Double] = [], uT: [Double] = [], w: [Double] = []
        for i in 0..<x.count {
            guard x[i].isFinite, x[i] >= 0, x[i] == x[i].rounded() else { throw CLVError.invalid("frequency must be a whole number >= 0; customer \(i + 1) has \(x[i])") }
            guard tx[i].isFinite, T[i].isFinite, tx[i] >= 0, tx[i] <= T[i] else {
                throw CLVError.invalid("need 0 <= recency <= T; customer \(i + 1) has recency \(tx[i]), T \(T[i])")
            }
            guard x[i] == 0 || tx[i] > 0 else { throw CLVError.invalid("customer \(i + 1) has repeat purchases but recency 0") }
            let k = Key(x: x[i], tx: tx[i], T: T[i])
            if let j = index[k] { w[j] += 1 } else { index[k] = ux.count; ux.append(x[i]); ut.append(tx[i]); uT.append(T[i]); w.append(1) }
        }
        return (ux, ut, uT, w)
    }
}
