/// `nn.MaxPool1d(kernel, stride = kernel)` along time on (batch, time,
/// channels); the gradient goes to the first maximum of each window.
public final class MaxPool1d<T: NNFloat>: Module<T> {
    public let kernel: Int, stride: Int
    private var argmax: [Int]?, inShape: [Int]?

    public init(_ kernel: Int, stride: Int? = nil) throws {
        guard kernel >= 1, (stride ?? kernel) >= 1 else { throw NNError("max_pool1d: kernel and stride must be ≥ 1") }
        self.kernel = kernel; self.stride = stride ?? kernel
    }

    public override var kind: String { "max_pool1d" }
    public override var summary: String { "MaxPool1d(\(kernel))" }
    public override var spec: LayerSpec { LayerSpec(kind, ints: ["kernel": kernel, "stride": stride]) }
    public override func outputShape(_ s: [Int]) throws -> [Int] {
        try ShapeCheck.rank(summary, s, 3, "(batch, time, channels)")
        guard s[1] >= kernel else { throw NNError("\(summary): sequence of \(s[1]) steps is shorter than the kernel") }
        return [s[0], (s[1] - kernel) / stride + 1, s[2]]
    }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> {
        let os = try outputShape(x.shape)
        let n = x.shape[0], l = x.shape[1], c = x.shape[2], lout = os[1]
        var y = [T](repeating: 0, count: n * lout * c), am = [Int](repeating: 0, count: y.count)
        for b in 0..<n { for t in 0..<lout { for j in 0..<c {
            var best = (b * l + t * stride) * c + j
            for kk in 1..<max(1, kernel) {
                let i = (b * l + t * stride + kk) * c + j
                if x.data[i] > x.data[best] || x.data[best].isNaN { best = i }
            }
            let o = (b * lout + t) * c + j
            y[o] = x.data[best]; am[o] = best
        } } }
        if isTraining { argmax = am; inShape = x.shape }
        return Tensor(uncheckedShape: os, data: y)
    }

    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> {
        let am = try ShapeCheck.cached(summary, argmax), s = try ShapeCheck.cached(summary, inShape)
        guard g.count == am.count else { throw NNError("\(summary): gradient size mismatch") }
        var dx = [T](repeating: 0, count: s.reduce(1, *))
        for (o, i) in am.enumerated() { dx[i] += g.data[o] }
        return Tensor(uncheckedShape: s, data: dx)
    }

    public override func clearCache() { argmax = nil; inShape = nil }
}
