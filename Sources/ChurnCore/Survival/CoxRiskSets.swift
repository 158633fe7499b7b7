import Foundation
import ExecutionControl

/// The rows of a Cox fit laid out once for every Newton evaluation: covariates
/// centred (and scaled) in processing order — per stratum, duration descending,
/// a time's censored rows before its events — and the time groups (one per
/// stratum and distinct duration) with their tied events, so an evaluation
/// never sorts, never looks at a duration and streams through X in one pass.
///
/// An evaluation (`evaluate`) is one parallel pass over fixed chunks of whole
/// groups computing eᵣ = wᵣ exp(xᵣβ) and each group's sums Σe, Σe x (all rows
/// and events apart) and, when the groups are few next to the rows (day-count
/// durations), each group's Gram matrices Σ eᵣ xᵣxᵣᵀ of its censored rows and of
/// its events; then a sequential sweep over the groups (risk-set sums as running
/// totals, Efron's tie terms) that is O(groups · p²), not O(n p). With many
/// groups (continuous durations) the Gram part is a second parallel pass with
/// row weights. Chunks are fixed by the data, so results never depend on the
/// thread count.
struct CoxRiskSets {
    let n: Int, p: Int
    /// n × p row-major, processing order, then three zeros (see `gram`). Huge pages:
    /// written once, streamed by every evaluation.
    let X: HugePageBuffer
    let events: [Bool]
    let weights: [Double]?
    /// Group g is rows start[g]..<start[g + 1]; its events are eventStart[g]..<start[g + 1].
    let start: [Int]
    let eventStart: [Int]
    /// Tied events per group and their total case weight.
    let deaths: [Int]
    let deathWeight: [Double]
    /// The groups of each non-empty stratum, in order.
    let strata: [Range<Int>]
    /// Parallel chunks: chunk c is groups chunks[c]..<chunks[c + 1].
    let chunks: [Int]
    /// Σ over events of wᵣ xᵣ: the gradient's observed part, the same at every β.
    let observed: [Double]
    /// Per-group Gram matrices are accumulated in the first pass (few groups).
    let groupGrams: Bool

    var groups: Int { start.count - 1 }
    /// Packed lower triangle size: row a starts at a(a + 1)/2.
    var triangle: Int { p * (p + 1) / 2 }

