/// `nn.Linear(in, out)`: y = x·Wᵀ + b over the last dimension (any leading
/// dimensions are batch). W is stored as PyTorch stores it, (out, in).
public final class Linear<T: NNFloat>: Module<T> {
    public let inFeatures: Int, outFeatures: Int
    public let weight: Parameter<T>, bias: Parameter<T>?
    private var input: Tensor<T>?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout SeededRandom) {
        self.inFeatures = inFeatures; self.outFeatures = outFeatures
        let bound = 1 / Double(inFeatures).squareRoot()
        weight = Parameter("weight", NNInit.uniform([outFeatures, inFeatures], bound: bound, &rng))
        self.bias = bias ? Parameter("bias", NNInit.uniform([outFeatures], bound: bound, &rng)) : nil
    }

    public override var kind: String { "linear" }
    public override var summary: String { "Linear(\(inFeatures) → \(outFeatures))" }
    public override var ownParameters: [Parameter<T>] { [weight] + (bias.map { [$0] } ?? []) }
    public override var spec: LayerSpec {
        LayerSpec(kind, ints: ["in": inFeatures, "out": outFeatures], flags: ["bias": bias != nil])
    }
    public override func outputShape(_ s: [Int]) throws -> [Int] {
        try ShapeCheck.lastDim(summary, s, inFeatures); return s.dropLast() + [outFeatures]
    }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> {
        let outShape = try outputShape(x.shape)
        let m = x.count / inFeatures
        // With a bias every row starts as the bias (written in full), else 0.
        var y = bias == nil ? [T](repeating: 0, count: m * outFeatures)
            : [T](unsafeUninitializedCapacity: m * outFeatures) { _, done in done = m * outFeatures }
        if let bias { bias.value.data.withPtr { b in y.withMutPtr { MatMul.fillRows(m, outFeatures, b, $0, outFeatures) } } }
        x.data.withPtr { xp in weight.value.data.withPtr { wp in y.withMutPtr { yp in
            MatMul.rows(transB: true, m, outFeatures, inFeatures, xp, inFeatures, wp, inFeatures,
                        beta: bias == nil ? 0 : 1, yp, outFeatures, threads: threads)
        } } }
        if isTraining { input = x }
        return Tensor(uncheckedShape: outShape, data: y)
    }

    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> {
        let x = try parameterGradients(g)
        let m = x.count / inFeatures
        // dx = g·W
        var dx = [T](repeating: 0, count: x.count)
        g.data.withPtr { gp in weight.value.data.withPtr { wp in dx.withMutPtr { dp in
            MatMul.rows(m, inFeatures, outFeatures, gp, outFeatures, wp, inFeatures, beta: 0, dp, inFeatures, threads: threads)
        } } }
        return Tensor(uncheckedShape: x.shape, data: dx)
    }

    @_specialize(exported: false, where T == Float)
    public override func accumulateGradients(_ g: Tensor<T>) throws { _ = try parameterGradients(g) }

    /// dW (out×in) += gᵀ·x ; db += column sums of g. Returns the kept input x.
    @_specialize(exported: false, where T == Float)
    private func parameterGradients(_ g: Tensor<T>) throws -> Tensor<T> {
        let x = try ShapeCheck.cached(summary, input)
        try ShapeCheck.same(summary, try outputShape(x.shape), g.shape)
        let m = x.count / inFeatures
        g.data.withPtr { gp in x.data.withPtr { xp in weight.grad.data.withMutPtr { dw in
            MatMul.transposedA(m, outFeatures, inFeatures, gp, outFeatures, xp, inFeatures, beta: 1, dw, inFeatures, threads: threads)
        } } }
        if let bias { g.data.withPtr { gp in bias.grad.data.withMutPtr { MatMul.addColumnSums(m, outFeatures, gp, outFeatures, $0) } } }
        return x
    }

    public override func clearCache() { input = nil }
}
