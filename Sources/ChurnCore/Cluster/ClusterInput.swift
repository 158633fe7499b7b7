import ExecutionControl

/// Errors of the clustering and decomposition layer.
public enum ClusterError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let s): return s }
    }
}

/// Row-major n × d samples for clustering and PCA, checked once: every value
/// finite (scikit-learn refuses NaN/inf too; a null has no distance).
public struct ClusterData: Sendable {
    public let n: Int
    public let d: Int
    /// Row i is `x[i*d ..< (i+1)*d]`.
    public let x: [Double]
    public let names: [String]
    /// Per fixed chunk of rows (`chunks(n)`), the features' count, means and
    /// sums of squared deviations, when computed while the rows were written
    /// (from a frame); k-means' tolerance scale comes from them without
    /// another two passes over the matrix.
    let moments: [ChunkMoments]?

    public init(n: Int, d: Int, x: [Double], names: [String]) throws {
        guard x.count == n * d else { throw ClusterError.invalid("\(x.count) values for \(n) × \(d)") }
        if let bad = x.firstIndex(where: { !$0.isFinite }) { throw ClusterData.nonFinite(at: bad, d: d, names: names) }
        self.n = n; self.d = d; self.x = x; self.names = names; moments = nil
    }

    /// `features` of `frame` (default: every numeric-like column).
    ///
    /// The frame's columns are interleaved into rows in parallel, blocks of
    /// 256 rows at a time (each block's slice of every column stays in cache
    /// while its rows are written), and checked for non-finite values in the
    /// same pass: on 1,000,000 × 20 a column-at-a-time strided copy followed
    /// by a serial check cost more than the whole of scikit-learn's fit.
    public init(frame: Frame, features: [String]?) throws {
        let m = try frame.denseMatrix(columns: features)
        guard m.cols > 0 else { throw ClusterError.invalid("no numeric feature columns to cluster on") }
        let n = m.rows, d = m.cols
        try ExecutionContext.checkMemory(n * d * 8, for: "the clustering matrix")
        var x = LargeArrays.uninitialized(n * d)   // every element written below
        let ranges = Parallel.ranges(n, chunks: ClusterData.chunks(n))
        var firstBad = [Int](repeating: Int.max, count: ranges.count)
        var moments = [ChunkMoments](repeating: ChunkMoments(count: 0, mean: [], m2: []), count: ranges.count)
        x.withUnsafeMutableBufferPointer { xb in
            firstBad.withUnsafeMutableBufferPointer { fb in
                moments.withUnsafeMutableBufferPointer { mb in
                    let xp = xb.baseAddress!, fp = fb.baseAddress!, mp = mb.baseAddress!
                    Parallel.forEach(ranges.count) { r in
                        var lo = ranges[r].lowerBound
                        while lo < ranges[r].upperBound {
                            let hi = min(lo + 256, ranges[r].upperBound)
                            for j in 0..<d {
                                m.columns[j].withUnsafeBufferPointer { c in
                                    for i in lo..<hi {
                                        let v = c[i]
                                        xp[i * d + j] = v
                                        if !v.isFinite && i * d + j < fp[r] { fp[r] = i * d + j }
                                    }
                                }
                            }
                            lo = hi
                        }
                        // The chunk's rows are still in cache: its moments cost no memory traffic.
                        if fp[r] == Int.max { mp[r] = ChunkMoments(UnsafePointer(xp), ranges[r], d: d) }
                    }
                }
            }
        }
        try ExecutionContext.check()
        if let bad = firstBad.first(where: { $0 != Int.max }) { throw ClusterData.nonFinite(at: bad, d: d, names: m.columnNames) }
        self.n = n; self.d = d; self.x = x; self.names = m.columnNames; self.moments = moments
    }

