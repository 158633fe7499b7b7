/// The shared shape of the activation layers: y = f(x) elementwise, and
/// dx = g ⊙ f′(x, y). Subclasses give `f` and `derivative`.
public class Elementwise<T: NNFloat>: Module<T> {
    private var input: Tensor<T>?, output: Tensor<T>?

    func f(_ x: T) -> T { fatalError("abstract") }
    /// f′ at x, given y = f(x).
    func derivative(_ x: T, _ y: T) -> T { fatalError("abstract") }

    /// y = f(x) for n values. The default calls `f` per value through the
    /// class's method table; a layer with a cheap `f` overrides this with a
    /// loop for the concrete element type (see `ReLU`).
    func apply(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) { for i in 0..<n { y[i] = f(x[i]) } }
    /// d = g ⊙ f′(x, y) for n values (see `apply`).
    func applyDerivative(_ g: UnsafePointer<T>, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ d: UnsafeMutablePointer<T>, _ n: Int) {
        for i in 0..<n { d[i] = g[i] * derivative(x[i], y[i]) }
    }

    /// For layers with a vectorised C kernel on Float32 (`Sigmoid`, `Tanh`):
    /// y = kernel(x) when T is Float, returning false (caller falls back) otherwise.
    @inline(__always)
    func applyFloat32(_ kernel: (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void,
                      _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) -> Bool {
        guard T.self == Float.self else { return false }
        kernel(n, UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
               UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self))
        return true
    }

    /// d = g ⊙ f′ when T is Float and f′ depends on y only (`Sigmoid`, `Tanh`); false otherwise.
    @inline(__always)
    func applyDerivativeFromOutputFloat32(_ fPrime: (Float) -> Float, _ g: UnsafePointer<T>, _ y: UnsafePointer<T>,
                                          _ d: UnsafeMutablePointer<T>, _ n: Int) -> Bool {
        guard T.self == Float.self else { return false }
        let gf = UnsafeRawPointer(g).assumingMemoryBound(to: Float.self), yf = UnsafeRawPointer(y).assumingMemoryBound(to: Float.self)
        let df = UnsafeMutableRawPointer(d).assumingMemoryBound(to: Float.self)
        for i in 0..<n { df[i] = gf[i] * fPrime(yf[i]) }
        return true
    }

    public override var spec: LayerSpec { LayerSpec(kind) }
    public override func outputShape(_ s: [Int]) throws -> [Int] { s }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> {
        // Written out of place: the caller still holds x, so mutating a copy would copy it first.
        let y = Tensor(uncheckedShape: x.shape, data: [T](unsafeUninitializedCapacity: x.count) { buf, done in
            if let yp = buf.baseAddress { x.data.withPtr { apply($0, yp, x.count) } }
            done = x.count
        })
        if isTraining { input = x; output = y }
        return y
    }

    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> {
        let x = try ShapeCheck.cached(kind, input), y = try ShapeCheck.cached(kind, output)
        try ShapeCheck.same(kind, x.shape, g.shape)
        let dx = [T](unsafeUninitializedCapacity: g.count) { buf, done in
            if let dp = buf.baseAddress {
                g.data.withPtr { gp in x.data.withPtr { xp in y.data.withPtr { yp in applyDerivative(gp, xp, yp, dp, g.count) } } }
            }
            done = g.count
        }
        return Tensor(uncheckedShape: g.shape, data: dx)
    }

    public override func clearCache() { input = nil; output = nil }
}
