/// `nn.GELU` (exact form): x·Φ(x) = ½x(1 + erf(x/√2)).
public final class GELU<T: NNFloat>: Elementwise<T> {
    public override init() { super.init() }
    public override var kind: String { "gelu" }
    @_specialize(exported: false, where T == Float)
    override func f(_ x: T) -> T { x * (1 + T.nnErf(x * T(0.7071067811865476))) / 2 }
    @_specialize(exported: false, where T == Float)
    override func derivative(_ x: T, _ y: T) -> T {
        let cdf = (1 + T.nnErf(x * T(0.7071067811865476))) / 2
        let pdf = T.nnExp(-x * x / 2) * T(0.3989422804014327)
        return cdf + x * pdf
    }
}
