import Foundation
import ExecutionControl

extension CoxPHModel {
    /// lifelines' `predict_expectation(X, conditional_after=)`: E[T | x] as the
    /// trapezoidal integral of S(t | x) over the training timeline (every distinct
    /// training duration, all strata together), or with `conditionalAfter` sᵢ the
    /// expected *remaining* lifetime of someone who has already lasted sᵢ:
    /// ∫ S(sᵢ + t) / S(sᵢ) dt over the same timeline, H₀ read by linear interpolation
    /// (np.interp) at sᵢ + t. Each stratum's H₀ is first laid on the common timeline
    /// as a step (lifelines' stratified baseline table, hazards filled with 0).
    /// The integral starts at the first training duration, as lifelines' does.
    public func expectation(_ f: Frame, conditionalAfter: [Double]? = nil) throws -> [Double] {
        let (eta, stratum) = try logPartialHazard(f)
        if let c = conditionalAfter {
            guard c.count == eta.count else { throw SurvivalError.invalid("conditional_after has \(c.count) values for \(eta.count) rows") }
            if let i = c.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
                throw SurvivalError.invalid("conditional_after must be finite and >= 0; row \(i + 1) is \(c[i])")
            }
        }
        let timeline = Array(Set(baselines.flatMap(\.times))).sorted()
        let m = timeline.count
        try ExecutionContext.checkMemory(m * baselines.count * 8, for: "cox expectation")
        let H = baselines.map { b -> [Double] in
            var out = [Double](repeating: 0, count: m), j = -1
            for (k, t) in timeline.enumerated() {
                while j + 1 < b.times.count && b.times[j + 1] <= t { j += 1 }
                out[k] = j < 0 ? 0 : b.cumulativeHazard[j]
            }
            return out
        }
        /// np.interp(x, timeline, h): linear inside, held at the ends.
        func interp(_ h: [Double], _ x: Double) -> Double {
            if x <= timeline[0] { return h[0] }
            if x >= timeline[m - 1] { return h[m - 1] }
            var lo = 0, hi = m
            while lo < hi { let mid = (lo + hi) / 2; if timeline[mid] <= x { lo = mid + 1 } else { hi = mid } }
            let j = lo - 1
            if timeline[j] == x { return h[j] }
            return h[j] + (x - timeline[j]) / (timeline[j + 1] - timeline[j]) * (h[j + 1] - h[j])
        }
        return try eta.indices.map { i in
            if i & 0x3FF == 0 { try ExecutionContext.check() }
            let h = H[stratum[i]], ph = exp(eta[i])
            var total = 0.0, previous = 0.0
            for k in 0..<m {
                let ch: Double
                if let c = conditionalAfter?[i] { ch = max(0, interp(h, timeline[k] + c) - interp(h, c)) } else { ch = h[k] }
                let s = exp(-ch * ph)
                if k > 0 { total += 0.5 * (s + previous) * (timeline[k] - timeline[k - 1]) }
                previous = s
            }
            return total
        }
    }
}
