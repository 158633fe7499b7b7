/// `nn.Sequential`: layers applied in order; backward runs them in reverse.
/// A network whose first stage is a `Concat` takes a second, static input:
/// `forward(x, side:)` hands it to the concat layers before the pass.
public final class Sequential<T: NNFloat>: Module<T> {
    public private(set) var layers: [Module<T>] = []
    /// Positions of the recurrent layers the last training `forward` ran
    /// together with the `last_step` after them (`backward` does the same).
    private var fusedLastStep: Set<Int> = []

    public override init() { super.init() }
    public init(_ layers: [Module<T>]) { self.layers = layers; super.init() }

    public func add(_ m: Module<T>) {
        m.train(isTraining); m.setThreads(threads); layers.append(m)
    }

    public override var kind: String { "sequential" }
    public override var summary: String { "Sequential(" + layers.map(\.summary).joined(separator: " → ") + ")" }
    public override var children: [Module<T>] { layers }
    public override var spec: LayerSpec { LayerSpec(kind, children: layers.map(\.spec)) }

    public override func outputShape(_ s: [Int]) throws -> [Int] {
        try layers.reduce(s) { try $1.outputShape($0) }
    }
    /// The output shape for a sequence input and a static input.
    public func outputShape(_ s: [Int], side: [Int]?) throws -> [Int] {
        var shape = s
        for m in layers { shape = try (m as? Concat<T>).map { try $0.outputShape(shape, side: side) } ?? m.outputShape(shape) }
        return shape
    }

    /// True when some layer takes the static (side) input.
    public var takesSideInput: Bool { layers.contains { $0 is Concat<T> } }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> { try forward(x, side: nil) }

    /// A recurrent layer followed by `last_step` runs as one pass that keeps
    /// only the last position (`Recurrent.forwardLastStep`: the same values
    /// without the whole output sequence — in training its memset, page faults
    /// and zero gradient, ~6 MB a batch for an LSTM of hidden 64 over 90 days).
    @_specialize(exported: false, where T == Float)
    public func forward(_ x: Tensor<T>, side: Tensor<T>?) throws -> Tensor<T> {
        var h = x
        var i = 0
        var fused: Set<Int> = []
        while i < layers.count {
            let m = layers[i]
            if let c = m as? Concat<T> {
                h = try c.forward(h, side: side)
            } else if let r = m as? Recurrent<T>, i + 1 < layers.count, layers[i + 1] is LastStep<T> {
                h = try r.forwardLastStep(h)
                if r.isTraining { fused.insert(i) }
                i += 1
            } else {
                h = try m.forward(h)
            }
            i += 1
        }
        // Evaluation writes no state (predictions may run on several threads at once).
        if isTraining { fusedLastStep = fused }
        return h
    }

    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> { try backwardPass(g, inputGradient: true) ?? g }

    /// The parameters' gradients without the input gradient (the trainer's
    /// backward pass): the first layer skips its input-gradient product.
    @_specialize(exported: false, where T == Float)
    public override func accumulateGradients(_ g: Tensor<T>) throws { _ = try backwardPass(g, inputGradient: false) }

    /// The layers backward, the fused recurrent → last_step pairs of the last
    /// forward as one; nil when `inputGradient` is false.
    @_specialize(exported: false, where T == Float)
    private func backwardPass(_ g: Tensor<T>, inputGradient: Bool) throws -> Tensor<T>? {
        var d = g
        var i = layers.count - 1
        while i >= 0 {
            if i >= 1, fusedLastStep.contains(i - 1), let r = layers[i - 1] as? Recurrent<T> {
                d = try r.backwardLastStep(d); i -= 2
            } else if i == 0 && !inputGradient {
                try layers[0].accumulateGradients(d); return nil
            } else {
                d = try layers[i].backward(d); i -= 1
            }
        }
        return inputGradient ? d : nil
    }

    public override func clearCache() { fusedLastStep = []; super.clearCache() }
}
