/// `nn.Embedding(n, dim)` for categorical columns: the input holds category
/// codes 0..<n (as numbers), shape (batch) or (batch, k); the output is
/// (batch, dim) or (batch, k·dim) — the k embeddings side by side, ready for a
/// linear layer. Codes outside 0..<n are an error.
public final class Embedding<T: NNFloat>: Module<T> {
    public let categories: Int, dim: Int
    public let weight: Parameter<T>
    private var codes: [Int]?, inShape: [Int]?

    public init(_ categories: Int, _ dim: Int, rng: inout SeededRandom) {
        self.categories = categories; self.dim = dim
        weight = Parameter("weight", NNInit.normal([categories, dim], &rng))
    }

    public override var kind: String { "embedding" }
    public override var summary: String { "Embedding(\(categories), \(dim))" }
    public override var ownParameters: [Parameter<T>] { [weight] }
    public override var spec: LayerSpec { LayerSpec(kind, ints: ["categories": categories, "dim": dim]) }
    public override func outputShape(_ s: [Int]) throws -> [Int] {
        guard s.count == 1 || s.count == 2 else { throw NNError("\(summary) expects (batch) or (batch, k) codes, got \(s)") }
        return [s[0], (s.count == 2 ? s[1] : 1) * dim]
    }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> {
        let shape = try outputShape(x.shape)
        var idx = [Int](repeating: 0, count: x.count)
        for (i, v) in x.data.enumerated() {
            guard v.isFinite, v == v.rounded(), v >= 0, v < T(categories) else {
                throw NNError("\(summary): code \(Double(v)) at position \(i + 1) is not an integer in 0...\(categories - 1)")
            }
            idx[i] = Int(v)
        }
        var y = [T](repeating: 0, count: x.count * dim)
        for (i, c) in idx.enumerated() { for j in 0..<dim { y[i * dim + j] = weight.value.data[c * dim + j] } }
        if isTraining { codes = idx; inShape = x.shape }
        return Tensor(uncheckedShape: shape, data: y)
    }

    /// Codes are not differentiable: the returned input gradient is zero.
    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> {
        let idx = try ShapeCheck.cached(summary, codes)
        guard g.count == idx.count * dim else { throw NNError("\(summary): gradient size mismatch") }
        for (i, c) in idx.enumerated() { for j in 0..<dim { weight.grad.data[c * dim + j] += g.data[i * dim + j] } }
        return Tensor(zeros: inShape ?? [idx.count])
    }

    public override func clearCache() { codes = nil; inShape = nil }
}
