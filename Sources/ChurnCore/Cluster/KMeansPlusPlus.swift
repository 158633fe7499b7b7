import ExecutionControl
import Foundation

/// Greedy k-means++ (Arthur & Vassilvitskii; scikit-learn's `_kmeans_plusplus`):
/// the first centre is a uniform row, each next one the best (lowest potential)
/// of 2 + ⌊ln k⌋ candidate rows drawn with probability ∝ the squared distance to
/// the nearest centre so far.
///
/// The starts of `n_init` are seeded together: each centre round is two passes
/// over the rows for every start at once, instead of two per start, and the
/// distances come from BLAS (scikit-learn's `euclidean_distances` form,
/// ‖x‖² − 2 x·c + ‖c‖², clipped at 0, with one `dgemm` per block of rows and
/// start against that start's candidates):
///  1. the candidates' potentials: min(closest, distance) summed per candidate;
///  2. after the best candidate is chosen, the closest distances updated with it
///     (the same product again, so exactly the values its potential summed),
///     with their running sums per chunk, from which the next round samples:
///     a draw r ∈ [0, total) picks the first chunk whose cumulative total
///     exceeds r, then inside it the first row whose running sum exceeds the rest.
/// Rows are visited in fixed chunks and fixed blocks, and sums combine in chunk
/// order. A start's arithmetic never involves another start's data, so each
/// start's centres are exactly those it gets seeded alone, for any thread count.
enum KMeansPlusPlus {
    /// Rows per `dgemm` call.
    static let blockRows = 1024
    /// Bytes of per-start buffers (closest distances and running sums) seeded
    /// together; more starts go in several batches.
    static let batchBytes = 256 << 20

    /// One start's initial centres (row-major k × d) from `rng`.
    static func centres(_ data: ClusterData, k: Int, rng: inout SeededRandom) throws -> [Double] {
        var rngs = [rng]
        defer { rng = rngs[0] }
        return try centres(data, k: k, rngs: &rngs)[0]
    }

    /// The initial centres (row-major k × d) of one start per generator.
    static func centres(_ data: ClusterData, k: Int, rngs: inout [SeededRandom]) throws -> [[Double]] {
        let n = data.n
        let batch = max(1, batchBytes / max(1, 16 * n))
        var out: [[Double]] = []
        var s0 = 0
        while s0 < rngs.count {
            let s1 = min(rngs.count, s0 + batch)
            var part = Array(rngs[s0..<s1])
            out += try seedTogether(data, k: k, rngs: &part)
            rngs.replaceSubrange(s0..<s1, with: part)
            s0 = s1
        }
        return out
    }

