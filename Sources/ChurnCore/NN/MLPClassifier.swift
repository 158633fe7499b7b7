import ExecutionControl
import Foundation

/// Options of `cl.model.mlp` (the multilayer perceptron under the common model interface).
public struct MLPOptions: Sendable, Equatable, Codable {
    public enum Activation: String, Sendable, Codable, CaseIterable { case relu, tanh, gelu }

    /// Widths of the hidden layers, input side first (empty: a logistic regression on the inputs).
    public var hidden: [Int] = [64, 32]
    public var activation: Activation = .relu
    /// Dropout probability after each hidden activation (0: none).
    public var dropout = 0.0
    public var epochs = 20
    public var batchSize = 256
    public var learningRate = 1e-3
    /// L2 penalty added to the gradient (adam) or decoupled decay (adamw).
    public var weightDecay = 0.0
    /// "adam" or "adamw".
    public var optimizer = "adam"
    /// Stop after this many epochs without improvement of the eval AUC (with an
    /// eval set) or of the training loss (without), keeping the best epoch's weights.
    public var earlyStoppingRounds: Int?
    public var seed: UInt64 = GlobalSeed.value

    public init() {}

    /// Limits shared with the binding (stated in its help text).
    public enum Limits {
        public static let layers = 0...NNLimits.maxLayers
        public static let width = 1...NNLimits.maxWidth
        public static let dropout = 0.0...0.95
        public static let epochs = 1...100_000
        public static let batchSize = 1...(1 << 31)
        public static let learningRate = 0.0...1.0   // open at 0
    }

    public func validate() throws {
        guard Limits.layers.contains(hidden.count) else { throw NNError("mlp: hidden must list 0…\(NNLimits.maxLayers) layer widths, got \(hidden.count)") }
        for h in hidden where !Limits.width.contains(h) { throw NNError("mlp: hidden layer widths must be in 1…\(NNLimits.maxWidth), got \(h)") }
        guard dropout.isFinite, Limits.dropout.contains(dropout) else { throw NNError("mlp: dropout must be in [0, 0.95], got \(dropout)") }
        guard Limits.epochs.contains(epochs) else { throw NNError("mlp: epochs must be in 1…100000, got \(epochs)") }
        guard Limits.batchSize.contains(batchSize) else { throw NNError("mlp: batch_size must be in 1…2^31, got \(batchSize)") }
        guard learningRate.isFinite, learningRate > 0, learningRate <= 1 else { throw NNError("mlp: learning_rate must be in (0, 1], got \(learningRate)") }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw NNError("mlp: weight_decay must be a finite number >= 0, got \(weightDecay)") }
        guard optimizer == "adam" || optimizer == "adamw" else { throw NNError("mlp: optimizer must be 'adam' or 'adamw', got '\(optimizer)'") }
        if let r = earlyStoppingRounds, !Limits.epochs.contains(r) { throw NNError("mlp: early_stopping_rounds must be in 1…100000, got \(r)") }
    }

    /// Every option by its Lua name (what `m:params()` shows).
    public var parameterSet: ParamSet {
        var p: ParamSet = ["hidden": .string(hidden.map(String.init).joined(separator: ", ")), "activation": .string(activation.rawValue),
                           "dropout": .double(dropout), "epochs": .int(epochs), "batch_size": .int(batchSize),
                           "learning_rate": .double(learningRate), "weight_decay": .double(weightDecay),
                           "optimizer": .string(optimizer), "seed": .int(Int(truncatingIfNeeded: seed))]
        if let r = earlyStoppingRounds { p["early_stopping_rounds"] = .int(r) }
        return p
    }
}

// A plain value type (specs, names, shapes, Float arrays); declared here so the model payload is Sendable.
extension NetworkFile: @unchecked Sendable {}

/// A multilayer perceptron classifier on a feature matrix (`cl.model.mlp`):
/// numeric features standardised with the training means and SDs (missing or
/// non-finite → the mean, i.e. 0), categorical features one-hot over their
/// fit-time levels (missing or unseen → all zeros), then
/// `Linear → activation [→ Dropout]` per hidden layer and `Linear(…, 1)` to one
/// logit, trained by `Trainer` with binary cross-entropy and Adam. The network
/// is saved as a `NetworkFile` inside the model file; a run is bit-identical for
/// a seed and thread count.
public struct MLPClassifier: ChurnModel {
    public static let kind = "mlp"
    public static var usesEvalSet: Bool { true }

    /// One input feature: numeric (mean and scale) or categorical (levels).
    public struct Input: Codable, Sendable, Equatable {
        public var name: String
        public var mean: Double?
        public var scale: Double?
        public var levels: [String]?
        /// Columns of the network input this feature fills.
        var width: Int { levels?.count ?? 1 }
    }

