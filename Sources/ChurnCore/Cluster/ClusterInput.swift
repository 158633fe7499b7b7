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
        if let bad = x.firstIndex(where: { !$0.isFinite }) {
            let col = names.indices.contains(bad % max(d, 1)) ? names[bad % d] : "column \(bad % max(d, 1) + 1)"
            throw ClusterError.invalid("'\(col)' row \(bad / max(d, 1) + 1) is null, NaN or infinite: impute or drop such rows before clustering")
        }
        self.n = n; self.d = d; self.x = x; self.names = names
    }

    /// `features` of `frame` (default: every numeric-like column).
    public init(frame: Frame, features: [String]?) throws {
        let m = try frame.denseMatrix(columns: features)
        guard m.cols > 0 else { throw ClusterError.invalid("no numeric feature columns to cluster on") }
        try ExecutionContext.checkMemory(m.rows * m.cols * 8, for: "the clustering matrix")
        try self.init(n: m.rows, d: m.cols, x: m.rowMajor, names: m.columnNames)
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
