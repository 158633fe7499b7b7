import Foundation

/// The element type of the network code. Every layer is generic over it so the
/// product runs in `Float` (Float32 storage, as PyTorch's default) while the
/// tests instantiate the same code in `Double` to check backward passes
/// against central finite differences (torch7's Jacobian checks need more
/// precision than Float32 gives). Generic code is specialised per type by the
/// optimiser, so the `Float` path pays nothing for the abstraction.
public protocol NNFloat: BinaryFloatingPoint & Codable & Sendable where Self.RawSignificand: FixedWidthInteger {
    static func nnExp(_ x: Self) -> Self
    static func nnLog(_ x: Self) -> Self
    static func nnLog1p(_ x: Self) -> Self
    static func nnTanh(_ x: Self) -> Self
    static func nnErf(_ x: Self) -> Self
    static func nnSqrt(_ x: Self) -> Self
}

extension Float: NNFloat {
    @inline(__always) public static func nnExp(_ x: Float) -> Float { Foundation.exp(x) }
    @inline(__always) public static func nnLog(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) public static func nnLog1p(_ x: Float) -> Float { Foundation.log1p(x) }
    @inline(__always) public static func nnTanh(_ x: Float) -> Float { Foundation.tanh(x) }
    @inline(__always) public static func nnErf(_ x: Float) -> Float { Foundation.erf(x) }
    @inline(__always) public static func nnSqrt(_ x: Float) -> Float { x.squareRoot() }
}

extension Double: NNFloat {
    @inline(__always) public static func nnExp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) public static func nnLog(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) public static func nnLog1p(_ x: Double) -> Double { Foundation.log1p(x) }
    @inline(__always) public static func nnTanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inline(__always) public static func nnErf(_ x: Double) -> Double { Foundation.erf(x) }
    @inline(__always) public static func nnSqrt(_ x: Double) -> Double { x.squareRoot() }
}

extension NNFloat {
    /// Logistic sigmoid, stable for large |x|.
    @inline(__always) static func sigmoid(_ x: Self) -> Self {
        if x >= 0 { return 1 / (1 + nnExp(-x)) }
        let e = nnExp(x); return e / (1 + e)
    }
}

/// A shape or argument error of the network code (names what and where).
public struct NNError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
