import CKernels

/// `nn.Sigmoid`. Float32 buffers run the recurrent cells' vectorised
/// sigmoid (`ck_gate_sigmoid_f32`, polynomial exp: relative error < 1e-6
/// against libm, GateActivationsTests) instead of a call per value through
/// the method table; Float64 (the Jacobian checks) keeps libm.
public final class Sigmoid<T: NNFloat>: Elementwise<T> {
    public override init() { super.init() }
    public override var kind: String { "sigmoid" }
    @_specialize(exported: false, where T == Float)
    override func f(_ x: T) -> T { T.sigmoid(x) }
    @_specialize(exported: false, where T == Float)
    override func derivative(_ x: T, _ y: T) -> T { y * (1 - y) }

    override func apply(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        if !applyFloat32(ck_gate_sigmoid_f32, x, y, n) { super.apply(x, y, n) }
    }

    override func applyDerivative(_ g: UnsafePointer<T>, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ d: UnsafeMutablePointer<T>, _ n: Int) {
        if !applyDerivativeFromOutputFloat32({ $0 * (1 - $0) }, g, y, d, n) { super.applyDerivative(g, x, y, d, n) }
    }
}
