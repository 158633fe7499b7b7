/// A learnable tensor and its gradient (accumulated by `backward`, cleared by
/// `zeroGrad`). Shapes follow the layout the kernels use; `name` says which
/// part of which layer it is ("weight", "weight_hh_l0_reverse", …).
public final class Parameter<T: NNFloat> {
    public let name: String
    public var value: Tensor<T>
    public var grad: Tensor<T>

    public init(_ name: String, _ value: Tensor<T>) {
        self.name = name; self.value = value; self.grad = Tensor(zeros: value.shape)
    }

    public func zeroGrad() {
        grad.data.withUnsafeMutableBufferPointer { g in for i in g.indices { g[i] = 0 } }
    }
}
