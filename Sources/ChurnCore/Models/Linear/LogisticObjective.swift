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
    /// Rows per chunk: a chunk of every column stays in L2 cache between the
    /// forward (margin) and backward (gradient) passes.
    static let chunkRows = 4096

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
    func evaluate(_ theta: [Double], gradient grad: inout [Double]) -> Double {
        let p = design.ncol, n = design.nrow, d = dimension
        let partials: [[Double]] = design.withColumns { X in
            y.withUnsafeBufferPointer { y in
                w.withUnsafeBufferPointer { w in
                    theta.withUnsafeBufferPointer { th in
                        let ranges = chunks
                        return Parallel.mapChunks(ranges.count, chunks: ranges.count) { rr -> [Double] in
                            let r = ranges[rr.lowerBound]
                            let len = r.count
                            // out[0..<d] gradient sums, out[d] loss sum.
                            var out = [Double](repeating: 0, count: d + 1)
                            withUnsafeTemporaryAllocation(of: Double.self, capacity: len) { zb in
                                let z = zb.baseAddress!
                                let b = fitIntercept ? th[p] : 0
                                for i in 0..<len { z[i] = b }
                                for j in 0..<p {
                                    let x = X + j * n + r.lowerBound, bj = th[j]
                                    if bj != 0 { for i in 0..<len { z[i] += bj * x[i] } }
                                }
                                var loss = 0.0, gb = 0.0
                                for i in 0..<len {
                                    let zi = z[i], yi = y[r.lowerBound + i], wi = w[r.lowerBound + i]
                                    let (l, s) = LogisticObjective.logLossParts(zi)
                                    loss += wi * (l - yi * zi)
                                    let ri = wi * (s - yi)
                                    z[i] = ri
                                    gb += ri
                                }
                                out.withUnsafeMutableBufferPointer { o in
                                    for j in 0..<p {
                                        let x = X + j * n + r.lowerBound
                                        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                                        var i = 0
                                        while i + 4 <= len {
                                            s0 += z[i] * x[i]; s1 += z[i + 1] * x[i + 1]
                                            s2 += z[i + 2] * x[i + 2]; s3 += z[i + 3] * x[i + 3]
                                            i += 4
                                        }
                                        while i < len { s0 += z[i] * x[i]; i += 1 }
                                        o[j] = (s0 + s1) + (s2 + s3)
                                    }
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
        let inv = 1 / totalWeight
        for j in 0..<d { grad[j] *= inv }
        return (loss + 0.5 * penalty) * inv
    }

    /// Hessian of the objective (times W: the unscaled Σ wᵢpᵢ(1−pᵢ)xᵢxᵢᵀ + α·I on
    /// β) at θ, dense row-major `dimension × dimension`. Used by Newton and for
    /// standard errors.
    func hessian(_ theta: [Double]) -> [Double] {
        let p = design.ncol, n = design.nrow, d = dimension
        let partials: [[Double]] = design.withColumns { X in
            w.withUnsafeBufferPointer { w in
                theta.withUnsafeBufferPointer { th in
                    let ranges = chunks
                    return Parallel.mapChunks(ranges.count, chunks: ranges.count) { rr -> [Double] in
                        let r = ranges[rr.lowerBound], len = r.count
                        var h = [Double](repeating: 0, count: d * d)
                        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * len) { buf in
                            let z = buf.baseAddress!, t = z + len
                            let b = fitIntercept ? th[p] : 0
                            for i in 0..<len { z[i] = b }
                            for j in 0..<p {
                                let x = X + j * n + r.lowerBound, bj = th[j]
                                if bj != 0 { for i in 0..<len { z[i] += bj * x[i] } }
                            }
                            for i in 0..<len {
                                let s = LogisticObjective.logLossParts(z[i]).sigmoid
                                z[i] = w[r.lowerBound + i] * s * (1 - s)   // z now holds the IRLS weights
                            }
                            h.withUnsafeMutableBufferPointer { h in
                                for j in 0..<d {
                                    if j < p {
                                        let xj = X + j * n + r.lowerBound
                                        for i in 0..<len { t[i] = z[i] * xj[i] }
                                    } else {
                                        for i in 0..<len { t[i] = z[i] }
                                    }
                                    for k in j..<d {
                                        var s = 0.0
                                        if k < p {
                                            let xk = X + k * n + r.lowerBound
                                            for i in 0..<len { s += t[i] * xk[i] }
                                        } else {
                                            for i in 0..<len { s += t[i] }
                                        }
                                        h[j * d + k] = s
                                    }
                                }
                            }
                        }
                        return h
                    }
                }
            }
        }
        var h = [Double](repeating: 0, count: d * d)
        for part in partials { for k in 0..<(d * d) { h[k] += part[k] } }
        for j in 0..<d { for k in (j + 1)..<max(j + 1, d) { h[k * d + j] = h[j * d + k] } }
        for j in 0..<p { h[j * d + j] += alpha[j] }
        return h
    }

    /// Linear predictor β·xᵢ + b for every row.
    static func margins(design: LinearDesign, coef: [Double], intercept: Double) -> [Double] {
        let n = design.nrow, p = design.ncol
        var z = [Double](repeating: intercept, count: n)
        design.withColumns { X in
            z.withUnsafeMutableBufferPointer { zb in
                let ranges = Parallel.ranges(n, chunks: max(1, (n + chunkRows - 1) / chunkRows))
                let base = zb.baseAddress!
                Parallel.forEach(ranges.count) { c in
                    let r = ranges[c]
                    for j in 0..<p {
                        let x = X + j * n, bj = coef[j]
                        for i in r { base[i] += bj * x[i] }
                    }
                }
            }
        }
        return z
    }
}
