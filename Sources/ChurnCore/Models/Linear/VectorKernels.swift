/// Reductions over contiguous doubles with several independent accumulators.
/// A plain `for` reduction runs one dependent add at a time (the compiler may
/// not reassociate floating-point sums); independent accumulators keep the FP
/// units busy and let LLVM's SLP vectoriser pack them into SIMD registers.
/// (Written with scalars rather than `SIMD4`, which is very slow in debug builds.)
/// The summation order is fixed by `n` alone, so results are deterministic.
enum VectorKernels {
    /// Σ a[i]·b[i].
    @inline(__always) static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, s5 = 0.0, s6 = 0.0, s7 = 0.0
        var i = 0
        while i + 8 <= n {
            s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
            s4 += a[i + 4] * b[i + 4]; s5 += a[i + 5] * b[i + 5]; s6 += a[i + 6] * b[i + 6]; s7 += a[i + 7] * b[i + 7]
            i += 8
        }
        while i < n { s0 += a[i] * b[i]; i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    }

    /// Four dot products sharing `a`: (Σ a·b0, Σ a·b1, Σ a·b2, Σ a·b3).
    @inline(__always) static func dot4(_ a: UnsafePointer<Double>, _ b0: UnsafePointer<Double>, _ b1: UnsafePointer<Double>,
                                       _ b2: UnsafePointer<Double>, _ b3: UnsafePointer<Double>, _ n: Int)
        -> (Double, Double, Double, Double) {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0
        var i = 0
        while i + 2 <= n {
            let x = a[i], y = a[i + 1]
            s0 += x * b0[i]; s1 += x * b1[i]; s2 += x * b2[i]; s3 += x * b3[i]
            t0 += y * b0[i + 1]; t1 += y * b1[i + 1]; t2 += y * b2[i + 1]; t3 += y * b3[i + 1]
            i += 2
        }
        if i < n { let x = a[i]; s0 += x * b0[i]; s1 += x * b1[i]; s2 += x * b2[i]; s3 += x * b3[i] }
        return (s0 + t0, s1 + t1, s2 + t2, s3 + t3)
    }

    /// Σ a[i].
    @inline(__always) static func sum(_ a: UnsafePointer<Double>, _ n: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i + 4 <= n { s0 += a[i]; s1 += a[i + 1]; s2 += a[i + 2]; s3 += a[i + 3]; i += 4 }
        while i < n { s0 += a[i]; i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// Σ (a[i] − m)².
    @inline(__always) static func sumSquaredDeviations(_ a: UnsafePointer<Double>, _ n: Int, from m: Double) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i + 4 <= n {
            let d0 = a[i] - m, d1 = a[i + 1] - m, d2 = a[i + 2] - m, d3 = a[i + 3] - m
            s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3
            i += 4
        }
        while i < n { let d = a[i] - m; s0 += d * d; i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// True when no entry is NaN or ±infinity (x − x is NaN exactly for those).
    @inline(__always) static func allFinite(_ a: UnsafePointer<Double>, _ n: Int) -> Bool {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i + 4 <= n {
            s0 += a[i] - a[i]; s1 += a[i + 1] - a[i + 1]; s2 += a[i + 2] - a[i + 2]; s3 += a[i + 3] - a[i + 3]
            i += 4
        }
        while i < n { s0 += a[i] - a[i]; i += 1 }
        return ((s0 + s1) + (s2 + s3)) == 0
    }
}