    /// `codes`: each row's stratum in 0..<k (nil: one stratum).
    init(covariates: CoxCovariates, mean: [Double], inverseScale: [Double]?, data: SurvivalData, ranks: TimeRanks,
         codes: [Int]?, strata k: Int) throws {
        let n = data.count, p = mean.count, m = ranks.count
        self.n = n; self.p = p
        try ExecutionContext.checkMemory(n * 40, for: "cox risk-set order")
        // Processing order by two stable counting sorts: (duration descending, censored first), then stratum.
        let ev = data.events
        var perm = [Int32](repeating: 0, count: n)
        var bucketSize = [Int](repeating: 0, count: 2 * m)
        ranks.rank.withUnsafeBufferPointer { rank in
            @inline(__always) func bucket(_ i: Int) -> Int { (m - 1 - Int(rank[i])) * 2 + (ev[i] ? 1 : 0) }
            for i in 0..<n { bucketSize[bucket(i)] += 1 }
            var at = [Int](repeating: 0, count: 2 * m + 1)
            for b in 0..<(2 * m) { at[b + 1] = at[b] + bucketSize[b] }
            for i in 0..<n { let b = bucket(i); perm[at[b]] = Int32(i); at[b] += 1 }
        }
        if let codes, k > 1 {
            var at = [Int](repeating: 0, count: k + 1)
            for c in codes { at[c + 1] += 1 }
            for s in 0..<k { at[s + 1] += at[s] }
            var out = perm
            for r in perm { let c = codes[Int(r)]; out[at[c]] = r; at[c] += 1 }
            perm = out
        }
        try ExecutionContext.check()
        // Groups, their events, the strata's group ranges and the parallel chunks.
        var start: [Int] = [], eventStart: [Int] = [], deaths: [Int] = [], deathWeight: [Double] = []
        var strataRanges: [Range<Int>] = []
        var stratum = -1, time = -1, stratumStart = 0
        if codes == nil || k == 1 {
            // One stratum: every distinct duration is a group, read off the counting sort's buckets.
            var j = 0
            for t in 0..<m {
                let c = bucketSize[2 * t], d = bucketSize[2 * t + 1]
                start.append(j); eventStart.append(j + c); deaths.append(d)
                var w = Double(d)
                if let weights = data.weights { w = 0; for q in (j + c)..<(j + c + d) { w += weights[Int(perm[q])] } }
                deathWeight.append(w)
                j += c + d
            }
            stratum = 0
        } else {
        for j in 0..<n {
            let r = Int(perm[j]), s = codes?[r] ?? 0, t = Int(ranks.rank[r])
            if s != stratum || t != time {
                if s != stratum {
                    if stratum >= 0 { strataRanges.append(stratumStart..<start.count) }
                    stratumStart = start.count
                }
                start.append(j); eventStart.append(-1); deaths.append(0); deathWeight.append(0)
                stratum = s; time = t
            }
            if ev[r] {
                let g = start.count - 1
                if eventStart[g] < 0 { eventStart[g] = j }
                deaths[g] += 1; deathWeight[g] += data.weights?[r] ?? 1
            }
        }
        }
        strataRanges.append(stratumStart..<start.count)
        start.append(n)
        for g in 0..<(start.count - 1) where eventStart[g] < 0 { eventStart[g] = start[g + 1] }
        var chunks = [0], rows = 0
        for g in 0..<(start.count - 1) {
            rows += start[g + 1] - start[g]
            if rows >= 8192 { chunks.append(g + 1); rows = 0 }
        }
        if chunks.last! != start.count - 1 { chunks.append(start.count - 1) }
        self.start = start; self.eventStart = eventStart; self.deaths = deaths; self.deathWeight = deathWeight
        self.strata = strataRanges; self.chunks = chunks
        // Few groups next to the rows: two packed Gram matrices per group cost at most half of X.
        groupGrams = 2 * (start.count - 1) * (p * (p + 1) / 2) <= n * p / 2
        // X in processing order, centred and scaled: each row written once to its position.
        var position = [Int32](repeating: 0, count: n)
        for (j, r) in perm.enumerated() { position[Int(r)] = Int32(j) }
        // Three zeros past the last row: `gram` loads four values at a time from a row's start.
        let X = try HugePageBuffer(count: n * p + 3, for: "cox risk sets")
        try covariates.scatter(into: X.pointer, positions: position, mean: mean, inverseScale: inverseScale)
        (X.pointer + n * p).initialize(repeating: 0, count: 3)
        position = []
        // Events and weights alongside, and Σ over events of w x (in processing order, fixed chunks).
        let rowChunk = 16384, rowChunks = (n + rowChunk - 1) / rowChunk
        var observedParts = [Double](repeating: 0, count: rowChunks * p)
        var pe = [Bool](repeating: false, count: n)
        var pw = [Double](repeating: 0, count: data.weights == nil ? 0 : n)
        let xp = UnsafePointer(X.pointer)
        perm.withUnsafeBufferPointer { perm in
        pe.withUnsafeMutableBufferPointer { pe in
        observedParts.withUnsafeMutableBufferPointer { obs in
        pw.withUnsafeMutableBufferPointer { pw in
            let peb = pe.baseAddress!, ob = obs.baseAddress!, pwb = data.weights == nil ? nil : pw.baseAddress
            Parallel.forEach(rowChunks) { c in
                let o = ob + c * p
                for j in (c * rowChunk)..<min(n, (c + 1) * rowChunk) {
                    let r = Int(perm[j]), y = xp + j * p
                    let w = data.weights?[r] ?? 1
                    peb[j] = ev[r]; pwb?[j] = w
                    if ev[r] { for a in 0..<p { o[a] += w * y[a] } }
                }
            }
        } } } }
        var observed = [Double](repeating: 0, count: p)
        for c in 0..<rowChunks { for a in 0..<p { observed[a] += observedParts[c * p + a] } }
        self.X = X; self.events = pe; self.weights = data.weights == nil ? nil : pw; self.observed = observed
    }

