/// Builds a layer from its `LayerSpec` (decoding a saved network), checking
/// every size against `NNLimits` so a hostile file cannot ask for absurd
/// allocations. Weights are drawn from `rng` and then overwritten by the saved
/// values.
enum LayerFactory {
    static func make(_ s: LayerSpec, rng: inout SeededRandom) throws -> Module<Float> {
        let size = 1...NNLimits.maxWidth
        switch s.kind {
        case "sequential":
            return Sequential(try s.children.map { try make($0, rng: &rng) })
        case "concat":
            guard (1...2).contains(s.children.count) else { throw NNError("concat: expected 1 or 2 branches") }
            let branches = try s.children.map { c -> Sequential<Float> in
                guard let q = try make(c, rng: &rng) as? Sequential<Float> else { throw NNError("concat: branches must be sequential") }
                return q
            }
            return Concat(sequence: branches[0], staticBranch: branches.count > 1 ? branches[1] : nil)
        case "linear": return Linear(try s.int("in", in: size), try s.int("out", in: size), bias: s.flag("bias"), rng: &rng)
        case "embedding": return Embedding(try s.int("categories", in: 1...NNLimits.maxCategories), try s.int("dim", in: size), rng: &rng)
        case "relu": return ReLU()
        case "gelu": return GELU()
        case "tanh": return Tanh()
        case "sigmoid": return Sigmoid()
        case "dropout": return try Dropout(try s.real("p", in: 0...0.999), seed: UInt64(truncatingIfNeeded: s.ints["seed"] ?? 0))
        case "layer_norm": return LayerNorm(try s.int("size", in: size), eps: try s.real("eps", in: 1e-12...1))
        case "batch_norm":
            return BatchNorm1d(try s.int("channels", in: size), eps: try s.real("eps", in: 1e-12...1), momentum: try s.real("momentum", in: 0...1))
        case "gru", "lstm":
            let i = try s.int("in", in: size), h = try s.int("hidden", in: size), l = try s.int("layers", in: 1...NNLimits.maxLayers)
            return s.kind == "gru" ? try GRU(i, h, layers: l, bidirectional: s.flag("bidirectional"), rng: &rng)
                                   : try LSTM(i, h, layers: l, bidirectional: s.flag("bidirectional"), rng: &rng)
        case "conv1d":
            let k = try s.int("kernel", in: 1...NNLimits.maxKernel)
            return try Conv1d(try s.int("in", in: size), try s.int("out", in: size), kernel: k,
                              stride: try s.int("stride", in: 1...NNLimits.maxKernel), padding: try s.int("padding", in: 0...(k - 1)), rng: &rng)
        case "max_pool1d":
            return try MaxPool1d(try s.int("kernel", in: 1...NNLimits.maxKernel), stride: try s.int("stride", in: 1...NNLimits.maxKernel))
        case "global_avg_pool": return GlobalAvgPool()
        case "last_step": return LastStep()
        default: throw NNError("unknown layer kind '\(s.kind)'")
        }
    }
}

/// Size limits of layers (options and decoded files).
public enum NNLimits {
    public static let maxWidth = 65_536
    public static let maxCategories = 10_000_000
    public static let maxLayers = 16
    public static let maxKernel = 4096
}

extension Module where T == Float {
    /// Redraws every weight from `seed` (the layers' init schemes), as if the
    /// network had been built fresh with that seed; norm statistics reset.
    public func reinitialize(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let fresh = try LayerFactory.make(spec, rng: &rng)
        for (p, q) in zip(parameters, fresh.parameters) { p.value = q.value }
        for bn in Network.batchNorms(in: self) {
            bn.runningMean = [Float](repeating: 0, count: bn.channels); bn.runningVar = [Float](repeating: 1, count: bn.channels)
        }
    }
}
