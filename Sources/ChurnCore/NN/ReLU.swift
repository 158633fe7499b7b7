/// `nn.ReLU`: max(0, x) (gradient 0 at 0, as PyTorch).
///
/// The buffer loops are written for the concrete element type: a call of
/// `f` per value through the class's method table ran the unspecialised
/// generic code (type-witness lookups per value) and took 40 % of an MLP's
/// prediction time in perf.
public final class ReLU<T: NNFloat>: Elementwise<T> {
    public override init() { super.init() }
    public override var kind: String { "relu" }
    override func f(_ x: T) -> T { x > 0 ? x : 0 }
    override func derivative(_ x: T, _ y: T) -> T { x > 0 ? 1 : 0 }

    override func apply(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        if T.self == Float.self {
            ReLU.forwardLoop(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                             UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n)
        } else if T.self == Double.self {
            ReLU.forwardLoop(UnsafeRawPointer(x).assumingMemoryBound(to: Double.self),
                             UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), n)
        } else { super.apply(x, y, n) }
    }

    override func applyDerivative(_ g: UnsafePointer<T>, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ d: UnsafeMutablePointer<T>, _ n: Int) {
        if T.self == Float.self {
            ReLU.backwardLoop(UnsafeRawPointer(g).assumingMemoryBound(to: Float.self), UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                              UnsafeMutableRawPointer(d).assumingMemoryBound(to: Float.self), n)
        } else if T.self == Double.self {
            ReLU.backwardLoop(UnsafeRawPointer(g).assumingMemoryBound(to: Double.self), UnsafeRawPointer(x).assumingMemoryBound(to: Double.self),
                              UnsafeMutableRawPointer(d).assumingMemoryBound(to: Double.self), n)
        } else { super.applyDerivative(g, x, y, d, n) }
    }

    @inline(__always)
    static func forwardLoop<F: BinaryFloatingPoint>(_ x: UnsafePointer<F>, _ y: UnsafeMutablePointer<F>, _ n: Int) {
        for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
    }

    /// d · 0 where x ≤ 0 (not a plain 0): the same bits as d · `derivative`, signed zeros and NaN included.
    @inline(__always)
    static func backwardLoop<F: BinaryFloatingPoint>(_ g: UnsafePointer<F>, _ x: UnsafePointer<F>, _ d: UnsafeMutablePointer<F>, _ n: Int) {
        for i in 0..<n { d[i] = x[i] > 0 ? g[i] : g[i] * 0 }
    }
}
