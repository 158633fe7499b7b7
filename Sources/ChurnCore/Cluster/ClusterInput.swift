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

    public init(n: Int, d: Int, x: [Double], names: [String]) throws {
        guard x.count == n * d else { throw ClusterError.invalid("\(x.count) values for \(n) × \(d)") }
        if let bad = x.firstIndex(where: { !$0.isFinite }) { throw ClusterData.nonFinite(at: bad, d: d, names: names) }
        self.n = n; self.d = d; self.x = x; self.names = names
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
        var x = [Double](unsafeUninitializedCapacity: n * d) { _, count in count = n * d }
        let ranges = Parallel.ranges(n, chunks: ClusterData.chunks(n))
        var firstBad = [Int](repeating: Int.max, count: ranges.count)
        x.withUnsafeMutableBufferPointer { xb in
            firstBad.withUnsafeMutableBufferPointer { fb in
                let xp = xb.baseAddress!, fp = fb.baseAddress!
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
                }
            }
        }
        try ExecutionContext.check()
        if let bad = firstBad.first(where: { $0 != Int.max }) { throw ClusterData.nonFinite(at: bad, d: d, names: m.columnNames) }
        self.n = n; self.d = d; self.x = x; self.names = m.columnNames
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
