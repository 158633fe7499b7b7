/// The shared shape of the activation layers: y = f(x) elementwise, and
/// dx = g ⊙ f′(x, y). Subclasses give `f` and `derivative`.
public class Elementwise<T: NNFloat>: Module<T> {
    private var input: Tensor<T>?, output: Tensor<T>?

    func f(_ x: T) -> T { fatalError("abstract") }
    /// f′ at x, given y = f(x).
    func derivative(_ x: T, _ y: T) -> T { fatalError("abstract") }

    public override var spec: LayerSpec { LayerSpec(kind) }
    public override func outputShape(_ s: [Int]) throws -> [Int] { s }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> {
        var y = x
        y.data.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = f(p[i]) } }
        if isTraining { input = x; output = y }
        return y
    }

    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> {
        let x = try ShapeCheck.cached(kind, input), y = try ShapeCheck.cached(kind, output)
        try ShapeCheck.same(kind, x.shape, g.shape)
        var dx = g
        x.data.withPtr { xp in y.data.withPtr { yp in dx.data.withUnsafeMutableBufferPointer { d in
            for i in d.indices { d[i] *= derivative(xp[i], yp[i]) }
        } } }
        return dx
    }

    public override func clearCache() { input = nil; output = nil }
}