    /// Log partial likelihood, gradient and Hessian at β (on the fitting scale), summed over the strata.
    func evaluate(_ beta: [Double], ties: CoxPHModel.Ties) throws -> (Double, [Double], [Double]) {
        let G = groups, T = triangle, p = self.p
        // Per group: Σe, Σe over events, Σ w xβ over events, then Σe x of censored rows (p) and of events (p).
        let stride = 3 + 2 * p
        try ExecutionContext.checkMemory(G * (stride + (groupGrams ? 2 * T : 0)) * 8 + n * 8, for: "cox risk-set sums")
        var sums = [Double](repeating: 0, count: G * stride)
        var grams = [Double](repeating: 0, count: groupGrams ? G * 2 * T : 0)
        var e = [Double](repeating: 0, count: n)
        let xb = UnsafePointer(X.pointer)
        try beta.withUnsafeBufferPointer { beta in
        try sums.withUnsafeMutableBufferPointer { sums in
        try grams.withUnsafeMutableBufferPointer { grams in
        try e.withUnsafeMutableBufferPointer { e in
            let sb = sums.baseAddress!, gb = groupGrams ? grams.baseAddress : nil, eb = e.baseAddress!
            let wv = weights
            try Parallel.forEachThrowing(chunks.count - 1) { c in
                for g in chunks[c]..<chunks[c + 1] {
                    let s = sb + g * stride, zc = s + 3, zd = zc + p
                    let lo = start[g], mid = eventStart[g], hi = start[g + 1]
                    var sAll = 0.0, sD = 0.0, llObs = 0.0
                    for r in lo..<hi {
                        let x = xb + r * p
                        var eta = 0.0
                        for a in 0..<p { eta += x[a] * beta[a] }
                        let w = wv?[r] ?? 1, er = w * exp(eta)
                        eb[r] = er
                        sAll += er
                        if r < mid {
                            for a in 0..<p { zc[a] += er * x[a] }
                        } else {
                            sD += er; llObs += w * eta
                            for a in 0..<p { zd[a] += er * x[a] }
                        }
                    }
                    s[0] = sAll; s[1] = sD; s[2] = llObs
                    if let gb {
                        Self.gram(gb + g * 2 * T, xb, eb, lo..<mid, p)
                        Self.gram(gb + g * 2 * T + T, xb, eb, mid..<hi, p)
                    }
                }
            }
        } } } }
        // The sweep over groups: running risk-set sums, Efron's terms per time with events.
        var ll = 0.0, g = observed
        var H = [Double](repeating: 0, count: T)
        var A = [Double](repeating: 0, count: G), B = A
        var zR = [Double](repeating: 0, count: p), zD = zR
        for range in strata {
            var sR = 0.0
            for a in 0..<p { zR[a] = 0 }
            for k in range {
                if (k - range.lowerBound) & 0xFFF == 0 { try ExecutionContext.check() }
                let s = k * stride
                sR += sums[s]
                for a in 0..<p { zD[a] = sums[s + 3 + p + a]; zR[a] += sums[s + 3 + a] + zD[a] }
                let d = deaths[k]
                guard d > 0 else { continue }
                let sD = sums[s + 1], dd = Double(d)
                var a0 = 0.0, b0 = 0.0, c0 = 0.0, c1 = 0.0, c2 = 0.0, logs = 0.0
                for l in 0..<d {
                    let f = ties == .efron ? Double(l) / dd : 0
                    let inv = 1 / (sR - f * sD)
                    logs += log(sR - f * sD)
                    a0 += inv; b0 += f * inv
                    c0 += inv * inv; c1 += f * inv * inv; c2 += f * f * inv * inv
                }
                // With case weights every term of the time is scaled by the tied deaths'
                // mean weight (lifelines' weighted_average); 1 without weights.
                let wAvg = weights != nil ? deathWeight[k] / dd : 1
                ll += sums[s + 2] - wAvg * logs
                a0 *= wAvg; b0 *= wAvg; c0 *= wAvg; c1 *= wAvg; c2 *= wAvg
                // g −= Σₗ (Z_R − fₗ Z_D)/φₗ;  H += Σₗ zₗzₗᵀ = c0 Z_R Z_Rᵀ − c1 (Z_R Z_Dᵀ + Z_D Z_Rᵀ) + c2 Z_D Z_Dᵀ.
                for a in 0..<p { g[a] -= a0 * zR[a] - b0 * zD[a] }
                var t = 0
                if c1 == 0 {
                    for a in 0..<p { let u = c0 * zR[a]; for b in 0...a { H[t] += u * zR[b]; t += 1 } }
                } else {
                    for a in 0..<p {
                        let ra = zR[a], da = zD[a]
                        for b in 0...a { H[t] += c0 * ra * zR[b] - c1 * (ra * zD[b] + da * zR[b]) + c2 * da * zD[b]; t += 1 }
                    }
                }
                A[k] = a0; B[k] = b0
            }
        }
        // H −= Σᵣ wᵣ xᵣxᵣᵀ with wᵣ = eᵣ (Σ of A over the groups at or after its own, i.e. at or
        // before Tᵣ, − δᵣ B of its own group): per group from its two Gram matrices, or by row weights.
        if groupGrams {
            for range in strata {
                var suffix = 0.0
                for k in range.reversed() {
                    suffix += A[k]
                    let ue = suffix - B[k], at = k * 2 * T
                    if suffix == 0 && ue == 0 { continue }
                    for t in 0..<T { H[t] -= suffix * grams[at + t] + ue * grams[at + T + t] }
                }
            }
        } else {
            var suffixOf = [Double](repeating: 0, count: G)
            for range in strata {
                var suffix = 0.0
                for k in range.reversed() { suffix += A[k]; suffixOf[k] = suffix }
            }
            for k in 0..<G {
                for r in start[k]..<start[k + 1] { e[r] *= suffixOf[k] - (r >= eventStart[k] ? B[k] : 0) }
            }
            let rowChunk = 8192, rowChunks = (n + rowChunk - 1) / rowChunk
            try ExecutionContext.checkMemory(rowChunks * T * 8, for: "cox Hessian partial sums")
            var parts = [Double](repeating: 0, count: rowChunks * T)
            try parts.withUnsafeMutableBufferPointer { parts in
            try e.withUnsafeBufferPointer { w in
                let pb = parts.baseAddress!, wb = w.baseAddress!
                try Parallel.forEachThrowing(rowChunks) { c in
                    Self.gram(pb + c * T, xb, wb, (c * rowChunk)..<min(n, (c + 1) * rowChunk), p)
                }
            } }
            for c in 0..<rowChunks { for t in 0..<T { H[t] -= parts[c * T + t] } }
        }
        var full = [Double](repeating: 0, count: p * p)
        var t = 0
        for a in 0..<p { for b in 0...a { full[a * p + b] = H[t]; full[b * p + a] = H[t]; t += 1 } }
        return (ll, g, full)
    }

