import ExecutionControl
import Foundation

/// The architecture of a sequence model kind: `cl.model.gru`, `cl.model.lstm`
/// and `cl.model.cnn` share one core (`SequenceClassifier`) and differ only
/// in the layers that summarise the sequence, so the kind is a type parameter
/// rather than three copies of the same fit, encoding, persistence and
/// explanation code.
public protocol SequenceArchitecture: Sendable {
    static var name: String { get }
    /// (batch, days, channels) → (batch, width): the sequence branch.
    static func branch(channels: Int, _ o: SequenceModelOptions, rng: inout SeededRandom) throws -> (Sequential<Float>, width: Int)
}

public enum GRUArchitecture: SequenceArchitecture {
    public static let name = "gru"
    public static func branch(channels: Int, _ o: SequenceModelOptions, rng: inout SeededRandom) throws -> (Sequential<Float>, width: Int) {
        (Sequential([try GRU(channels, o.hidden, layers: o.layers, rng: &rng), LastStep()]), o.hidden)
    }
}

public enum LSTMArchitecture: SequenceArchitecture {
    public static let name = "lstm"
    public static func branch(channels: Int, _ o: SequenceModelOptions, rng: inout SeededRandom) throws -> (Sequential<Float>, width: Int) {
        (Sequential([try LSTM(channels, o.hidden, layers: o.layers, rng: &rng), LastStep()]), o.hidden)
    }
}

/// `layers` blocks of Conv1d(kernel) → ReLU, a max-pool of `kernel` between
/// blocks, then the mean over time of the last block's filters.
public enum CNNArchitecture: SequenceArchitecture {
    public static let name = "cnn"
    public static func branch(channels: Int, _ o: SequenceModelOptions, rng: inout SeededRandom) throws -> (Sequential<Float>, width: Int) {
        let s = Sequential<Float>()
        var inC = channels, length = o.window.days
        for k in 0..<o.layers {
            guard length >= o.kernel else {
                throw NNError("cnn: \(o.layers) conv blocks of kernel \(o.kernel) need more than \(o.window.days) days")
            }
            s.add(try Conv1d(inC, o.hidden, kernel: o.kernel, rng: &rng)); s.add(ReLU())
            length = length - o.kernel + 1
            if k < o.layers - 1 && length >= 2 * o.kernel { s.add(try MaxPool1d(o.kernel)); length /= o.kernel }
            inC = o.hidden
        }
        s.add(GlobalAvgPool())
        return (s, o.hidden)
    }
}

public typealias GRUClassifier = SequenceClassifier<GRUArchitecture>
public typealias LSTMClassifier = SequenceClassifier<LSTMArchitecture>
public typealias CNNClassifier = SequenceClassifier<CNNArchitecture>

/// Options of the sequence kinds (what is saved with the model).
public struct SequenceModelOptions: Sendable, Equatable, Codable {
    /// Recurrent units (gru, lstm) or filters (cnn).
    public var hidden = 32
    /// Stacked recurrent layers, or conv blocks.
    public var layers = 1
    /// Conv kernel width in days (cnn).
    public var kernel = 7
    /// Width of the ReLU layer after the sequence summary and the static
    /// features are joined (0: straight to the logit).
    public var head = 32
    public var epochs = 10
    public var batchSize = 256
    public var learningRate = 3e-3
    public var weightDecay = 0.0
    public var optimizer = "adam"
    /// Learning-rate schedule over the epochs: nil or "constant", or "cosine"
    /// (cosine annealing from learning_rate to learning_rate / 100 at the last
    /// epoch: large steps early, small ones to settle — what closed most of the
    /// gap to GBDT on the temporal simulator). Optional so that models saved
    /// before the option existed still load.
    public var schedule: String?
    /// Global gradient-norm clipping (0: none).
    public var clipNorm = 1.0
    public var earlyStoppingRounds: Int?
    public var seed: UInt64 = GlobalSeed.value
    /// How sequences are built from the events.
    public var window = SequenceWindowSpec()
    /// The frame's user id column (matched to the event log's ids).
    public var idColumn = "user_id"
    /// The frame's observation-date column (dates or timestamps); sequences end the day before it.
    public var timeColumn = "as_of"
    /// One as_of (µs) for every row, when the frame has no time column.
    public var asOf: Int64?

