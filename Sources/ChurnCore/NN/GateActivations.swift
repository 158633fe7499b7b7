/// Sigmoid and tanh over a run of gate pre-activations, in place: the
/// recurrent cells' hot loop. Profiling GRU inference showed ~95 % of the time
/// in the gate loop, most of it in libm's scalar `expf`/`tanhf` calls (the
/// GEMM was 5 %), so the Float path evaluates exp eight lanes at a time with
/// the Cephes `expf` polynomial (range reduction x = n·ln2 + r, |r| ≤ ln2/2,
/// degree-6 polynomial, 2ⁿ by exponent bits; relative error ≈ 2 ulp, far
/// inside the 1e-5 agreement with PyTorch the tests ask). Double (the
/// Jacobian-check mode of the tests) keeps libm. Each element's value depends
/// on that element only, so results do not depend on threads or blocks.
enum GateActivations {
    typealias V = SIMD8<Float>

    @inline(__always) static func exp(_ v: V) -> V {
        var x = v.clamped(lowerBound: V(repeating: -87.3), upperBound: V(repeating: 88.3))
        // n = round(x / ln2) by the 1.5·2²³ trick (adding it leaves n in the low
        // mantissa bits; no rounding instruction needed on baseline x86-64).
        let t = x * 1.442_695_04 + 12_582_912
        let fx = t - 12_582_912
        let n = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
        x = x - fx * 0.693_359_375 + fx * 2.121_944_4e-4
        let z = x * x
        var y = V(repeating: 1.987_569_15e-4)
        y = y * x + 1.398_199_95e-3
        y = y * x + 8.333_451_9e-3
        y = y * x + 4.166_579_59e-2
        y = y * x + 1.666_666_55e-1
        y = y * x + 5.000_000_12e-1
        y = y * z + x + 1
        let scale = unsafeBitCast((n &+ 127) &<< 23, to: V.self)
        return y * scale
    }

    /// σ(x) = 1 / (1 + e^(−x)); exact 0/1 limits at the clamp.
    @inline(__always) static func sigmoid(_ v: V) -> V { 1 / (1 + exp(-v)) }

    /// tanh(x) = 2σ(2x) − 1 (absolute error ~1e-7 near 0, exact ±1 limits).
    @inline(__always) static func tanh(_ v: V) -> V { 2 / (1 + exp(-2 * v)) - 1 }

    @inline(__always) private static func apply(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ f: (V) -> V) {
        var i = 0
        let raw = UnsafeMutableRawPointer(p)
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            raw.storeBytes(of: f(v), toByteOffset: i * 4, as: V.self)
            i += 8
        }
        if i < n {
            var v = V(repeating: 0)
            for k in 0..<(n - i) { v[k] = p[i + k] }
            let r = f(v)
            for k in 0..<(n - i) { p[i + k] = r[k] }
        }
    }

    static func sigmoidInPlace(_ p: UnsafeMutablePointer<Float>, _ n: Int) { apply(p, n, sigmoid) }
    static func tanhInPlace(_ p: UnsafeMutablePointer<Float>, _ n: Int) { apply(p, n, tanh) }
}

extension NNFloat {
    /// In-place sigmoid over `n` values (vectorised for Float, `GateActivations`).
    @inline(__always) static func sigmoidInPlace(_ p: UnsafeMutablePointer<Self>, _ n: Int) {
        if Self.self == Float.self {
            p.withMemoryRebound(to: Float.self, capacity: n) { GateActivations.sigmoidInPlace($0, n) }
        } else {
            for i in 0..<n { p[i] = sigmoid(p[i]) }
        }
    }

    /// In-place tanh over `n` values (vectorised for Float, `GateActivations`).
    @inline(__always) static func tanhInPlace(_ p: UnsafeMutablePointer<Self>, _ n: Int) {
        if Self.self == Float.self {
            p.withMemoryRebound(to: Float.self, capacity: n) { GateActivations.tanhInPlace($0, n) }
        } else {
            for i in 0..<n { p[i] = nnTanh(p[i]) }
        }
    }
}
