/// Mean over time: (batch, time, channels) → (batch, channels)
/// (`x.mean(dim=1)` in PyTorch).
public final class GlobalAvgPool<T: NNFloat>: Module<T> {
    private var inShape: [Int]?
    public override init() { super.init() }
    public override var kind: String { "global_avg_pool" }
    public override var spec: LayerSpec { LayerSpec(kind) }
    public override func outputShape(_ s: [Int]) throws -> [Int] {
        try ShapeCheck.rank("global_avg_pool", s, 3, "(batch, time, channels)"); return [s[0], s[2]]
    }
    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> {
        let os = try outputShape(x.shape)
        let n = x.shape[0], l = x.shape[1], c = x.shape[2]
        var y = [T](repeating: 0, count: n * c)
        for b in 0..<n { for t in 0..<l { for j in 0..<c { y[b * c + j] += x.data[(b * l + t) * c + j] } } }
        for i in y.indices { y[i] /= T(max(1, l)) }
        if isTraining { inShape = x.shape }
        return Tensor(uncheckedShape: os, data: y)
    }
    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> {
        let s = try ShapeCheck.cached(kind, inShape)
        try ShapeCheck.same(kind, [s[0], s[2]], g.shape)
        let n = s[0], l = s[1], c = s[2]
        var dx = [T](repeating: 0, count: n * l * c)
        for b in 0..<n { for t in 0..<l { for j in 0..<c { dx[(b * l + t) * c + j] = g.data[b * c + j] / T(l) } } }
        return Tensor(uncheckedShape: s, data: dx)
    }
    public override func clearCache() { inShape = nil }
}
