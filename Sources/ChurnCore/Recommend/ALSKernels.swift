/// The single-precision layout of ALS factors, and the solver's input rows.
///
/// Factors are stored as rows of `nv` `SIMD4<Float>` vectors (the factor count
/// padded with zeros to a multiple of 16 lanes), so the scoring kernels are plain
/// loops of 4-lane operations that the compiler keeps in SSE registers without
/// relying on auto-vectorisation or reassociation. Padded lanes stay zero
/// through every solve (`ALSGatheredCG` never writes them), so a padded model is
/// exactly the unpadded one.
enum ALSKernels {
    typealias V = SIMD4<Float>

    /// Vectors per row for `f` factors (a multiple of 4, i.e. 16 floats, so `dot` needs no tail).
    static func lanes(_ f: Int) -> Int { (f + 15) / 16 * 4 }

    @inline(__always) static func load(_ a: UnsafePointer<Float>, _ j: Int) -> V {
        UnsafeRawPointer(a).loadUnaligned(fromByteOffset: j &* 4, as: V.self)
    }

    @inline(__always) static func store(_ v: V, _ a: UnsafeMutablePointer<Float>, _ j: Int) {
        UnsafeMutableRawPointer(a).storeBytes(of: v, toByteOffset: j &* 4, as: V.self)
    }

    /// a · b over n floats (n a multiple of 16), four independent running sums.
    @inline(__always) static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0 = V(), s1 = V(), s2 = V(), s3 = V()
        var j = 0
        while j < n {
            s0 += load(a, j) * load(b, j); s1 += load(a, j + 4) * load(b, j + 4)
            s2 += load(a, j + 8) * load(b, j + 8); s3 += load(a, j + 12) * load(b, j + 12)
            j += 16
        }
        return ((s0 + s1) + (s2 + s3)).sum()
    }

    /// y += alpha · x over n floats (n a multiple of 4).
    @inline(__always) static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let a = V(repeating: alpha)
        var j = 0
        while j < n { store(load(y, j) + a * load(x, j), y, j); j += 4 }
    }

    /// y = x + beta · y over n floats (n a multiple of 4).
    @inline(__always) static func xpay(_ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let b = V(repeating: beta)
        var j = 0
        while j < n { store(load(x, j) + b * load(y, j), y, j); j += 4 }
    }
}

/// One side of the interaction matrix in compressed rows for the solver:
/// row r's entries are `index[start[r]..<start[r+1]]` with `alpha · weight`
/// (the confidence minus one) in `extra`.
struct ALSRows {
    let start: [Int]
    let index: [Int32]
    let extra: [Float]
    var count: Int { start.count - 1 }

    init(_ rows: [[(Int, Double)]], alpha: Double) {
        var s = [Int](repeating: 0, count: rows.count + 1)
        for (r, row) in rows.enumerated() { s[r + 1] = s[r] + row.count }
        var idx = [Int32](repeating: 0, count: s[rows.count]), ex = [Float](repeating: 0, count: s[rows.count])
        var k = 0
        for row in rows { for (i, w) in row { idx[k] = Int32(i); ex[k] = Float(alpha * w); k += 1 } }
        start = s; index = idx; extra = ex
    }
}