    public init() {}

    public enum Limits {
        public static let hidden = 1...4096
        public static let layers = 1...8
        public static let kernel = 1...365
        public static let head = 0...4096
        public static let epochs = 1...100_000
        public static let days = 1...3650
    }

    public func validate(kind: String) throws {
        func bad(_ s: String) -> NNError { NNError("\(kind): \(s)") }
        guard Limits.hidden.contains(hidden) else { throw bad("hidden must be in 1…4096, got \(hidden)") }
        guard Limits.layers.contains(layers) else { throw bad("layers must be in 1…8, got \(layers)") }
        guard Limits.kernel.contains(kernel) else { throw bad("kernel must be in 1…365, got \(kernel)") }
        guard Limits.head.contains(head) else { throw bad("head must be in 0…4096, got \(head)") }
        guard Limits.epochs.contains(epochs) else { throw bad("epochs must be in 1…100000, got \(epochs)") }
        guard batchSize >= 1 else { throw bad("batch_size must be ≥ 1, got \(batchSize)") }
        guard learningRate.isFinite, learningRate > 0, learningRate <= 1 else { throw bad("learning_rate must be in (0, 1], got \(learningRate)") }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw bad("weight_decay must be a finite number >= 0, got \(weightDecay)") }
        guard clipNorm.isFinite, clipNorm >= 0 else { throw bad("clip_norm must be a finite number >= 0, got \(clipNorm)") }
        guard optimizer == "adam" || optimizer == "adamw" else { throw bad("optimizer must be 'adam' or 'adamw', got '\(optimizer)'") }
        if let s = schedule, s != "constant" && s != "cosine" { throw bad("schedule must be 'constant' or 'cosine', got '\(s)'") }
        if let r = earlyStoppingRounds, !Limits.epochs.contains(r) { throw bad("early_stopping_rounds must be in 1…100000, got \(r)") }
        guard Limits.days.contains(window.days) else { throw bad("days must be in 1…3650, got \(window.days)") }
        guard !idColumn.isEmpty, !timeColumn.isEmpty, idColumn != timeColumn else { throw bad("id and time must name two different columns") }
    }

    /// The trainer's schedule for `schedule`.
    var learningRateSchedule: LRSchedule {
        schedule == "cosine" ? .cosine(tMax: max(1, epochs - 1), minLR: learningRate / 100) : .constant
    }

    public var parameterSet: ParamSet {
        var p: ParamSet = ["hidden": .int(hidden), "layers": .int(layers), "head": .int(head), "epochs": .int(epochs),
                           "batch_size": .int(batchSize), "learning_rate": .double(learningRate), "weight_decay": .double(weightDecay),
                           "optimizer": .string(optimizer), "clip_norm": .double(clipNorm), "seed": .int(Int(truncatingIfNeeded: seed)),
                           "days": .int(window.days), "normalize": .string(window.normalize.rawValue), "amount": .bool(window.amount),
                           "id": .string(idColumn), "time": .string(timeColumn)]
        if let r = earlyStoppingRounds { p["early_stopping_rounds"] = .int(r) }
        if let s = schedule { p["schedule"] = .string(s) }
        if !window.types.isEmpty { p["channels"] = .string(window.types.joined(separator: ", ")) }
        return p
    }
}

/// What a sequence kind is built with: its saved options and the event log
/// the sequences come from (held in memory, never saved).
public struct SequenceModelSetup: Sendable {
    public var options: SequenceModelOptions
    public var events: EventLog?
    /// Or the sequences themselves, as a tensor joined on user id (and as_of).
    public var table: SequenceTable?
    public init(options: SequenceModelOptions, events: EventLog?, table: SequenceTable? = nil) {
        self.options = options; self.events = events; self.table = table
    }
}

