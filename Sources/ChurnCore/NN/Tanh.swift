import CKernels

/// `nn.Tanh`. Float32 buffers run the recurrent cells' vectorised tanh
/// (`ck_gate_tanh_f32`, 2σ(2x) − 1 with a polynomial exp: absolute error
/// < 3e-7 against libm, GateActivationsTests) instead of a libm call per
/// value through the method table; Float64 (the Jacobian checks) keeps libm.
public final class Tanh<T: NNFloat>: Elementwise<T> {
    public override init() { super.init() }
    public override var kind: String { "tanh" }
    @_specialize(exported: false, where T == Float)
    override func f(_ x: T) -> T { T.nnTanh(x) }
    @_specialize(exported: false, where T == Float)
    override func derivative(_ x: T, _ y: T) -> T { 1 - y * y }

    override func apply(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        if !applyFloat32(ck_gate_tanh_f32, x, y, n) { super.apply(x, y, n) }
    }

    override func applyDerivative(_ g: UnsafePointer<T>, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ d: UnsafeMutablePointer<T>, _ n: Int) {
        if !applyDerivativeFromOutputFloat32({ 1 - $0 * $0 }, g, y, d, n) { super.applyDerivative(g, x, y, d, n) }
    }
}
