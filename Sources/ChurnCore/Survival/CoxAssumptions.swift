import Foundation
import ExecutionControl

/// The proportional-hazards check of lifelines' `proportional_hazard_test`
/// (Grambsch & Therneau's score test with the one-step approximation R's
/// `cox.zph` used before 2019): per covariate,
/// T = (Σₖ (gₖ − ḡ) s*ₖ)² / (D · SE² · Σₖ (gₖ − ḡ)²), χ²₁, where s*ₖ = D · sₖ · V are the
/// scaled Schoenfeld residuals of the D events and g a transform of event time.
public struct CoxPHTestResult: Sendable {
    public var transform: CoxPHModel.TimeTransform
    public var statistic: [Double]
    public var pValue: [Double]
    public var minusLog2P: [Double]
}

extension CoxPHModel {
    public enum TimeTransform: String, Sendable, CaseIterable {
        /// Events numbered 1…D in time order (lifelines' default).
        case rank
        /// 1 − Kaplan–Meier survival at the event time (R's `cox.zph` default).
        case km
        case identity
        case log
    }

    /// Schoenfeld residuals (Efron's tie weighting, as lifelines) of the training
    /// frame's events, and the rows they belong to, in lifelines' order: strata,
    /// then duration, then event, then row.
    public func schoenfeldResiduals(_ f: Frame) throws -> (rows: [Int], residuals: [Double]) {
        let d = try requireDesign()
        let cols = SurvivalColumns(duration: d.duration, event: d.event)
        let data = try cols.data(f)
        let X = try d.matrix(f), p = coef.count, n = f.nrow
        let (eta, stratum) = try logPartialHazard(f)
        let strataOrder = strata.indices.sorted { strata[$0] < strata[$1] }
        var rankOfStratum = [Int](repeating: 0, count: max(strata.count, 1))
        for (r, k) in strataOrder.enumerated() { rankOfStratum[k] = r }
        var order = Array(0..<n)
        order.sort { a, b in
            let sa = rankOfStratum[stratum[a]], sb = rankOfStratum[stratum[b]]
            if sa != sb { return sa < sb }
            if data.durations[a] != data.durations[b] { return data.durations[a] < data.durations[b] }
            if data.events[a] != data.events[b] { return !data.events[a] }
            return a < b
        }
        var resid = [Double](repeating: 0, count: n * p)
        var isEvent = [Bool](repeating: false, count: n)
        // Backwards through each stratum's block, accumulating the risk set.
        var end = n
        while end > 0 {
            try ExecutionContext.check()
            let s = stratum[order[end - 1]]
            var start = end
            while start > 0 && stratum[order[start - 1]] == s { start -= 1 }
            var sR = 0.0, zR = [Double](repeating: 0, count: p)
            var i = end
            while i > start {
                let t = data.durations[order[i - 1]]
                var j = i
                var sD = 0.0, zD = [Double](repeating: 0, count: p), dcount = 0
                while j > start && data.durations[order[j - 1]] == t {
                    j -= 1
                    let r = order[j], e = exp(eta[r])
                    sR += e
                    for a in 0..<p { zR[a] += e * (X[r * p + a] - means[a]) }
                    if data.events[r] { sD += e; dcount += 1; for a in 0..<p { zD[a] += e * (X[r * p + a] - means[a]) } }
                }
                if dcount > 0 {
                    var mean = [Double](repeating: 0, count: p)
                    let dd = Double(dcount)
                    for l in 0..<dcount {
                        let fr = ties == .efron ? Double(l) / dd : 0
                        let den = sR - fr * sD
                        for a in 0..<p { mean[a] += (zR[a] - fr * zD[a]) / (den * dd) }
                    }
                    for k in j..<i where data.events[order[k]] {
                        let r = order[k]
                        isEvent[k] = true
                        for a in 0..<p { resid[k * p + a] = X[r * p + a] - means[a] - mean[a] }
                    }
                }
                i = j
            }
            end = start
        }
        var rows: [Int] = [], out: [Double] = []
        for k in 0..<n where isEvent[k] { rows.append(order[k]); out += resid[(k * p)..<(k * p + p)] }
        return (rows, out)
    }

    /// lifelines' `proportional_hazard_test(model, training_df, time_transform)`.
    public func proportionalHazardTest(_ f: Frame, transform: TimeTransform = .rank) throws -> CoxPHTestResult {
        let d = try requireDesign()
        let data = try SurvivalColumns(duration: d.duration, event: d.event).data(f)
        let (rows, s) = try schoenfeldResiduals(f)
        let p = coef.count, D = rows.count
        guard D > 1 else { throw SurvivalError.invalid("cox: the proportional-hazards test needs at least 2 events") }
        guard variance.count == p * p, variance.allSatisfy(\.isFinite) else { throw SurvivalError.invalid("cox: no covariance matrix (singular information)") }
        var g: [Double]
        switch transform {
        case .rank: g = (1...D).map(Double.init)
        case .identity: g = rows.map { data.durations[$0] }
        case .log:
            g = rows.map { log(data.durations[$0]) }
            guard g.allSatisfy(\.isFinite) else { throw SurvivalError.invalid("cox: the 'log' time transform needs durations > 0") }
        case .km:
            let km = try KaplanMeier.fit(try SurvivalData(durations: data.durations, events: data.events))
            g = rows.map { 1 - km.survival(at: data.durations[$0]) }
        }
        let gm = g.reduce(0, +) / Double(D)
        let dg = g.map { $0 - gm }
        let ss = dg.reduce(0) { $0 + $1 * $1 }
        // Σₖ dgₖ · s*ₖⱼ with s* = D · s · V.
        var u = [Double](repeating: 0, count: p)
        for k in 0..<D { for a in 0..<p { u[a] += dg[k] * s[k * p + a] } }
        var stat = [Double](repeating: 0, count: p)
        for j in 0..<p {
            var v = 0.0
            for a in 0..<p { v += u[a] * variance[a * p + j] }
            v *= Double(D)
            stat[j] = v * v / (Double(D) * standardErrors[j] * standardErrors[j] * ss)
        }
        let logP = stat.map { Special.logGammaQ(0.5, $0 / 2) }
        return CoxPHTestResult(transform: transform, statistic: stat, pValue: logP.map { exp($0) }, minusLog2P: logP.map { -$0 / M_LN2 })
    }
}
