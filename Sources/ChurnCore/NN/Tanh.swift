/// `nn.Tanh`.
public final class Tanh<T: NNFloat>: Elementwise<T> {
    public override init() { super.init() }
    public override var kind: String { "tanh" }
    @_specialize(exported: false, where T == Float)
    override func f(_ x: T) -> T { T.nnTanh(x) }
    @_specialize(exported: false, where T == Float)
    override func derivative(_ x: T, _ y: T) -> T { 1 - y * y }
}
