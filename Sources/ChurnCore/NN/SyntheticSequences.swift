import Foundation

/// A seeded data set of daily activity sequences with temporal churn signal,
/// for benchmarks and tests of the sequence models: users × days × channels
/// of log1p(event counts), a 0/1 churn label, and per-user aggregates (mean
/// per channel over all days and over the last 14 days, and their ratio) —
/// what a per-window feature table would hold.
///
/// Each user has an engagement level, a weekly rhythm and possibly a fading
/// trend (activity decays from an onset day) or a recent gap (no activity for
/// a run of days); churn probability rises with the fade and the gap, which
/// aggregates capture only partly. Users are generated from their own random
/// streams, in parallel, so the data do not depend on the thread count.
public enum SyntheticSequences {
    public struct DataSet {
        public var x: Tensor<Float>
        public var aggregates: Tensor<Float>
        public var y: [Float]
    }

    public static func make(users: Int, days: Int, channels: Int, seed: UInt64) throws -> DataSet {
        guard users >= 1, days >= 14, channels >= 1 else { throw NNError("synthetic: need users ≥ 1, days ≥ 14, channels ≥ 1") }
        try ExecutionControlBridge.checkMemory(users * days * channels * 4)
        var x = [Float](repeating: 0, count: users * days * channels)
        var agg = [Float](repeating: 0, count: users * channels * 3)
        var y = [Float](repeating: 0, count: users)
        let rates: [Double] = (0..<channels).map { ch -> Double in
            let step = Double((ch * 7) % channels + 1)
            return 0.3 + 2.5 * step / Double(channels)
        }
        x.withMutPtr { xp in agg.withMutPtr { ap in y.withMutPtr { yp in
            let chunks = Parallel.ranges(users, chunks: 64)
            Parallel.forEach(chunks.count) { ci in
                for u in chunks[ci] {
                    var r = SeededRandom(seed: seed, stream: UInt64(u) + 1)
                    let engagement = exp(0.6 * r.normal())
                    let weekly = r.uniform() < 0.5
                    let fades = r.uniform() < 0.3
                    let onset = Int(Double(days) * (0.4 + 0.5 * r.uniform()))
                    let slope = 0.03 + 0.1 * r.uniform()
                    let gaps = r.uniform() < 0.2
                    let gapStart = days - 5 - Int(r.uniform() * 20), gapLen = 3 + Int(r.uniform() * 8)
                    var fade = 0.0
                    for d in 0..<days {
                        var m = engagement
                        if weekly { m *= (d % 7 < 5) ? 1.2 : 0.5 }
                        if fades, d > onset { m *= exp(-slope * Double(d - onset)) }
                        if gaps, d >= gapStart, d < gapStart + gapLen { m = 0 }
                        if d == days - 1 { fade = fades ? slope * Double(max(0, days - onset)) : 0 }
                        for ch in 0..<channels {
                            // Poisson(λ) by inversion (λ is small).
                            let lam = rates[ch] * m
                            var k = 0, p = exp(-lam), s = p
                            let v = r.uniform()
                            while v > s, k < 200 { k += 1; p *= lam / Double(k); s += p }
                            let val = Float(log1p(Double(k)))
                            xp[(u * days + d) * channels + ch] = val
                            ap[u * channels * 3 + ch] += val / Float(days)
                            if d >= days - 14 { ap[u * channels * 3 + channels + ch] += val / 14 }
                        }
                    }
                    for ch in 0..<channels {
                        ap[u * channels * 3 + 2 * channels + ch] = ap[u * channels * 3 + channels + ch] / (ap[u * channels * 3 + ch] + 0.1)
                    }
                    let gapRecent = gaps && gapStart + gapLen >= days - 10 ? 1.0 : 0.0
                    let logit = -1.6 + 1.2 * min(fade, 3) + 1.5 * gapRecent - 0.5 * log(engagement) + 0.4 * r.normal()
                    yp[u] = r.uniform() < 1 / (1 + exp(-logit)) ? 1 : 0
                }
            }
        } } }
        return DataSet(x: Tensor(uncheckedShape: [users, days, channels], data: x),
                       aggregates: Tensor(uncheckedShape: [users, channels * 3], data: agg), y: y)
    }
}

import ExecutionControl
enum ExecutionControlBridge {
    static func checkMemory(_ bytes: Int) throws { try ExecutionContext.checkMemory(bytes, for: "synthetic sequences") }
}
