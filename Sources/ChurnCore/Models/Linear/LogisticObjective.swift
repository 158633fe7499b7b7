#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The smooth part of scikit-learn's logistic-regression objective, divided by
/// the total sample weight W so its scale does not grow with the data:
///
///     f(β, b) = (1/W) · [ Σᵢ wᵢ · logloss(yᵢ, β·xᵢ + b) + ½·Σⱼ αⱼ·βⱼ² ]
///
/// with αⱼ = (1 − l1_ratio)/C, rescaled per column when the design was
/// standardised internally only for conditioning (sklearn minimises
/// C·Σ wᵢ·lossᵢ + penalty, the same minimiser). The intercept b is never penalised. The L1 part, (l1_ratio/C)/W · ‖β‖₁,
/// is handled by the optimiser (OWL-QN), not here.
///
/// Parameters are packed as θ = [β₀ … β_{p−1}, b] (b present only with an intercept).
///
/// Evaluation runs over fixed row chunks (independent of the thread count) in
/// parallel; per-chunk sums are combined in chunk order, so results are
/// bit-identical for any number of threads.
struct LogisticObjective: @unchecked Sendable {
    let design: LinearDesign
    let y: [Double]
    let w: [Double]
    let totalWeight: Double
    /// Per-coefficient L2 strength αⱼ.
    let alpha: [Double]
    let fitIntercept: Bool
    /// L2 strength on the intercept (0: unpenalised; > 0 with liblinear's intercept_scaling).
    var interceptAlpha: Double = 0
    /// Rows per chunk: a chunk of every column stays in L2 cache between the
    /// forward (margin) and backward (gradient) passes.
    static let chunkRows = 2048

    var dimension: Int { design.ncol + (fitIntercept ? 1 : 0) }
    var chunks: [Range<Int>] { Parallel.ranges(design.nrow, chunks: max(1, (design.nrow + Self.chunkRows - 1) / Self.chunkRows)) }

    /// Numerically stable log(1 + e^z) and σ(z) from one exponential.
    @inline(__always) static func logLossParts(_ z: Double) -> (log1pExp: Double, sigmoid: Double) {
        let e = exp(-abs(z))
        let l = max(z, 0) + log1p(e)
        let s = z >= 0 ? 1 / (1 + e) : e / (1 + e)
        return (l, s)
    }

    /// Objective value; writes the gradient into `grad` (length `dimension`).
    ///
    /// Sparse indicator columns (see `LinearDesign`) take part through their
    /// ones only: with x̃ = (x − c)/s, a row's margin gets θ/s per one and the
    /// constant −Σ θc/s is folded into the intercept term; the gradient entry
    /// is (Σ_{rows with a one} rᵢ − c·Σ rᵢ)/s.
    func evaluate(_ theta: [Double], gradient grad: inout [Double]) -> Double {
        let p = design.ncol, n = design.nrow, d = dimension
        let slot = design.slot, center = design.center, scale = design.scale
        let sparse = !design.sparseColumns.isEmpty
        // θ/s per sparse column, and the margin shift of their centring.
        var sparseCoef = [Double](repeating: 0, count: p)
        var shift = 0.0
        for j in 0..<p where slot[j] < 0 {
            sparseCoef[j] = theta[j] / scale[j]
            shift -= sparseCoef[j] * center[j]
        }
        let partials: [[Double]] = design.withColumns { X in
            y.withUnsafeBufferPointer { y in
                w.withUnsafeBufferPointer { w in
                    theta.withUnsafeBufferPointer { th in
                        design.sparseStart.withUnsafeBufferPointer { start in
                            design.sparseColumns.withUnsafeBufferPointer { cols in
                                sparseCoef.withUnsafeBufferPointer { sc in
                        let ranges = chunks
                        return Parallel.mapChunks(ranges.count, chunks: ranges.count) { rr -> [Double] in
                            let r = ranges[rr.lowerBound]
                            let len = r.count, lo = r.lowerBound
                            // out[0..<d] gradient sums, out[d] loss sum.
                            var out = [Double](repeating: 0, count: d + 1)
                            withUnsafeTemporaryAllocation(of: Double.self, capacity: len) { zb in
                                let z = zb.baseAddress!
                                let b = (fitIntercept ? th[p] : 0) + shift
                                for i in 0..<len { z[i] = b }
                                for j in 0..<p where slot[j] >= 0 {
                                    let x = X + slot[j] * n + lo, bj = th[j]
                                    if bj != 0 { for i in 0..<len { z[i] += bj * x[i] } }
                                }
                                if sparse {
                                    for i in 0..<len {
                                        var zi = z[i]
                                        for k in start[lo + i]..<start[lo + i + 1] { zi += sc[Int(cols[k])] }
                                        z[i] = zi
                                    }
                                }
                                var loss = 0.0, gb = 0.0
                                for i in 0..<len {
                                    let zi = z[i], yi = y[lo + i], wi = w[lo + i]
                                    let (l, s) = LogisticObjective.logLossParts(zi)
                                    loss += wi * (l - yi * zi)
                                    let ri = wi * (s - yi)
                                    z[i] = ri
                                    gb += ri
                                }
                                out.withUnsafeMutableBufferPointer { o in
                                    for j in 0..<p where slot[j] >= 0 { o[j] = VectorKernels.dot(z, X + slot[j] * n + lo, len) }
                                    if sparse {
                                        for i in 0..<len {
                                            let ri = z[i]
                                            for k in start[lo + i]..<start[lo + i + 1] { o[Int(cols[k])] += ri }
                                        }
                                    }
                                    for j in 0..<p where slot[j] < 0 { o[j] = (o[j] - center[j] * gb) / scale[j] }
                                    if fitIntercept { o[p] = gb }
                                    o[d] = loss
                                }
                            }
                            return out
                        }
                                }
                            }
                        }
                    }
                }
            }
        }
        if grad.count != d { grad = [Double](repeating: 0, count: d) }
        for j in 0..<d { grad[j] = 0 }
        var loss = 0.0
        for part in partials {
            for j in 0..<d { grad[j] += part[j] }
            loss += part[d]
        }
        var penalty = 0.0
        for j in 0..<p {
            penalty += alpha[j] * theta[j] * theta[j]
            grad[j] += alpha[j] * theta[j]
        }
        if fitIntercept && interceptAlpha > 0 {
            penalty += interceptAlpha * theta[p] * theta[p]
            grad[p] += interceptAlpha * theta[p]
        }
        let inv = 1 / totalWeight
        for j in 0..<d { grad[j] *= inv }
        return (loss + 0.5 * penalty) * inv
    }

