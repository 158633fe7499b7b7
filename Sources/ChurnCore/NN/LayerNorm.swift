/// `nn.LayerNorm(n)`: normalises each vector over the last dimension to mean
/// 0 and variance 1 (biased variance, eps inside the root), then scales by
/// `weight` and shifts by `bias`.
public final class LayerNorm<T: NNFloat>: Module<T> {
    public let size: Int, eps: Double
    public let weight: Parameter<T>, bias: Parameter<T>
    private var xhat: [T]?, invStd: [T]?

    public init(_ size: Int, eps: Double = 1e-5) {
        self.size = size; self.eps = eps
        weight = Parameter("weight", NNInit.constant([size], 1)); bias = Parameter("bias", NNInit.constant([size], 0))
    }

    public override var kind: String { "layer_norm" }
    public override var summary: String { "LayerNorm(\(size))" }
    public override var ownParameters: [Parameter<T>] { [weight, bias] }
    public override var spec: LayerSpec { LayerSpec(kind, ints: ["size": size], reals: ["eps": eps]) }
    public override func outputShape(_ s: [Int]) throws -> [Int] { try ShapeCheck.lastDim(summary, s, size); return s }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> {
        _ = try outputShape(x.shape)
        let rows = x.count / size, n = T(size)
        var y = x, xh = [T](repeating: 0, count: x.count), inv = [T](repeating: 0, count: rows)
        let w = weight.value.data, b = bias.value.data
        for r in 0..<rows {
            let o = r * size
            var mean: T = 0; for j in 0..<size { mean += x.data[o + j] }; mean /= n
            var v: T = 0; for j in 0..<size { let d = x.data[o + j] - mean; v += d * d }; v /= n
            let s = 1 / T.nnSqrt(v + T(eps)); inv[r] = s
            for j in 0..<size { let h = (x.data[o + j] - mean) * s; xh[o + j] = h; y.data[o + j] = h * w[j] + b[j] }
        }
        if isTraining { xhat = xh; invStd = inv }
        return y
    }

    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> {
        let xh = try ShapeCheck.cached(summary, xhat), inv = try ShapeCheck.cached(summary, invStd)
        guard g.count == xh.count else { throw NNError("\(summary): gradient size mismatch") }
        let rows = inv.count, n = T(size), w = weight.value.data
        var dx = g
        for r in 0..<rows {
            let o = r * size
            var s1: T = 0, s2: T = 0
            for j in 0..<size {
                let gj = g.data[o + j]
                weight.grad.data[j] += gj * xh[o + j]; bias.grad.data[j] += gj
                let d = gj * w[j]; s1 += d; s2 += d * xh[o + j]
            }
            for j in 0..<size {
                let d = g.data[o + j] * w[j]
                dx.data[o + j] = inv[r] * (d - s1 / n - xh[o + j] * s2 / n)
            }
        }
        return dx
    }

    public override func clearCache() { xhat = nil; invStd = nil }
}
