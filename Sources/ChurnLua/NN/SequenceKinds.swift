import ChurnCore
import Foundation
import LuaRuntime

/// `cl.model.gru{…}`, `cl.model.lstm{…}`, `cl.model.cnn{…}`: sequence models
/// on daily activity under the common model interface (core:
/// `SequenceClassifier`, one core with the architecture as its type parameter).
enum SequenceKinds {
    static let gru = kind(GRUArchitecture.self, what: "a GRU over the days (last hidden state)", extra: [])
    static let lstm = kind(LSTMArchitecture.self, what: "an LSTM over the days (last hidden state)", extra: [])
    static let cnn = kind(CNNArchitecture.self, what: "1-D convolutions over the days (layers blocks of Conv1d(kernel) → ReLU, max-pooled between blocks, averaged over time)", extra: ["kernel"])

    static let commonKeys: Set<String> = ["sequences", "hidden", "layers", "head", "epochs", "batch_size", "learning_rate", "weight_decay",
                                          "optimizer", "schedule", "clip_norm", "early_stopping_rounds", "seed", "threads", "verbose", "id", "time", "as_of"]

    static func kind<A: SequenceArchitecture>(_ a: A.Type, what: String, extra: Set<String>) -> ModelKind {
        let n = A.name
        return ModelKind(
            name: n,
            signature: "model.\(n){sequences = {events =, days = 90, channels = 'types' | {type, …}, amount = false, normalize = 'log1p' | 'none'} | {tensor =, ids =, channels =}, hidden = 32, layers = 1,\(n == "cnn" ? " kernel = 7," : "") head = 32, epochs = 10, batch_size = 256, learning_rate = 3e-3, weight_decay = 0, optimizer = 'adam', schedule = 'constant' | 'cosine', clip_norm = 1, early_stopping_rounds =, id = 'user_id', time = 'as_of', as_of =, seed =, threads =, verbose =}",
            help: "A sequence classifier: \(what), joined with the frame's other feature columns (standardised numerics, one-hot text), then a ReLU layer of width head and one logit; Adam on binary cross-entropy with gradient clipping; schedule = 'cosine' anneals the learning rate to 1/100 of it by the last epoch. " +
                  "Each frame row is a (user, as_of) observation, e.g. from cl.features.snapshots: its input is that user's daily event counts per channel over the `days` days before its as_of (oldest first), read point in time from sequences.events (a cl.events log with integer user ids; only events strictly before as_of). " +
                  "Or sequences = {tensor =, ids =, channels =} gives them as a tensor (the results of cl.features.sequences: the tensor, its user id column or its frame of user_id and as_of, the channel names), joined to frame rows on the id column (and as_of); its days and channels are taken as given (already normalised). " +
                  "The features must include the id column (default user_id) and the time column (default as_of; dates or timestamps) unless as_of = gives one date for all rows; every other feature is static. fit(frame, {target =}), eval_set / early stopping, cross_validate, permutation_importance (permuting the id column permutes whole sequences) and save work as for other kinds. " +
                  "The event log is not saved: a loaded model needs m:set_events(events) before predicting. m:explain gives static features by integrated gradients and the whole sequence under the id column; m:explain_sequence gives reasons per channel (e.g. 'finish_lesson fell over the last 14 days'), m:attributions per day and channel. grid_search and random_search take these options as parameters (the event log and window come from the model they start from). " +
                  "Ranges: hidden 1…4096, layers 1…8, kernel 1…365, head 0…4096, epochs and early_stopping_rounds 1…100000, batch_size ≥ 1, learning_rate (0, 1], weight_decay and clip_norm finite ≥ 0 (0: no clipping), days 1…3650, verbose 0…100000, threads 1…1024, seed ≥ 0.",
            optionKeys: commonKeys.union(extra),
            type: SequenceClassifier<A>.self,
            parse: { o in
                let setup = try options(o, kind: n)
                return try ModelSpec(SequenceClassifier<A>.self, options: setup, parameters: setup.options.parameterSet)
            },
            inherit: { t in try Sequences.read(t) },
            methods: [
                "history": KindMethod(signature: "m:history()", help: "One row per training epoch: epoch, loss, eval_loss, eval_auc, lr, seconds") { c, m in
                    let model = try m.fittedAs(SequenceClassifier<A>.self)
                    return c.push(frame: try c.core { try NNFit.historyFrame(model.history) })
                },
                "set_sequences": KindMethod(signature: "m:set_sequences{tensor =, ids = [, channels =]}", help: "Attaches sequences given as a tensor (the tensor of cl.features.sequences and its ids: the user id column, or the frame of user_id and as_of), joined to frame rows on the id column (and as_of); they replace any event log; returns the model") { c, m in
                    let model = try m.fittedAs(SequenceClassifier<A>.self)
                    let table = try Sequences.table(try c.table(2))
                    m.fitted = try c.core { try model.withTable(table) }
                    return c.push(object: m)
                },
                "set_events": KindMethod(signature: "m:set_events(events)", help: "Attaches the event log sequences are read from (a loaded model carries none); returns the model") { c, m in
                    let model = try m.fittedAs(SequenceClassifier<A>.self)
                    let log = try c.object(2, EventLogObject.self).log
                    m.fitted = try c.core { try model.withEvents(log) }
                    return c.push(object: m)
                },
                "attributions": KindMethod(signature: "m:attributions(df [, {steps = 32}])", help: "Integrated gradients per row, day and channel (log-odds, from the baseline of no activity and static features at their means): a cl.Tensor (rows × days × channels, oldest day first) and the channel names") { c, m in
                    let model = try m.fittedAs(SequenceClassifier<A>.self)
                    let frame = try c.frame(2)
                    let o = try c.options(3)
                    try o.checkKeys(["steps"])
                    let steps = try o.integer("steps", in: 1...1024) ?? 32
                    let a = try c.core { try model.attributions(m.features(frame), steps: steps) }
                    c.push(object: TensorObject(a.sequence))
                    c.pushArray(model.options.window.channels)
                    return 2
                },
                "explain_sequence": KindMethod(signature: "m:explain_sequence(df [, {top = 3, recent = 14, id =, steps = 32}])", help: "The channels that move each row's risk most (integrated gradients summed over the days, largest |contribution| first): row, [the id column,] rank, channel, contribution, recent_contribution (the last `recent` days), earlier_per_day and recent_per_day (mean daily events before and within the last `recent` days) and a reason such as 'finish_lesson fell over the last 14 days (0.61 → 0.07 a day), raises risk'") { c, m in
                    try explainSequence(c, m, try m.fittedAs(SequenceClassifier<A>.self))
                },
            ])
    }

