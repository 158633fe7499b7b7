/// `nn.ReLU`: max(0, x) (gradient 0 at 0, as PyTorch).
public final class ReLU<T: NNFloat>: Elementwise<T> {
    public override init() { super.init() }
    public override var kind: String { "relu" }
    @_specialize(exported: false, where T == Float)
    override func f(_ x: T) -> T { x > 0 ? x : 0 }
    @_specialize(exported: false, where T == Float)
    override func derivative(_ x: T, _ y: T) -> T { x > 0 ? 1 : 0 }
}
