import Foundation

/// Sufficient statistics of one ridge regression, A = λI + Σ xxᵀ and
/// b = Σ r x, kept incrementally. Both the per-action reward models of
/// off-policy evaluation and the linear bandits (LinUCB, Thompson) are this:
/// θ = A⁻¹ b is the ridge solution on the rows added so far.
public struct RidgeStatistics: Sendable, Equatable {
    public let d: Int
    public let lambda: Double
    /// Row-major d × d.
    public private(set) var A: [Double]
    public private(set) var b: [Double]
    public private(set) var count = 0

    public init(d: Int, lambda: Double) {
        self.d = d; self.lambda = lambda
        A = [Double](repeating: 0, count: d * d)
        for j in 0..<d { A[j * d + j] = lambda }
        b = [Double](repeating: 0, count: d)
    }

    /// Adds row `x` (d values from `X` at `offset`) with target r.
    @inline(__always) public mutating func add(_ X: UnsafeBufferPointer<Double>, offset: Int, _ r: Double) {
        for i in 0..<d {
            let xi = X[offset + i]
            if xi == 0 { continue }
            b[i] += r * xi
            for j in 0...i { A[i * d + j] += xi * X[offset + j] }
        }
        count += 1
    }

    /// Adds row `x` with target r and weight w (a bootstrap resample's count): A += w·xxᵀ,
    /// b += w·r·x. Weight 1 adds exactly what `add(_:offset:_:)` adds; weight 0 adds nothing.
    @inline(__always) public mutating func add(_ X: UnsafeBufferPointer<Double>, offset: Int, _ r: Double, weight w: Double) {
        guard w != 0 else { return }
        for i in 0..<d {
            let xi = X[offset + i]
            if xi == 0 { continue }
            let wxi = w * xi
            b[i] += r * wxi
            for j in 0...i { A[i * d + j] += wxi * X[offset + j] }
        }
        count += 1
    }

    /// The full symmetric A (only the lower triangle is accumulated).
    public var matrix: [Double] {
        var m = A
        for i in 0..<d { for j in (i + 1)..<max(i + 1, d) { m[i * d + j] = m[j * d + i] } }
        return m
    }

    /// Cholesky factor of A (lower, row-major).
    public func cholesky() throws -> [Double] {
        guard let l = DenseSPD.cholesky(matrix, d) else {
            throw FrameError.invalid("ridge: the design is singular (give ridge > 0)")
        }
        return l
    }

    /// θ = A⁻¹ b.
    public func solve() throws -> [Double] { DenseSPD.solve(cholesky: try cholesky(), d, b) }

    /// A⁻¹.
    public func inverse() throws -> [Double] { DenseSPD.inverse(cholesky: try cholesky(), d) }
}