    static func options(_ o: OptionSource, kind: String) throws -> SequenceModelSetup {
        var s = SequenceModelOptions()
        s.hidden = try o.integer("hidden", in: SequenceModelOptions.Limits.hidden) ?? s.hidden
        s.layers = try o.integer("layers", in: SequenceModelOptions.Limits.layers) ?? s.layers
        s.kernel = try o.integer("kernel", in: SequenceModelOptions.Limits.kernel) ?? s.kernel
        s.head = try o.integer("head", in: SequenceModelOptions.Limits.head) ?? s.head
        s.epochs = try o.integer("epochs", in: SequenceModelOptions.Limits.epochs) ?? s.epochs
        s.batchSize = try o.integer("batch_size", in: OptionRange.positiveSize) ?? s.batchSize
        s.learningRate = try o.number("learning_rate", in: .fraction) ?? s.learningRate
        s.weightDecay = try o.number("weight_decay", in: .nonNegative) ?? s.weightDecay
        s.clipNorm = try o.number("clip_norm", in: .nonNegative) ?? s.clipNorm
        if let opt = try o.string("optimizer") {
            guard opt == "adam" || opt == "adamw" else { throw LuaArgumentError(1, "field 'optimizer': 'adam' or 'adamw' expected, got '\(opt)'") }
            s.optimizer = opt
        }
        if let sch = try o.string("schedule") {
            guard sch == "constant" || sch == "cosine" else { throw LuaArgumentError(1, "field 'schedule': 'constant' or 'cosine' expected, got '\(sch)'") }
            s.schedule = sch
        }
        s.earlyStoppingRounds = try o.integer("early_stopping_rounds", in: SequenceModelOptions.Limits.epochs)
        s.seed = try TreeKinds.seed(o)
        s.idColumn = try o.string("id") ?? s.idColumn
        s.timeColumn = try o.string("time") ?? s.timeColumn
        if let d = try o.string("as_of") {
            guard let t = TimeUnit.parse(d) else { throw LuaArgumentError(1, "field 'as_of': '\(d)' is not a date like '2024-06-01'") }
            s.asOf = t
        }
        let sequences: Sequences
        if let t = o as? LuaTable {
            sequences = try Sequences.read(t)
        } else if let inherited = (o as? ValueOptions)?.inherited as? Sequences {
            sequences = inherited   // model selection: the constructor's event log and window
        } else {
            throw LuaArgumentError(1, "field 'sequences': {events = <cl.events log>, days =, channels =, …} or a cl.events log expected")
        }
        s.window = sequences.window
        do {
            if let t = sequences.table { s.window.days = t.days; s.window.types = t.channels; s.window.normalize = .none }
            try s.validate(kind: kind)
            if let events = sequences.events {
                _ = try SequenceWindows.resolve(s.window, events)   // unknown channels or a missing amount column fail at construction
            }
        } catch let e as NNError { throw LuaArgumentError(1, e.message) }
        return SequenceModelSetup(options: s, events: sequences.events, table: sequences.table)
    }

