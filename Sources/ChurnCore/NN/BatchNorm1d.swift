/// `nn.BatchNorm1d(c)` over the last dimension (channels), statistics over
/// every other dimension (batch, and time for sequences laid out
/// (batch, time, channels)). Training normalises with the batch's mean and
/// biased variance and updates running estimates (momentum 0.1, unbiased
/// variance, as PyTorch); evaluation uses the running estimates.
public final class BatchNorm1d<T: NNFloat>: Module<T> {
    public let channels: Int, eps: Double, momentum: Double
    public let weight: Parameter<T>, bias: Parameter<T>
    /// Running statistics: saved with the network, not trained by gradients.
    public var runningMean: [T], runningVar: [T]
    private var xhat: [T]?, invStd: [T]?

    public init(_ channels: Int, eps: Double = 1e-5, momentum: Double = 0.1) {
        self.channels = channels; self.eps = eps; self.momentum = momentum
        weight = Parameter("weight", NNInit.constant([channels], 1)); bias = Parameter("bias", NNInit.constant([channels], 0))
        runningMean = [T](repeating: 0, count: channels); runningVar = [T](repeating: 1, count: channels)
    }

    public override var kind: String { "batch_norm" }
    public override var summary: String { "BatchNorm1d(\(channels))" }
    public override var ownParameters: [Parameter<T>] { [weight, bias] }
    public override var spec: LayerSpec { LayerSpec(kind, ints: ["channels": channels], reals: ["eps": eps, "momentum": momentum]) }
    public override func outputShape(_ s: [Int]) throws -> [Int] { try ShapeCheck.lastDim(summary, s, channels); return s }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> {
        _ = try outputShape(x.shape)
        let c = channels, rows = x.count / c
        var y = x
        let w = weight.value.data, b = bias.value.data
        if !isTraining {
            for r in 0..<rows { for j in 0..<c {
                let s = 1 / T.nnSqrt(runningVar[j] + T(eps))
                y.data[r * c + j] = (x.data[r * c + j] - runningMean[j]) * s * w[j] + b[j]
            } }
            return y
        }
        guard rows > 1 else { throw NNError("\(summary): training needs more than one value per channel") }
        var mean = [T](repeating: 0, count: c), v = [T](repeating: 0, count: c)
        for r in 0..<rows { for j in 0..<c { mean[j] += x.data[r * c + j] } }
        for j in 0..<c { mean[j] /= T(rows) }
        for r in 0..<rows { for j in 0..<c { let d = x.data[r * c + j] - mean[j]; v[j] += d * d } }
        var inv = [T](repeating: 0, count: c), xh = [T](repeating: 0, count: x.count)
        let mo = T(momentum)
        for j in 0..<c {
            let biased = v[j] / T(rows)
            inv[j] = 1 / T.nnSqrt(biased + T(eps))
            runningMean[j] = (1 - mo) * runningMean[j] + mo * mean[j]
            runningVar[j] = (1 - mo) * runningVar[j] + mo * v[j] / T(rows - 1)
        }
        for r in 0..<rows { for j in 0..<c {
            let h = (x.data[r * c + j] - mean[j]) * inv[j]; xh[r * c + j] = h; y.data[r * c + j] = h * w[j] + b[j]
        } }
        xhat = xh; invStd = inv
        return y
    }

    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> {
        let xh = try ShapeCheck.cached(summary, xhat), inv = try ShapeCheck.cached(summary, invStd)
        guard g.count == xh.count else { throw NNError("\(summary): gradient size mismatch") }
        let c = channels, rows = g.count / c, n = T(rows), w = weight.value.data
        var s1 = [T](repeating: 0, count: c), s2 = [T](repeating: 0, count: c)
        for r in 0..<rows { for j in 0..<c { let gj = g.data[r * c + j]; s1[j] += gj; s2[j] += gj * xh[r * c + j] } }
        for j in 0..<c { weight.grad.data[j] += s2[j]; bias.grad.data[j] += s1[j] }
        var dx = g
        for r in 0..<rows { for j in 0..<c {
            let i = r * c + j
            dx.data[i] = w[j] * inv[j] * (g.data[i] - s1[j] / n - xh[i] * s2[j] / n)
        } }
        return dx
    }

    public override func clearCache() { xhat = nil; invStd = nil }
}
