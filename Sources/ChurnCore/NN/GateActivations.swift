import Foundation

/// Sigmoid and tanh of the recurrent cells, eight Float32 lanes at a time.
/// Profiling GRU inference showed most of the time outside the matrix
/// products in libm's scalar `expf`/`tanhf`, so the cells evaluate exp with
/// the Cephes `expf` polynomial (range reduction x = n·ln2 + r, |r| ≤ ln2/2,
/// degree-6 polynomial, 2ⁿ by exponent bits), branch-free over a SIMD8.
/// Measured against libm in Float64 (GateActivationsTests, x in [−100, 100]):
/// sigmoid relative error < 1e-6 (≈ 2 ulp), tanh absolute error < 3e-7 —
/// far inside the 1e-5 agreement with PyTorch the tests ask. Each lane's
/// value depends on that lane only, so results do not depend on blocks or threads.
enum GateActivations {
    typealias V = SIMD8<Float>

    /// x limited to [lo, hi] by bit selects on the comparison masks. (`clamped`
    /// goes through the standard library's generic `pointwiseMin`/`Max`, which
    /// perf showed as separate, lane-by-lane calls taking 17 % of LSTM inference.)
    @inline(__always) static func clamp(_ x: V, _ lo: Float, _ hi: Float) -> V {
        typealias I = SIMD8<Int32>
        let l = V(repeating: lo), h = V(repeating: hi)
        let below = unsafeBitCast(x .< l, to: I.self), above = unsafeBitCast(x .> h, to: I.self)
        let xb = unsafeBitCast(x, to: I.self), lb = unsafeBitCast(l, to: I.self), hb = unsafeBitCast(h, to: I.self)
        let r = xb ^ ((xb ^ lb) & below)           // lo where below, else x
        return unsafeBitCast(r ^ ((r ^ hb) & above), to: V.self)   // hi where above
    }

    @inline(__always) static func exp(_ v: V) -> V {
        var x = clamp(v, -87.3, 88.3)
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
}

/// A run of gate values the fused cells (`FusedCell`) process together:
/// eight Float32 lanes with `GateActivations`' polynomial in the product, one
/// Float64 value with libm in the Jacobian-check mode of the tests. The cells'
/// equations are written once over this, so the Float64 finite-difference
/// checks and the Float32 PyTorch comparisons test the same code.
protocol GateLanes {
    associatedtype Scalar: NNFloat
    static var width: Int { get }
    init(repeating: Scalar)
    /// The first `count` (≤ width) values at `p`; the other lanes 0.
    init(load p: UnsafePointer<Scalar>, count: Int)
    /// Writes the first `count` lanes to `p`.
    func store(_ p: UnsafeMutablePointer<Scalar>, count: Int)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    var sigmoid: Self { get }
    var tanh: Self { get }
}

extension SIMD8: GateLanes where Scalar == Float {
    static var width: Int { 8 }
    @inline(__always) init(load p: UnsafePointer<Float>, count: Int) {
        if count == 8 {
            self = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
        } else {
            self.init(repeating: 0)
            for k in 0..<count { self[k] = p[k] }
        }
    }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>, count: Int) {
        if count == 8 {
            UnsafeMutableRawPointer(p).storeBytes(of: self, as: SIMD8<Float>.self)
        } else {
            for k in 0..<count { p[k] = self[k] }
        }
    }
    @inline(__always) var sigmoid: SIMD8<Float> { GateActivations.sigmoid(self) }
    @inline(__always) var tanh: SIMD8<Float> { GateActivations.tanh(self) }
}

extension Double: GateLanes {
    typealias Scalar = Double
    static var width: Int { 1 }
    @inline(__always) init(repeating v: Double) { self = v }
    @inline(__always) init(load p: UnsafePointer<Double>, count: Int) { self = p[0] }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Double>, count: Int) { p[0] = self }
    @inline(__always) var sigmoid: Double { Double.sigmoid(self) }
    @inline(__always) var tanh: Double { Foundation.tanh(self) }
}