    /// `sequences =` of the constructor: the event log and the window spec.
    /// Not plain values, so model selection gets them through `ModelKind.inherit`.
    struct Sequences {
        var events: EventLog?
        var table: SequenceTable?
        var window: SequenceWindowSpec

        static func read(_ t: LuaTable) throws -> Sequences {
            var window = SequenceWindowSpec()
            if let log = try? t.object("sequences", EventLogObject.self) { return Sequences(events: log.log, window: window) }
            guard let q = try t.table("sequences") else {
                throw LuaArgumentError(1, "field 'sequences': {events = <cl.events log>, days =, channels =, …} or a cl.events log expected")
            }
            if q.has("tensor") { return Sequences(events: nil, table: try table(q), window: window) }
            try q.checkKeys(["events", "days", "channels", "amount", "normalize"])
            guard let events = try q.object("events", EventLogObject.self)?.log else {
                throw LuaArgumentError(1, "field 'sequences.events': a cl.events log is required")
            }
            window.days = try q.integer("days", in: SequenceModelOptions.Limits.days) ?? window.days
            window.amount = try q.bool("amount") ?? false
            if let nz = try q.string("normalize") {
                guard let v = SequenceWindowSpec.Normalize(rawValue: nz) else {
                    throw LuaArgumentError(1, "field 'sequences.normalize': 'log1p' or 'none' expected, got '\(nz)'")
                }
                window.normalize = v
            }
            if case .string(let ch) = q.value("channels", depth: 0) {
                guard ch == "types" else { throw LuaArgumentError(1, "field 'sequences.channels': 'types' or a list of event types expected, got '\(ch)'") }
            } else if let list = try q.strings("channels") {
                guard !list.isEmpty else { throw LuaArgumentError(1, "field 'sequences.channels': empty list") }
                window.types = list
            }
            return Sequences(events: events, window: window)
        }

        /// `sequences = {tensor =, ids =, channels =}`: the tensor of `cl.features.sequences`
        /// and its ids (its second result: a user id column, or a frame of user_id and as_of).
        static func table(_ q: LuaTable) throws -> SequenceTable {
            try q.checkKeys(["tensor", "ids", "channels"])
            guard let tensor = try q.object("tensor", TensorObject.self)?.tensor else {
                throw LuaArgumentError(1, "field 'sequences.tensor': a cl.Tensor (rows × days × channels) expected")
            }
            var idColumn: Column, asOfColumn: Column? = nil
            if let col = try? q.object("ids", ColumnObject.self) {
                idColumn = col.column
            } else if let f = try? q.object("ids", FrameObject.self) {
                guard let first = f.frame.columns.first else { throw LuaArgumentError(1, "field 'sequences.ids': an empty frame") }
                idColumn = first
                asOfColumn = f.frame.columnIfPresent("as_of")
            } else {
                throw LuaArgumentError(1, "field 'sequences.ids': the user id column (or the frame of user_id and as_of) of cl.features.sequences expected")
            }
            guard let idv = idColumn.toDoubles() else { throw LuaArgumentError(1, "field 'sequences.ids': user ids must be integers") }
            var ids: [Int64] = []
            for (r, v) in idv.enumerated() {
                guard !idColumn.isNull(r), v.isFinite, let i = Int64(exactly: v.rounded()) else {
                    throw LuaArgumentError(1, "field 'sequences.ids': row \(r + 1) has no integer user id")
                }
                ids.append(i)
            }
            var asOf: [Int64]? = nil
            if let a = asOfColumn {
                asOf = try (0..<a.count).map { r in
                    if let text = a.string(at: r), let t = TimeUnit.parse(text) { return t }
                    if let d = a.double(at: r), let t = SequenceWindows.asOfMicros(d) { return t }
                    throw LuaArgumentError(1, "field 'sequences.ids': row \(r + 1) has no valid as_of")
                }
            }
            do {
                return try SequenceTable(tensor: tensor, ids: ids, asOf: asOf, channels: try q.strings("channels"))
            } catch let e as NNError { throw LuaArgumentError(1, e.message) }
        }
    }