    public let inputs: [Input]
    public let options: MLPOptions
    public let network: NetworkFile
    /// 1-based epoch whose weights the model holds (the best under early stopping, else the last).
    public let bestEpoch: Int

    public var history: [EpochRecord] { network.history }
    var inputWidth: Int { inputs.reduce(0) { $0 + $1.width } }

    public static func checkOptions(_ options: MLPOptions) throws { try options.validate() }

    public static func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]?, eval: EvalSet?,
                           options o: MLPOptions, progress: ProgressCallback?) throws -> MLPClassifier {
        try o.validate()
        if let w = weights, let w0 = w.first, w.contains(where: { $0 != w0 }) {
            throw NNError("mlp: sample weights are not supported (fit without weights =)")
        }
        guard X.nrow == y.count else { throw NNError("mlp: \(X.nrow) rows but \(y.count) targets") }
        guard X.nrow > 0 else { throw NNError("mlp: no training rows") }
        let inputs = try X.features.enumerated().map { j, f in try fitInput(X.names[j], f) }
        let width = inputs.reduce(0) { $0 + $1.width }
        guard (1...NNLimits.maxWidth).contains(width) else {
            throw NNError("mlp: the features give \(width) network inputs (numeric + one per categorical level), must be 1…\(NNLimits.maxWidth)")
        }

        var rng = SeededRandom(seed: o.seed)
        let body = Sequential<Float>()
        var fanIn = width
        for h in o.hidden {
            body.add(Linear(fanIn, h, rng: &rng))
            switch o.activation {
            case .relu: body.add(ReLU())
            case .tanh: body.add(Tanh())
            case .gelu: body.add(GELU())
            }
            if o.dropout > 0 { body.add(try Dropout(o.dropout, seed: rng.next())) }
            fanIn = h
        }
        body.add(Linear(fanIn, 1, rng: &rng))
        let net = try Network(body, rowShape: [width], sideWidth: nil)

        let train = try TrainingSet(x: try encode(inputs, X), y: y.map(Float.init))
        let evalSet = try eval.map { e -> TrainingSet in
            guard e.X.nrow == e.y.count else { throw NNError("mlp: eval set has \(e.X.nrow) rows but \(e.y.count) targets") }
            return try TrainingSet(x: try encode(inputs, e.X), y: e.y.map(Float.init))
        }
        let (_, best) = try Trainer.fitModelKind(net, train: train, eval: evalSet, epochs: o.epochs, batchSize: o.batchSize, seed: o.seed,
                                                 optimizer: OptimizerSpec(kind: o.optimizer, lr: o.learningRate, weightDecay: o.weightDecay),
                                                 earlyStoppingRounds: o.earlyStoppingRounds, progress: progress)
        return MLPClassifier(inputs: inputs, options: o, network: NetworkFile(net), bestEpoch: best)
    }

    static func fitInput(_ name: String, _ f: FeatureValues) throws -> Input {
        switch f {
        case .categorical(_, let levels):
            return Input(name: name, mean: nil, scale: nil, levels: levels)
        case .numeric(let v):
            var n = 0.0, mean = 0.0, m2 = 0.0
            for x in v where x.isFinite {        // Welford: stable for large offsets
                n += 1
                let d = x - mean
                mean += d / n
                m2 += d * (x - mean)
            }
            let sd = n > 0 ? (m2 / n).squareRoot() : 0
            guard mean.isFinite, sd.isFinite else { throw NNError("mlp: feature '\(name)' is too large to standardise") }
            return Input(name: name, mean: mean, scale: sd > 0 ? sd : 1, levels: nil)
        }
    }

    /// The network input for `X`: standardised numerics (missing → 0), one-hot categoricals.
    static func encode(_ inputs: [Input], _ X: FeatureMatrix) throws -> Tensor<Float> {
        guard X.features.count == inputs.count else {
            throw NNError("mlp: the model has \(inputs.count) features, the data \(X.features.count)")
        }
        let n = X.nrow, width = inputs.reduce(0) { $0 + $1.width }
        try ExecutionContext.checkMemory(Tensor<Float>.bytes(n * width), for: "mlp inputs")
        var data = [Float](repeating: 0, count: n * width)
        var col = 0
        data.withUnsafeMutableBufferPointer { d in
            for (inp, f) in zip(inputs, X.features) {
                switch f {
                case .numeric(let v):
                    let m = inp.mean ?? 0, s = inp.scale ?? 1
                    for r in 0..<n where v[r].isFinite {
                        d[r * width + col] = Float(min(max((v[r] - m) / s, -1e30), 1e30))
                    }
                case .categorical(let codes, _):
                    let k = inp.levels?.count ?? 0
                    for r in 0..<n { let c = Int(codes[r]); if c >= 0 && c < k { d[r * width + col + c] = 1 } }
                }
                col += inp.width
            }
        }
        for (inp, f) in zip(inputs, X.features) {
            switch (f, inp.levels) {
            case (.numeric, nil), (.categorical, _?): continue
            default: throw NNError("mlp: feature '\(inp.name)' was \(inp.levels == nil ? "numeric" : "categorical") at fit time")
            }
        }
        return try Tensor(shape: [n, width], data: data)
    }

    /// The trained network (rebuilt from its saved form; cheap next to a prediction).
    public func makeNetwork() throws -> Network {
        let net = try NetworkFile.decode(try network.encoded())
        net.setThreads(Parallel.threads)
        return net
    }

    public func predictProba(_ X: FeatureMatrix) throws -> [Double] {
        let x = try Self.encode(inputs, X)
        return try makeNetwork().predictProba(x, side: nil)
    }

    public var featureNames: [String] { inputs.map(\.name) }

    public var inputFeatures: [ModelMetadata.Feature] {
        inputs.map { ModelMetadata.Feature(name: $0.name, type: $0.levels == nil ? .numeric : .categorical, levels: $0.levels) }
    }

    public var storageBytes: Int {
        network.parameters.reduce(0) { $0 + $1.data.count * 4 + $1.name.utf8.count }
            + inputs.reduce(0) { $0 + 32 + $1.name.utf8.count + ($1.levels ?? []).reduce(0) { $0 + $1.utf8.count + 16 } }
            + network.history.count * 64
    }

    public var parameters: ParamSet { options.parameterSet }

    public var summaryText: String {
        let layers = ([inputWidth] + options.hidden + [1]).map(String.init).joined(separator: " → ")
        var s = "mlp \(layers) (\(options.activation.rawValue)\(options.dropout > 0 ? ", dropout \(options.dropout)" : ""), \(options.optimizer) lr \(options.learningRate)) on \(inputs.count) features"
        s += "\n\(history.count) epochs"
        if let last = history.last { s += ", final training loss \(String(format: "%.5f", last.loss))" }
        if history.indices.contains(bestEpoch - 1) {
            let b = history[bestEpoch - 1]
            if let auc = b.evalAUC { s += "; weights of epoch \(bestEpoch) (eval AUC \(String(format: "%.4f", auc)))" }
        }
        return s
    }

    public func validate() throws {
        guard !inputs.isEmpty else { throw ModelStructureError("inputs", "no features") }
        var seen = Set<String>()
        for (j, inp) in inputs.enumerated() {
            let at = "input \(j + 1) ('\(inp.name)')"
            guard seen.insert(inp.name).inserted else { throw ModelStructureError(at, "duplicate feature name") }
            if let levels = inp.levels {
                guard inp.mean == nil, inp.scale == nil else { throw ModelStructureError(at, "categorical with a mean or scale") }
                guard Set(levels).count == levels.count else { throw ModelStructureError(at, "duplicate levels") }
            } else {
                guard let m = inp.mean, let s = inp.scale else { throw ModelStructureError(at, "numeric without mean and scale") }
                guard m.isFinite, s.isFinite, s > 0 else { throw ModelStructureError(at, "mean and scale must be finite, scale > 0") }
            }
        }
        do { try options.validate() } catch let e as NNError { throw ModelStructureError("options", e.message) }
        let width = inputWidth
        guard (1...NNLimits.maxWidth).contains(width) else { throw ModelStructureError("inputs", "\(width) network inputs") }
        guard network.rowShape == [width], network.sideWidth == nil else {
            throw ModelStructureError("network", "takes rows of shape \(network.rowShape), the features give [\(width)]")
        }
        let linears = network.spec.children.filter { $0.kind == "linear" }.map { $0.ints["out"] ?? -1 }
        guard linears == options.hidden + [1] else {
            throw ModelStructureError("network", "linear layer widths \(linears) do not match hidden \(options.hidden) + [1]")
        }
        guard (0...max(network.history.count, 0)).contains(bestEpoch) else { throw ModelStructureError("best_epoch", "\(bestEpoch) outside the history") }
        // Decoding rebuilds the layers and checks every parameter's name, shape and finiteness.
        do { _ = try NetworkFile.decode(try network.encoded()) } catch let e as NNError { throw ModelStructureError("network", e.message) }
    }
}