/// Attributions of one batch of rows (integrated gradients, see `attributions`).
public struct SequenceAttributions: Sendable {
    /// (rows × days × channels): per day and channel, in log-odds.
    public var sequence: Tensor<Float>
    /// The model's input (rows × days × channels), normalised as the network saw it.
    public var input: Tensor<Float>
    /// Per static feature (in `staticNames` order), one array of rows.
    public var statics: [[Double]]
    /// Logit per row, and at the baseline (no activity, every static feature at its mean).
    public var logits: [Double]
    public var baseline: Double
}

/// A sequence classifier under the common model interface (`cl.model.gru`,
/// `lstm`, `cnn`): the frame's rows are (user, as_of) observations — e.g. from
/// `cl.features.snapshots` — and each row's input is that user's daily
/// activity over the `days` days before its as_of, read point in time from an
/// event log held by the model (`SequenceWindows`), plus the frame's other
/// feature columns as static inputs (standardised or one-hot as in
/// `MLPClassifier`). The network is `architecture → [concat static] →
/// [Linear → ReLU] → Linear(1)`, trained by `Trainer` (binary cross-entropy,
/// Adam, gradient clipping). Because fit, predict and permutation work on
/// frame columns, cross-validation and permutation importance need nothing
/// special: permuting the id column permutes whole sequences (the importance
/// of the sequence). The event log is not saved; a loaded model predicts once
/// one is attached (`withEvents`).
public struct SequenceClassifier<A: SequenceArchitecture>: ChurnModel {
    public typealias Options = SequenceModelSetup
    public static var kind: String { A.name }
    public static var usesEvalSet: Bool { true }

    public let options: SequenceModelOptions
    /// Every input feature in frame order (the id column, the time column when used, statics).
    public let featureNames: [String]
    public let idIndex: Int
    public let timeIndex: Int?
    /// Static features (all the others), in order, with their encodings.
    public let statics: [MLPClassifier.Input]
    public let network: NetworkFile
    public let bestEpoch: Int
    /// The event log sequences are read from (not saved).
    public private(set) var events: EventLog? = nil
    /// Or the sequences as a tensor (`SequenceTable`; not saved either).
    public private(set) var table: SequenceTable? = nil

    enum CodingKeys: String, CodingKey { case options, featureNames, idIndex, timeIndex, statics, network, bestEpoch }

    public var history: [EpochRecord] { network.history }
    var staticIndices: [Int] { featureNames.indices.filter { $0 != idIndex && $0 != timeIndex } }
    public var staticNames: [String] { staticIndices.map { featureNames[$0] } }
    var staticWidth: Int { statics.reduce(0) { $0 + $1.width } }

    public static func checkOptions(_ s: SequenceModelSetup) throws {
        try s.options.validate(kind: kind)
        guard s.events != nil || s.table != nil else {
            throw NNError("\(kind): sequences = {events = ...} (an event log) or {tensor =, ids =} is required")
        }
    }

    /// The same model reading sequences from `log` (a loaded model, or other events).
    public func withEvents(_ log: EventLog) throws -> Self {
        guard case .int = log.users else { throw NNError("\(Self.kind): sequence models need integer user ids in the event log") }
        var m = self; m.events = log; m.table = nil; return m
    }

    /// The same model reading sequences from a tensor joined on user id (and as_of).
    public func withTable(_ t: SequenceTable) throws -> Self {
        guard t.days == options.window.days, t.channels.count == options.window.channels.count else {
            throw NNError("\(Self.kind): the model takes \(options.window.days) days × \(options.window.channels.count) channels, the tensor has \(t.days) × \(t.channels.count)")
        }
        var m = self; m.table = t; m.events = nil; return m
    }