    static func seedTogether(_ data: ClusterData, k: Int, rngs: inout [SeededRandom]) throws -> [[Double]] {
        let n = data.n, d = data.d, starts = rngs.count
        let trials = 2 + Int(log(Double(k)))
        try ExecutionContext.checkMemory((2 * starts + 1) * n * 8, for: "k-means++")
        let ranges = Parallel.ranges(n, chunks: ClusterData.chunks(n))
        let nc = ranges.count
        var centres = [[Double]](repeating: [Double](repeating: 0, count: k * d), count: starts)
        // ‖x‖² of every row; per start: closest squared distance, running sums within
        // each chunk, and each chunk's total.
        var norms = [Double](repeating: 0, count: n)
        var closest = [Double](repeating: .infinity, count: starts * n)
        var running = [Double](repeating: 0, count: starts * n)
        var chunkTotal = [Double](repeating: 0, count: starts * nc)
        // Each start's candidate rows this round (trials × d) and their squared norms.
        var cands = [[Int]](repeating: [], count: starts)
        let candRows = UnsafeMutablePointer<Double>.allocate(capacity: starts * trials * d)
        let candNorms = UnsafeMutablePointer<Double>.allocate(capacity: starts * trials)
        defer { candRows.deallocate(); candNorms.deallocate() }
        var chosen = [Int](repeating: 0, count: starts)

        try data.x.withUnsafeBufferPointer { xb in
            try norms.withUnsafeMutableBufferPointer { nb in
                try closest.withUnsafeMutableBufferPointer { clb in
                    try running.withUnsafeMutableBufferPointer { rb in
                        let x = xb.baseAddress!, xx = nb.baseAddress!, cl = clb.baseAddress!, run = rb.baseAddress!
                        Parallel.forEach(nc) { c in for i in ranges[c] { xx[i] = ClusterData.dot(x + i * d, x + i * d, d) } }

                        /// Squared distances of rows i0..<i0+m to start s's candidates
                        /// (m × q, row-major) into `dist`: one product, then
                        /// max(0, (−2 x·c + ‖x‖²) + ‖c‖²) as scikit-learn adds them.
                        func distances(_ s: Int, _ q: Int, rows i0: Int, _ m: Int, into dist: UnsafeMutablePointer<Double>) {
                            BLAS.dgemm(transB: true, m: m, n: q, k: d, alpha: -2, a: x + i0 * d, lda: d,
                                       b: candRows + s * trials * d, ldb: d, c: dist, ldc: q)
                            let cn = candNorms + s * trials
                            for r in 0..<m {
                                let a = xx[i0 + r], row = dist + r * q
                                for j in 0..<q { row[j] = max(0, (row[j] + a) + cn[j]) }
                            }
                        }

                        /// Pass 2: start s's closest distances updated with its candidate `chosen[s]`
                        /// of its candidates, running sums and chunk totals. Only the chosen candidate's distances
                        /// are needed here, so they are dot products in place: a `dgemm` over all q
                        /// candidates would pack every block of X again for one useful column (the
                        /// packing was a sixth of the seeding's time in perf).
                        func update() throws {
                            let totals: [[Double]] = try Parallel.mapChunksThrowing(nc, chunks: nc) { cr in
                                let c = cr.lowerBound
                                var acc = [Double](repeating: 0, count: starts)
                                for s in 0..<starts {
                                    let j = s * trials + chosen[s], centre = UnsafePointer(candRows + j * d), cn = candNorms[j]
                                    let cs = cl + s * n, rs = run + s * n
                                    var a = acc[s]
                                    for i in ranges[c] {
                                        let dist = max(0, (-2 * ClusterData.dot(x + i * d, centre, d) + xx[i]) + cn)
                                        let v = min(cs[i], dist)
                                        cs[i] = v
                                        a += v
                                        rs[i] = a
                                    }
                                    acc[s] = a
                                }
                                return acc
                            }
                            for c in 0..<nc { for s in 0..<starts { chunkTotal[s * nc + c] = totals[c][s] } }
                        }

                        /// Pass 1: every start's candidate potentials Σ_i min(closest_i, d(x_i, candidate)).
                        func potentials() throws -> [Double] {
                            let parts: [[Double]] = try Parallel.mapChunksThrowing(nc, chunks: nc) { cr in
                                let c = cr.lowerBound
                                let dist = UnsafeMutablePointer<Double>.allocate(capacity: blockRows * trials)
                                defer { dist.deallocate() }
                                var sums = [Double](repeating: 0, count: starts * trials)
                                var i0 = ranges[c].lowerBound
                                while i0 < ranges[c].upperBound {
                                    let m = min(blockRows, ranges[c].upperBound - i0)
                                    for s in 0..<starts {
                                        distances(s, trials, rows: i0, m, into: dist)
                                        let cs = cl + s * n
                                        for j in 0..<trials {
                                            var a = sums[s * trials + j]
                                            for r in 0..<m { a += min(cs[i0 + r], dist[r * trials + j]) }
                                            sums[s * trials + j] = a
                                        }
                                    }
                                    i0 += m
                                }
                                return sums
                            }
                            var pot = [Double](repeating: 0, count: starts * trials)
                            for p in parts { for t in 0..<pot.count { pot[t] += p[t] } }
                            return pot
                        }

                        /// Start s's candidate rows and norms.
                        func setCandidates(_ s: Int, _ rows: [Int]) {
                            cands[s] = rows
                            for (j, i) in rows.enumerated() {
                                for t in 0..<d { candRows[(s * trials + j) * d + t] = x[i * d + t] }
                                candNorms[s * trials + j] = xx[i]
                            }
                        }

                        /// A row drawn with probability ∝ start s's closest distance.
                        func draw(_ s: Int) -> Int {
                            var total = 0.0
                            var ends = [Double](repeating: 0, count: nc)
                            for c in 0..<nc { total += chunkTotal[s * nc + c]; ends[c] = total }
                            let r = rngs[s].uniform() * total
                            var lo = 0, hi = nc
                            while lo < hi { let mid = (lo + hi) / 2; if ends[mid] <= r { lo = mid + 1 } else { hi = mid } }
                            if lo == nc { return n - 1 }
                            let rest = r - (lo > 0 ? ends[lo - 1] : 0)
                            let range = ranges[lo], rs = run + s * n, cs = cl + s * n
                            var a = range.lowerBound, b = range.upperBound
                            while a < b { let mid = (a + b) / 2; if rs[mid] <= rest { a = mid + 1 } else { b = mid } }
                            if a < range.upperBound { return a }
                            // Rounding put `rest` at the chunk's end: its last row of positive weight.
                            var i = range.upperBound - 1
                            while i > range.lowerBound && !(cs[i] > 0) { i -= 1 }
                            return i
                        }

                        for s in 0..<starts {
                            let first = rngs[s].below(n)
                            for t in 0..<d { centres[s][t] = x[first * d + t] }
                            setCandidates(s, [first])
                            chosen[s] = 0
                        }
                        if k > 1 { try update() }
                        for c in 1..<max(k, 1) {
                            try ExecutionContext.check()
                            for s in 0..<starts { setCandidates(s, (0..<trials).map { _ in draw(s) }) }
                            let pot = try potentials()
                            for s in 0..<starts {
                                var best = 0
                                for j in 1..<trials where pot[s * trials + j] < pot[s * trials + best] { best = j }
                                chosen[s] = best
                                let row = cands[s][best]
                                for t in 0..<d { centres[s][c * d + t] = x[row * d + t] }
                            }
                            if c < k - 1 { try update() }
                        }
                    }
                }
            }
        }
        return centres
    }
}