    /// acc (packed lower triangle) += Σ_{r ∈ rows} w[r] xᵣxᵣᵀ. Row a of the product is
    /// built in SIMD4 lanes over columns 0 ..< 4⌈(a+1)/4⌉ (the few past the diagonal are
    /// dropped when packing), four rows per sweep of the accumulator (a quarter of its
    /// loads and stores); lanes past p read the next row or the three zeros after X and
    /// land only in dropped entries. Each entry is the same sum, in the same order, as a
    /// scalar loop's, so the bits do not depend on the lanes.
    @inline(__always)
    static func gram(_ acc: UnsafeMutablePointer<Double>, _ X: UnsafePointer<Double>, _ w: UnsafePointer<Double>, _ rows: Range<Int>, _ p: Int) {
        guard !rows.isEmpty else { return }
        let q = (p + 3) / 4
        withUnsafeTemporaryAllocation(of: SIMD4<Double>.self, capacity: p * q) { tile in
            let t = tile.baseAddress!
            t.initialize(repeating: .zero, count: p * q)
            @inline(__always) func lanes(_ x: UnsafePointer<Double>, _ b: Int) -> SIMD4<Double> {
                UnsafeRawPointer(x + 4 * b).loadUnaligned(as: SIMD4<Double>.self)
            }
            var r = rows.lowerBound
            while r + 4 <= rows.upperBound {
                let x0 = X + r * p, x1 = x0 + p, x2 = x1 + p, x3 = x2 + p
                let w0 = w[r], w1 = w[r + 1], w2 = w[r + 2], w3 = w[r + 3]
                for a in 0..<p {
                    let u0 = SIMD4(repeating: w0 * x0[a]), u1 = SIMD4(repeating: w1 * x1[a])
                    let u2 = SIMD4(repeating: w2 * x2[a]), u3 = SIMD4(repeating: w3 * x3[a])
                    let row = t + a * q
                    for b in 0...(a >> 2) {
                        // Two typed halves (same operations, same order): the one-line form
                        // exceeds the type checker's time limit on a loaded machine.
                        let s01: SIMD4<Double> = u0 * lanes(x0, b) + u1 * lanes(x1, b)
                        let s23: SIMD4<Double> = u2 * lanes(x2, b) + u3 * lanes(x3, b)
                        row[b] += s01 + s23
                    }
                }
                r += 4
            }
            while r < rows.upperBound {
                let x = X + r * p, wr = w[r]
                for a in 0..<p {
                    let u = SIMD4(repeating: wr * x[a]), row = t + a * q
                    for b in 0...(a >> 2) { row[b] += u * lanes(x, b) }
                }
                r += 1
            }
            var out = acc
            for a in 0..<p {
                let row = UnsafeRawPointer(t + a * q).assumingMemoryBound(to: Double.self)
                for b in 0...a { out[b] += row[b] }
                out += a + 1
            }
        }
    }
}
