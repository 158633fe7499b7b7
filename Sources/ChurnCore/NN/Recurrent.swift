/// Stacked, optionally bidirectional recurrent layers (`nn.GRU` / `nn.LSTM`
/// with `batch_first=True`): (batch, time, input) → (batch, time, hidden ·
/// directions). Layer k > 0 reads the previous layer's outputs, both
/// directions side by side (forward first, as PyTorch). Initial states are 0.
public class Recurrent<T: NNFloat>: Module<T> {
    public let cell: RecurrentCell
    public let inputSize: Int, hidden: Int, numLayers: Int, bidirectional: Bool
    let stack: [[RecurrentDirection<T>]]

    init(_ cell: RecurrentCell, _ inputSize: Int, _ hidden: Int, layers: Int, bidirectional: Bool,
         rng: inout SeededRandom) throws {
        guard inputSize >= 1, hidden >= 1, layers >= 1 else { throw NNError("\(cell.rawValue): sizes must be ≥ 1") }
        self.cell = cell; self.inputSize = inputSize; self.hidden = hidden
        self.numLayers = layers; self.bidirectional = bidirectional
        var s: [[RecurrentDirection<T>]] = []
        for k in 0..<layers {
            let inSize = k == 0 ? inputSize : hidden * (bidirectional ? 2 : 1)
            var dirs = [RecurrentDirection<T>(cell, inputSize: inSize, hidden: hidden, reverse: false, suffix: "l\(k)", rng: &rng)]
            if bidirectional {
                dirs.append(RecurrentDirection<T>(cell, inputSize: inSize, hidden: hidden, reverse: true, suffix: "l\(k)_reverse", rng: &rng))
            }
            s.append(dirs)
        }
        stack = s
    }

    public override var kind: String { cell.rawValue }
    public override var summary: String {
        "\(cell.rawValue.uppercased())(\(inputSize) → \(hidden)\(numLayers > 1 ? ", \(numLayers) layers" : "")\(bidirectional ? ", bidirectional" : ""))"
    }
    /// PyTorch's parameter order: per layer, per direction, W_ih, W_hh, b_ih, b_hh.
    public override var ownParameters: [Parameter<T>] { stack.flatMap { $0.flatMap(\.parameters) } }
    public override var spec: LayerSpec {
        LayerSpec(kind, ints: ["in": inputSize, "hidden": hidden, "layers": numLayers], flags: ["bidirectional": bidirectional])
    }
    public override func outputShape(_ s: [Int]) throws -> [Int] {
        try ShapeCheck.rank(summary, s, 3, "(batch, time, channels)")
        try ShapeCheck.lastDim(summary, s, inputSize)
        return [s[0], s[1], hidden * (bidirectional ? 2 : 1)]
    }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> {
        _ = try outputShape(x.shape)
        return try forwardStack(x, lastOnly: false)
    }

    /// This layer followed by `last_step` in one pass: (batch, time, channels)
    /// → (batch, hidden · directions), the same bits as `forward` then
    /// `LastStep`; the top layer writes only its output at the last position
    /// (see `RecurrentDirection.forward`). In training, `backwardLastStep`
    /// takes the gradient of that output. `Sequential` runs a recurrent layer
    /// followed by `last_step` this way.
    @_specialize(exported: false, where T == Float)
    public func forwardLastStep(_ x: Tensor<T>) throws -> Tensor<T> {
        let s = try outputShape(x.shape)
        guard s[1] >= 1 else { throw NNError("last_step: the sequence has no time steps") }
        return try forwardStack(x, lastOnly: true)
    }

    @_specialize(exported: false, where T == Float)
    private func forwardStack(_ x: Tensor<T>, lastOnly: Bool) throws -> Tensor<T> {
        var h = x
        for (k, dirs) in stack.enumerated() {
            let top = lastOnly && k == stack.count - 1
            let outs = try dirs.map { try $0.forward(h, training: isTraining, threads: threads, lastOnly: top) }
            h = outs.count == 1 ? outs[0] : Recurrent.joinLast(outs[0], outs[1])
        }
        return h
    }

    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> { try backwardStack(g, lastOnly: false) }

    /// The backward pass of `forwardLastStep` (training): g is (batch,
    /// hidden · directions), the gradient of the last position only — the
    /// same bits as `backward` of a sequence gradient that is zero elsewhere,
    /// without building it.
    @_specialize(exported: false, where T == Float)
    public func backwardLastStep(_ g: Tensor<T>) throws -> Tensor<T> { try backwardStack(g, lastOnly: true) }

    @_specialize(exported: false, where T == Float)
    private func backwardStack(_ g: Tensor<T>, lastOnly: Bool) throws -> Tensor<T> {
        var d = g
        for (k, dirs) in stack.enumerated().reversed() {
            let top = lastOnly && k == stack.count - 1
            if dirs.count == 1 { d = try dirs[0].backward(d, threads: threads, lastOnly: top); continue }
            let (a, b) = Recurrent.splitLast(d, hidden)
            var dx = try dirs[0].backward(a, threads: threads, lastOnly: top)
            let db = try dirs[1].backward(b, threads: threads, lastOnly: top)
            for i in dx.data.indices { dx.data[i] += db.data[i] }
            d = dx
        }
        return d
    }

    public override func clearCache() { stack.forEach { $0.forEach { $0.clearCache() } } }

    @_specialize(exported: false, where T == Float)
    static func joinLast(_ a: Tensor<T>, _ b: Tensor<T>) -> Tensor<T> {
        let wa = a.shape.last!, wb = b.shape.last!, rows = a.count / wa
        var y = [T](repeating: 0, count: rows * (wa + wb))
        for r in 0..<rows {
            for j in 0..<wa { y[r * (wa + wb) + j] = a.data[r * wa + j] }
            for j in 0..<wb { y[r * (wa + wb) + wa + j] = b.data[r * wb + j] }
        }
        return Tensor(uncheckedShape: Array(a.shape.dropLast()) + [wa + wb], data: y)
    }

    @_specialize(exported: false, where T == Float)
    static func splitLast(_ g: Tensor<T>, _ wa: Int) -> (Tensor<T>, Tensor<T>) {
        let w = g.shape.last!, wb = w - wa, rows = g.count / w
        var a = [T](repeating: 0, count: rows * wa), b = [T](repeating: 0, count: rows * wb)
        for r in 0..<rows {
            for j in 0..<wa { a[r * wa + j] = g.data[r * w + j] }
            for j in 0..<wb { b[r * wb + j] = g.data[r * w + wa + j] }
        }
        let lead = Array(g.shape.dropLast())
        return (Tensor(uncheckedShape: lead + [wa], data: a), Tensor(uncheckedShape: lead + [wb], data: b))
    }
}