    static func explainSequence<A>(_ c: LuaCall, _ m: ModelObject, _ model: SequenceClassifier<A>) throws -> Int32 {
        let raw = try c.frame(2)
        let o = try c.options(3)
        try o.checkKeys(["top", "recent", "id", "steps"])
        let window = model.options.window
        let top = try o.integer("top", in: OptionRange.positiveSize) ?? 3
        let recent = try o.integer("recent", in: 1...max(1, window.days)) ?? min(14, window.days)
        let steps = try o.integer("steps", in: 1...1024) ?? 32
        let idColumn = try o.string("id").map { name in try c.core { try raw.column(name) } }
        let a = try c.core { try model.attributions(m.features(raw), steps: steps) }
        let channels = window.channels, nc = channels.count, days = window.days
        let n = a.logits.count, k = min(top, nc)
        var source: [Int] = [], rank: [Int64] = [], name: [String?] = [], contrib: [Double] = [], recentC: [Double] = []
        var before: [Double] = [], within: [Double] = [], reason: [String?] = []
        func count(_ v: Float) -> Double { window.normalize == .log1p ? Double(v >= 0 ? expm1(v) : -expm1(-v)) : Double(v) }
        for r in 0..<n {
            var total = [Double](repeating: 0, count: nc), late = [Double](repeating: 0, count: nc)
            var early = [Double](repeating: 0, count: nc), lately = [Double](repeating: 0, count: nc)
            for d in 0..<days {
                for j in 0..<nc {
                    let i = (r * days + d) * nc + j
                    let v = Double(a.sequence.data[i])
                    total[j] += v
                    if d >= days - recent { late[j] += v; lately[j] += count(a.input.data[i]) } else { early[j] += count(a.input.data[i]) }
                }
            }
            let order = (0..<nc).sorted { abs(total[$0]) != abs(total[$1]) ? abs(total[$0]) > abs(total[$1]) : $0 < $1 }
            for (q, j) in order.prefix(k).enumerated() {
                let b = days > recent ? early[j] / Double(days - recent) : 0, w = lately[j] / Double(recent)
                let trend: String
                if days == recent { trend = "averaged \(fmt(w)) a day over the last \(recent) days" }
                else if w < 0.8 * b { trend = "fell over the last \(recent) days (\(fmt(b)) → \(fmt(w)) a day)" }
                else if w > 1.25 * b + 0.01 { trend = "rose over the last \(recent) days (\(fmt(b)) → \(fmt(w)) a day)" }
                else { trend = "held steady over the last \(recent) days (\(fmt(b)) → \(fmt(w)) a day)" }
                source.append(r); rank.append(Int64(q + 1)); name.append(channels[j]); contrib.append(total[j]); recentC.append(late[j])
                before.append(b); within.append(w)
                reason.append("\(channels[j]) \(trend), \(total[j] >= 0 ? "raises" : "lowers") risk")
            }
        }
        var out: [Column] = [.int("row", source.map { Int64($0 + 1) })]
        if let idColumn { out.append(idColumn.take(source)) }
        out += [.int("rank", rank), .string("channel", name), .float("contribution", contrib), .float("recent_contribution", recentC),
                .float("earlier_per_day", before), .float("recent_per_day", within), .string("reason", reason)]
        return c.push(frame: try c.core { try Frame(out) })
    }

    private static func fmt(_ v: Double) -> String { String(format: v >= 10 ? "%.0f" : "%.2f", v) }
}
