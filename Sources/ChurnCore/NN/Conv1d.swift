/// `nn.Conv1d(in, out, kernel, stride, padding)` along time on sequences laid
/// out (batch, time, channels) — PyTorch's input is (batch, channels, time);
/// the values are the same, transposed. Weight (out, in, kernel) as PyTorch.
/// Computed as im2col + one matrix product (`MatMul`, OpenBLAS).
public final class Conv1d<T: NNFloat>: Module<T> {
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int
    public let weight: Parameter<T>, bias: Parameter<T>
    private var patches: [T]?, inShape: [Int]?

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                rng: inout SeededRandom) throws {
        guard kernel >= 1, stride >= 1, padding >= 0, padding < kernel else {
            throw NNError("conv1d: need kernel ≥ 1, stride ≥ 1, 0 ≤ padding < kernel")
        }
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernel = kernel; self.stride = stride; self.padding = padding
        let bound = 1 / Double(inChannels * kernel).squareRoot()
        weight = Parameter("weight", NNInit.uniform([outChannels, inChannels, kernel], bound: bound, &rng))
        bias = Parameter("bias", NNInit.uniform([outChannels], bound: bound, &rng))
    }

    public override var kind: String { "conv1d" }
    public override var summary: String { "Conv1d(\(inChannels) → \(outChannels), kernel \(kernel))" }
    public override var ownParameters: [Parameter<T>] { [weight, bias] }
    public override var spec: LayerSpec {
        LayerSpec(kind, ints: ["in": inChannels, "out": outChannels, "kernel": kernel, "stride": stride, "padding": padding])
    }
    public override func outputShape(_ s: [Int]) throws -> [Int] {
        try ShapeCheck.rank(summary, s, 3, "(batch, time, channels)")
        try ShapeCheck.lastDim(summary, s, inChannels)
        let lout = (s[1] + 2 * padding - kernel) / stride + 1
        guard s[1] + 2 * padding >= kernel else { throw NNError("\(summary): sequence of \(s[1]) steps is shorter than the kernel") }
        return [s[0], lout, outChannels]
    }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> {
        let os = try outputShape(x.shape)
        let n = x.shape[0], l = x.shape[1], lout = os[1], pk = inChannels * kernel
        let rows = n * lout
        var cols = [T](repeating: 0, count: rows * pk)
        for b in 0..<n { for t in 0..<lout { let r = (b * lout + t) * pk
            for kk in 0..<kernel {
                let src = t * stride - padding + kk
                guard src >= 0, src < l else { continue }
                for ci in 0..<inChannels { cols[r + ci * kernel + kk] = x.data[(b * l + src) * inChannels + ci] }
            }
        } }
        var y = [T](repeating: 0, count: rows * outChannels)
        bias.value.data.withPtr { b in y.withMutPtr { MatMul.fillRows(rows, outChannels, b, $0, outChannels) } }
        cols.withPtr { cp in weight.value.data.withPtr { wp in y.withMutPtr { yp in
            MatMul.rows(transB: true, rows, outChannels, pk, cp, pk, wp, pk, beta: 1, yp, outChannels, threads: threads)
        } } }
        if isTraining { patches = cols; inShape = x.shape }
        return Tensor(uncheckedShape: os, data: y)
    }

    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> {
        let cols = try ShapeCheck.cached(summary, patches), s = try ShapeCheck.cached(summary, inShape)
        try ShapeCheck.same(summary, try outputShape(s), g.shape)
        let n = s[0], l = s[1], lout = g.shape[1], pk = inChannels * kernel, rows = n * lout
        g.data.withPtr { gp in cols.withPtr { cp in weight.grad.data.withMutPtr { dw in
            MatMul.transposedA(rows, outChannels, pk, gp, outChannels, cp, pk, beta: 1, dw, pk, threads: threads)
        } } }
        g.data.withPtr { gp in bias.grad.data.withMutPtr { MatMul.addColumnSums(rows, outChannels, gp, outChannels, $0) } }
        var dcols = [T](repeating: 0, count: rows * pk)
        g.data.withPtr { gp in weight.value.data.withPtr { wp in dcols.withMutPtr { dp in
            MatMul.rows(rows, pk, outChannels, gp, outChannels, wp, pk, beta: 0, dp, pk, threads: threads)
        } } }
        var dx = [T](repeating: 0, count: n * l * inChannels)
        for b in 0..<n { for t in 0..<lout { let r = (b * lout + t) * pk
            for kk in 0..<kernel {
                let src = t * stride - padding + kk
                guard src >= 0, src < l else { continue }
                for ci in 0..<inChannels { dx[(b * l + src) * inChannels + ci] += dcols[r + ci * kernel + kk] }
            }
        } }
        return Tensor(uncheckedShape: s, data: dx)
    }

    public override func clearCache() { patches = nil; inShape = nil }
}
