/// Deterministic pseudo-random numbers. Every random choice in ChurnLab takes a
/// seed and draws from this generator, so the same seed gives bit-identical
/// results on every machine (Swift's SystemRandomNumberGenerator is not seedable).
///
/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var sm = seed
        func splitmix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(&sm), splitmix(&sm), splitmix(&sm), splitmix(&sm))
    }

    /// A generator for sub-stream `stream` of `seed` (e.g. one per tree or fold),
    /// independent of how many numbers other streams drew.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) &+ 0x2545_F491_4F6C_DD1D)
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inline(__always) public mutating func next() -> UInt64 {
        let result = SeededRandom.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = SeededRandom.rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always) public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in 0..<n (Lemire's unbiased method).
    @inline(__always) public mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(truncatingIfNeeded: next(upperBound: UInt64(n)))
    }

    /// Standard normal (Box–Muller; deterministic, uses two uniforms per call).
    public mutating func normal() -> Double {
        var u1 = uniform()
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = uniform()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle, deterministic for the generator state.
    public mutating func shuffle<T>(_ a: inout [T]) {
        if a.count < 2 { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, below(i + 1)) }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif

/// Process-wide default seed, set by `cl.seed(n)`; functions given no seed of
/// their own use it.
public enum GlobalSeed {
    nonisolated(unsafe) public static var value: UInt64 = 42
}