    /// Hessian of the objective (times W: the unscaled Σ wᵢpᵢ(1−pᵢ)xᵢxᵢᵀ + α·I on
    /// β) at θ, dense row-major `dimension × dimension`. Used by Newton and for
    /// standard errors.
    func hessian(_ theta: [Double]) -> [Double] {
        let p = design.ncol, d = dimension
        let partials: [[Double]] = theta.withUnsafeBufferPointer { th in
            w.withUnsafeBufferPointer { w in
                let ranges = chunks
                return Parallel.mapChunks(ranges.count, chunks: ranges.count) { rr -> [Double] in
                    let r = ranges[rr.lowerBound], len = r.count
                    var h = [Double](repeating: 0, count: d * d)
                    // The chunk's columns materialised (sparse ones too), then the intercept's.
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: (p + 3) * len) { buf in
                        let X = buf.baseAddress!, z = X + p * len, t = z + len, one = t + len
                        design.copyRows(r, into: X)
                        one.initialize(repeating: 1, count: len)   // the intercept's column
                        let b = fitIntercept ? th[p] : 0
                        for i in 0..<len { z[i] = b }
                        for j in 0..<p {
                            let x = X + j * len, bj = th[j]
                            if bj != 0 { for i in 0..<len { z[i] += bj * x[i] } }
                        }
                        for i in 0..<len {
                            let s = LogisticObjective.logLossParts(z[i]).sigmoid
                            z[i] = w[r.lowerBound + i] * s * (1 - s)   // z now holds the IRLS weights
                        }
                        // t = IRLS weight × column j; then four Hessian entries per pass.
                        h.withUnsafeMutableBufferPointer { h in
                            func column(_ k: Int) -> UnsafePointer<Double> { k < p ? UnsafePointer(X + k * len) : UnsafePointer(one) }
                            for j in 0..<d {
                                let xj = column(j)
                                for i in 0..<len { t[i] = z[i] * xj[i] }
                                var k = j
                                while k + 4 <= d {
                                    let s = VectorKernels.dot4(t, column(k), column(k + 1), column(k + 2), column(k + 3), len)
                                    h[j * d + k] = s.0; h[j * d + k + 1] = s.1; h[j * d + k + 2] = s.2; h[j * d + k + 3] = s.3
                                    k += 4
                                }
                                while k < d { h[j * d + k] = VectorKernels.dot(t, column(k), len); k += 1 }
                            }
                        }
                    }
                    return h
                }
            }
        }
        var h = [Double](repeating: 0, count: d * d)
        for part in partials { for k in 0..<(d * d) { h[k] += part[k] } }
        for j in 0..<d { for k in (j + 1)..<max(j + 1, d) { h[k * d + j] = h[j * d + k] } }
        for j in 0..<p { h[j * d + j] += alpha[j] }
        if fitIntercept { h[p * d + p] += interceptAlpha }
        return h
    }
}