    public static func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]?, eval: EvalSet?,
                           options setup: SequenceModelSetup, progress: ProgressCallback?) throws -> Self {
        try checkOptions(setup)
        var o = setup.options
        let log = setup.events
        if let w = weights, let w0 = w.first, w.contains(where: { $0 != w0 }) {
            throw NNError("\(kind): sample weights are not supported (fit without weights =)")
        }
        guard X.nrow == y.count, X.nrow > 0 else { throw NNError("\(kind): \(X.nrow) rows and \(y.count) targets (need rows)") }
        guard let idIndex = X.names.firstIndex(of: o.idColumn) else {
            throw NNError("\(kind): the features must include the id column '\(o.idColumn)' (it picks each row's sequence; set id = to name another)")
        }
        let timeIndex = X.names.firstIndex(of: o.timeColumn)
        if timeIndex == nil && o.asOf == nil {
            throw NNError("\(kind): the features have no '\(o.timeColumn)' column: include it (each row's observation date) or give as_of =")
        }
        for k in [idIndex] + (timeIndex.map { [$0] } ?? []) {
            guard case .numeric = X.features[k] else { throw NNError("\(kind): column '\(X.names[k])' must be numeric (integer ids, dates)") }
        }
        if let t = setup.table {
            // The tensor is the input as given: its days and channels, already normalised.
            o.window.days = t.days; o.window.types = t.channels; o.window.amount = false; o.window.normalize = .none
            try o.validate(kind: kind)
        } else if let log {
            o.window = try SequenceWindows.resolve(o.window, log)
        }
        let statIdx = X.names.indices.filter { $0 != idIndex && $0 != timeIndex }
        let statics = try statIdx.map { try MLPClassifier.fitInput(X.names[$0], X.features[$0]) }
        let sw = statics.reduce(0) { $0 + $1.width }
        guard sw <= NNLimits.maxWidth else { throw NNError("\(kind): \(sw) static inputs, at most \(NNLimits.maxWidth)") }

        var rng = SeededRandom(seed: o.seed)
        let net = try makeNetwork(channels: o.window.channels.count, staticWidth: sw, o, rng: &rng)
        var model = Self(options: o, featureNames: X.names, idIndex: idIndex, timeIndex: timeIndex, statics: statics,
                         network: NetworkFile(net), bestEpoch: 0, events: log, table: setup.table)
        let (x, side) = try model.inputs(X)
        let train = try TrainingSet(x: x, side: side, y: y.map(Float.init))
        let evalSet = try eval.map { e -> TrainingSet in
            guard e.X.nrow == e.y.count else { throw NNError("\(kind): eval set has \(e.X.nrow) rows but \(e.y.count) targets") }
            let (ex, es) = try model.inputs(e.X)
            return try TrainingSet(x: ex, side: es, y: e.y.map(Float.init))
        }
        let (_, best) = try Trainer.fitModelKind(net, train: train, eval: evalSet, epochs: o.epochs, batchSize: o.batchSize, seed: o.seed,
                                                 optimizer: OptimizerSpec(kind: o.optimizer, lr: o.learningRate, weightDecay: o.weightDecay),
                                                 schedule: o.learningRateSchedule,
                                                 clipNorm: o.clipNorm > 0 ? o.clipNorm : nil,
                                                 earlyStoppingRounds: o.earlyStoppingRounds, progress: progress)
        model = Self(options: o, featureNames: X.names, idIndex: idIndex, timeIndex: timeIndex, statics: statics,
                     network: NetworkFile(net), bestEpoch: best, events: log, table: setup.table)
        return model
    }

    init(options: SequenceModelOptions, featureNames: [String], idIndex: Int, timeIndex: Int?, statics: [MLPClassifier.Input],
         network: NetworkFile, bestEpoch: Int, events: EventLog?, table: SequenceTable? = nil) {
        self.options = options; self.featureNames = featureNames; self.idIndex = idIndex; self.timeIndex = timeIndex
        self.statics = statics; self.network = network; self.bestEpoch = bestEpoch; self.events = events
        self.table = table
    }

    /// `branch → [concat static] → [Linear(head) → ReLU] → Linear(1)`.
    static func makeNetwork(channels: Int, staticWidth sw: Int, _ o: SequenceModelOptions, rng: inout SeededRandom) throws -> Network {
        let (branch, width) = try A.branch(channels: channels, o, rng: &rng)
        let body = Sequential<Float>()
        var fanIn = width
        if sw > 0 {
            body.add(Concat(sequence: branch)); fanIn += sw
        } else {
            for l in branch.layers { body.add(l) }
        }
        if o.head > 0 { body.add(Linear(fanIn, o.head, rng: &rng)); body.add(ReLU()); fanIn = o.head }
        body.add(Linear(fanIn, 1, rng: &rng))
        return try Network(body, rowShape: [o.window.days, channels], sideWidth: sw > 0 ? sw : nil)
    }

    /// The network's inputs for `X`: each row's sequence and its static features.
    func inputs(_ X: FeatureMatrix) throws -> (Tensor<Float>, Tensor<Float>?) {
        guard X.features.count == featureNames.count else {
            throw NNError("\(Self.kind): the model has \(featureNames.count) features, the data \(X.features.count)")
        }
        guard events != nil || table != nil else {
            throw NNError("\(Self.kind): no event log attached — a loaded model does not carry its events: call m:set_events(events) (or m:set_sequences(tensor, ids)) first")
        }
        guard case .numeric(let ids) = X.features[idIndex] else { throw NNError("\(Self.kind): '\(featureNames[idIndex])' must be numeric") }
        var asOf: [Int64]
        if let ti = timeIndex, table == nil || table?.asOf != nil {
            guard case .numeric(let t) = X.features[ti] else { throw NNError("\(Self.kind): '\(featureNames[ti])' must be a date or timestamp column") }
            asOf = []
            asOf.reserveCapacity(t.count)
            for (r, v) in t.enumerated() {
                guard let m = SequenceWindows.asOfMicros(v) else {
                    throw NNError("\(Self.kind): row \(r + 1) has no valid '\(featureNames[ti])' (a date or timestamp is needed)")
                }
                asOf.append(m)
            }
        } else {
            asOf = [Int64](repeating: options.asOf ?? 0, count: X.nrow)
        }
        let x: Tensor<Float>
        if let table {
            x = try table.gather(ids: ids, asOf: timeIndex == nil && options.asOf == nil ? nil : asOf, kind: Self.kind)
        } else {
            let log = events!
            x = try SequenceWindows.build(log, users: try SequenceWindows.userRows(log, ids: ids), asOf: asOf, spec: options.window)
        }
        guard !statics.isEmpty else { return (x, nil) }
        let sub = try FeatureMatrix(names: staticIndices.map { featureNames[$0] }, features: staticIndices.map { X.features[$0] })
        return (x, try MLPClassifier.encode(statics, sub))
    }

    /// The trained network (rebuilt from its saved form: each caller gets its own).
    public func makeNetwork() throws -> Network {
        let net = try NetworkFile.decode(try network.encoded())
        net.setThreads(Parallel.threads)
        return net
    }

    public func predictProba(_ X: FeatureMatrix) throws -> [Double] {
        let (x, side) = try inputs(X)
        return try makeNetwork().predictProba(x, side: side)
    }

    /// Integrated gradients (Sundararajan et al. 2017) from the baseline "no
    /// activity on any day, every static feature at its training mean" (the
    /// zero input) to each row, with `steps` midpoint steps: per day and
    /// channel, and per static feature (one-hot columns summed). They add up
    /// to logit − baseline logit up to the integration error.
    public func attributions(_ X: FeatureMatrix, steps: Int = 32) throws -> SequenceAttributions {
        guard (1...1024).contains(steps) else { throw NNError("\(Self.kind): steps must be in 1…1024") }
        let (x, side) = try inputs(X)
        let net = try makeNetwork()
        let n = x.rows, rs = x.rowSize
        let logits = try net.logits(x, side: side).map(Double.init)
        let zeroSide = side.map { Tensor<Float>(zeros: [1, $0.shape[1]]) }
        let baseline = Double(try net.logits(Tensor(zeros: [1] + x.shape.dropFirst()), side: zeroSide)[0])
        var seqAttr = [Float](repeating: 0, count: x.count)
        let sw = side?.shape[1] ?? 0
        var sideAttr = [Double](repeating: 0, count: n * sw)
        net.body.train(true)   // keeps what backward needs; the sequence kinds have no dropout or batch norm
        defer { net.body.clearCache(); net.body.train(false) }
        let concat = net.body.layers.first as? Concat<Float>
        let batch = 256
        var start = 0
        while start < n {
            try ExecutionContext.check()
            let rows = start..<min(n, start + batch)
            let xb = x.slice(rows: rows), sb = side?.slice(rows: rows)
            var gx = [Double](repeating: 0, count: xb.count), gs = [Double](repeating: 0, count: rows.count * sw)
            for k in 0..<steps {
                let a = Float((Double(k) + 0.5) / Double(steps))
                var xs = xb; for i in xs.data.indices { xs.data[i] *= a }
                var ss = sb; if ss != nil { for i in ss!.data.indices { ss!.data[i] *= a } }
                _ = try net.body.forward(xs, side: ss)
                let dx = try net.body.backward(Tensor(uncheckedShape: [rows.count, 1], data: [Float](repeating: 1, count: rows.count)))
                for i in gx.indices { gx[i] += Double(dx.data[i]) }
                if let g = concat?.sideGradient { for i in gs.indices { gs[i] += Double(g.data[i]) } }
            }
            for i in gx.indices { seqAttr[rows.lowerBound * rs + i] = Float(Double(xb.data[i]) * gx[i] / Double(steps)) }
            if let sb { for i in gs.indices { sideAttr[rows.lowerBound * sw + i] = Double(sb.data[i]) * gs[i] / Double(steps) } }
            start = rows.upperBound
        }
        net.body.zeroGrad()
        // One-hot columns back to their feature.
        var statAttr: [[Double]] = []
        var col = 0
        for inp in statics {
            var v = [Double](repeating: 0, count: n)
            for r in 0..<n { for j in 0..<inp.width { v[r] += sideAttr[r * sw + col + j] } }
            statAttr.append(v); col += inp.width
        }
        return SequenceAttributions(sequence: Tensor(uncheckedShape: x.shape, data: seqAttr), input: x, statics: statAttr,
                                    logits: logits, baseline: baseline)
    }

    /// Contributions per input feature, in log-odds: static features by
    /// integrated gradients; the id column carries the whole sequence's
    /// contribution, defined as what is left (logit − baseline − statics), so
    /// each row adds up exactly; the time column gets 0.
    public func explanation(_ X: FeatureMatrix) throws -> ModelExplanation? {
        let a = try attributions(X)
        let n = a.logits.count
        var contrib = [[Double]](repeating: [Double](repeating: 0, count: n), count: featureNames.count)
        for (k, j) in staticIndices.enumerated() { contrib[j] = a.statics[k] }
        for r in 0..<n {
            let s = a.statics.reduce(0) { $0 + $1[r] }
            contrib[idIndex][r] = a.logits[r] - a.baseline - s
        }
        return ModelExplanation(featureNames: featureNames, contributions: contrib, expectedValue: a.baseline, scale: .logOdds)
    }

    public var baseValue: Double? {
        guard let net = try? makeNetwork() else { return nil }
        let zeroSide = net.sideWidth.map { Tensor<Float>(zeros: [1, $0]) }
        return (try? net.logits(Tensor(zeros: [1] + net.rowShape), side: zeroSide)).map { Double($0[0]) }
    }

    public var inputFeatures: [ModelMetadata.Feature] {
        var byName: [String: MLPClassifier.Input] = [:]
        for s in statics { byName[s.name] = s }
        return featureNames.map { name in
            let s = byName[name]
            return ModelMetadata.Feature(name: name, type: s?.levels == nil ? .numeric : .categorical, levels: s?.levels)
        }
    }

    public var storageBytes: Int {
        network.parameters.reduce(0) { $0 + $1.data.count * 4 + $1.name.utf8.count }
            + statics.reduce(0) { $0 + 32 + $1.name.utf8.count + ($1.levels ?? []).reduce(0) { $0 + $1.utf8.count + 16 } }
            + network.history.count * 64 + featureNames.reduce(0) { $0 + $1.utf8.count + 16 }
    }

    public var parameters: ParamSet { options.parameterSet }

    public var summaryText: String {
        let o = options
        var s = "\(Self.kind) on \(o.window.days) days × \(o.window.channels.count) channels (\(o.window.channels.joined(separator: ", ")))"
        s += ", hidden \(o.hidden)\(o.layers > 1 ? " × \(o.layers) layers" : "")"
        s += statics.isEmpty ? ", no static features" : " + \(statics.count) static features"
        s += o.head > 0 ? ", head \(o.head)" : ""
        s += "\n\(history.count) epochs"
        if let last = history.last { s += ", final training loss \(String(format: "%.5f", last.loss))" }
        if history.indices.contains(bestEpoch - 1), let auc = history[bestEpoch - 1].evalAUC {
            s += "; weights of epoch \(bestEpoch) (eval AUC \(String(format: "%.4f", auc)))"
        }
        if table != nil { s += "\nsequences from a tensor of \(table!.tensor.rows) rows, joined on \(options.idColumn)\(table!.asOf == nil ? "" : " and \(options.timeColumn)")" }
        else if events == nil { s += "\nno event log attached (m:set_events(events) before predicting)" }
        return s
    }

    public func validate() throws {
        guard featureNames.indices.contains(idIndex) else { throw ModelStructureError("id_index", "\(idIndex) outside the features") }
        if let t = timeIndex { guard featureNames.indices.contains(t), t != idIndex else { throw ModelStructureError("time_index", "\(t) invalid") } }
        guard Set(featureNames).count == featureNames.count else { throw ModelStructureError("features", "duplicate names") }
        guard statics.map(\.name) == staticNames else { throw ModelStructureError("statics", "do not match the feature list") }
        for (j, inp) in statics.enumerated() {
            let at = "static \(j + 1) ('\(inp.name)')"
            if let levels = inp.levels {
                guard inp.mean == nil, inp.scale == nil, Set(levels).count == levels.count else { throw ModelStructureError(at, "malformed levels") }
            } else {
                guard let m = inp.mean, let s = inp.scale, m.isFinite, s.isFinite, s > 0 else { throw ModelStructureError(at, "mean and scale must be finite, scale > 0") }
            }
        }
        do { try options.validate(kind: Self.kind) } catch let e as NNError { throw ModelStructureError("options", e.message) }
        guard !options.window.types.isEmpty else { throw ModelStructureError("options", "no channels") }
        if timeIndex == nil && options.asOf == nil { throw ModelStructureError("options", "neither a time column nor as_of") }
        let sw = staticWidth
        guard network.rowShape == [options.window.days, options.window.channels.count], network.sideWidth == (sw > 0 ? sw : nil) else {
            throw ModelStructureError("network", "takes rows \(network.rowShape) and static \(network.sideWidth.map(String.init) ?? "none"), the options give [\(options.window.days), \(options.window.channels.count)] and \(sw)")
        }
        guard (0...network.history.count).contains(bestEpoch) else { throw ModelStructureError("best_epoch", "\(bestEpoch) outside the history") }
        do { _ = try NetworkFile.decode(try network.encoded()) } catch let e as NNError { throw ModelStructureError("network", e.message) }
    }
}
