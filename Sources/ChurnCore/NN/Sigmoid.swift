/// `nn.Sigmoid`.
public final class Sigmoid<T: NNFloat>: Elementwise<T> {
    public override init() { super.init() }
    public override var kind: String { "sigmoid" }
    @_specialize(exported: false, where T == Float)
    override func f(_ x: T) -> T { T.sigmoid(x) }
    @_specialize(exported: false, where T == Float)
    override func derivative(_ x: T, _ y: T) -> T { y * (1 - y) }
}