    /// Mean over features of the population variance (scikit-learn's
    /// `_tolerance` scale): chunk moments — from the frame conversion, or
    /// computed now over the same fixed chunks — combined in chunk order.
    public func meanFeatureVariance() -> Double {
        let parts = moments ?? x.withUnsafeBufferPointer { xb in
            Parallel.mapChunks(n, chunks: ClusterData.chunks(n)) { ChunkMoments(xb.baseAddress!, $0, d: d) }
        }
        guard n > 0, d > 0 else { return 0 }
        var total = parts[0]
        for p in parts.dropFirst() { total.merge(p) }
        return total.m2.reduce(0) { $0 + $1 / Double(n) } / Double(d)
    }

    /// Count, means and sums of squared deviations of a block of rows, by two
    /// passes over the block (cache-resident), merged across blocks with Chan
    /// et al.'s pairwise update: as accurate as two passes over all rows, at the
    /// memory traffic of one.
    struct ChunkMoments: Sendable {
        var count: Double
        var mean: [Double]
        var m2: [Double]

        init(count: Double, mean: [Double], m2: [Double]) { self.count = count; self.mean = mean; self.m2 = m2 }

        init(_ x: UnsafePointer<Double>, _ rows: Range<Int>, d: Int) {
            var mean = [Double](repeating: 0, count: d), m2 = [Double](repeating: 0, count: d)
            mean.withUnsafeMutableBufferPointer { mb in
                m2.withUnsafeMutableBufferPointer { sb in
                    let m = mb.baseAddress!, s = sb.baseAddress!
                    for i in rows { let row = x + i * d; for j in 0..<d { m[j] += row[j] } }
                    let c = Double(max(rows.count, 1))
                    for j in 0..<d { m[j] /= c }
                    for i in rows { let row = x + i * d; for j in 0..<d { let t = row[j] - m[j]; s[j] += t * t } }
                }
            }
            self.init(count: Double(rows.count), mean: mean, m2: m2)
        }

        /// These moments and `o`'s as one (o's rows after these).
        mutating func merge(_ o: ChunkMoments) {
            let total = count + o.count
            guard o.count > 0 else { return }
            guard count > 0 else { self = o; return }
            for j in mean.indices {
                let delta = o.mean[j] - mean[j]
                mean[j] += delta * (o.count / total)
                m2[j] += o.m2[j] + delta * delta * (count * o.count / total)
            }
            count = total
        }
    }

    static func nonFinite(at bad: Int, d: Int, names: [String]) -> ClusterError {
        let col = names.indices.contains(bad % max(d, 1)) ? names[bad % d] : "column \(bad % max(d, 1) + 1)"
        return ClusterError.invalid("'\(col)' row \(bad / max(d, 1) + 1) is null, NaN or infinite: impute or drop such rows before clustering")
    }

    /// Squared Euclidean distance between row `i` and a d-vector at `c`.
    /// Four running sums (a fixed order, so results are deterministic) let the
    /// compiler keep the loop in SIMD registers.
    @inline(__always)
    static func sqDist(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var j = 0
        while j + 4 <= d {
            let t0 = a[j] - b[j], t1 = a[j + 1] - b[j + 1], t2 = a[j + 2] - b[j + 2], t3 = a[j + 3] - b[j + 3]
            s0 += t0 * t0; s1 += t1 * t1; s2 += t2 * t2; s3 += t3 * t3
            j += 4
        }
        while j < d { let t = a[j] - b[j]; s0 += t * t; j += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// Dot product of two d-vectors, four running sums (fixed order, deterministic).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var j = 0
        while j + 4 <= d {
            s0 += a[j] * b[j]; s1 += a[j + 1] * b[j + 1]; s2 += a[j + 2] * b[j + 2]; s3 += a[j + 3] * b[j + 3]
            j += 4
        }
        while j < d { s0 += a[j] * b[j]; j += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// Fixed chunking of the rows (independent of the thread count, so sums
    /// combine in the same order on every machine).
    static func chunks(_ n: Int) -> Int { max(1, min(256, n / 2048)) }
}
