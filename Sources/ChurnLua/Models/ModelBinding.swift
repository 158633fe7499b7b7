import CLua
import ChurnCore
import Foundation
import LuaRuntime

/// `cl.model.<kind>` for every registered kind, `cl.model.load`, and the
/// methods of `cl.Model` — one implementation for all kinds.
enum ModelBinding {
    static func register(_ cl: ModuleBuilder) {
        var methods = common
        for name in ModelKinds.extraMethodNames { methods[name] = dispatch(name) }
        cl.state.register(ModelObject.self, LuaClass(methods: methods, metamethods: [
            "__tostring": { c in c.push(try c.object(1, ModelObject.self).description) },
        ], index: { c in
            let m = try c.object(1, ModelObject.self)
            guard lua_type(c.L, 2) == LUA_TSTRING, try c.string(2) == "kind" else { return 0 }
            return c.push(m.kind.name)
        }))
        cl.submodule("model", "Models: fit, predict, explain, save and load.") { sub in
            for kind in ModelKinds.all {
                sub.function(kind.name, kind.signature, kind.help) { c in
                    let o = try c.options(1)
                    try o.checkKeys(kind.optionKeys)
                    var given: [String: LuaValue] = [:]
                    for k in o.stringKeys { given[k] = o.value(k) }
                    return c.push(object: try ModelObject.make(kind, from: o, given: given))
                }
            }
            sub.function("load", "model.load(path)",
                         "Loads a model saved with m:save(path), whatever its kind (cl.Model kinds, and CLV models as cl.CLVModel); checks the format version, checksum and structure.") { c in
                try load(c)
            }
        }
    }

    /// Method docs for `cl.help` (`MethodDocs` lists them under "cl.Model").
    static var docs: [String: MethodDocs.Entry] {
        var d = commonDocs
        for kind in ModelKinds.all {
            for (name, method) in kind.methods {
                let only = ModelKinds.all.filter { $0.methods[name] != nil }.map(\.name).joined(separator: ", ")
                if let shared = commonDocs[name] { d[name] = (shared.0, shared.1 + " " + only + ": " + method.help); continue }
                d[name] = (method.signature, method.help + " (" + only + " only)")
            }
        }
        return d
    }

    static let commonDocs: [String: MethodDocs.Entry] = [
        "fit": ("model:fit(df, {target =, features =, exclude =, weight =, positive =, prep =, eval_set =} | {duration =, event =, ...})", "Fits the model (eval_set: kinds with early stopping; survival kinds such as cox take duration = and event = instead of target =); returns it."),
        "predict_proba": ("model:predict_proba(df)", "Churn probabilities as a float column; for a multiclass model a frame with one probability column per class, named by the class label (sorted, as scikit-learn's classes_). Regression models have none (use predict)."),
        "predict": ("model:predict(df [, {threshold = 0.5}])", "Predicted classes in the target's own type (int, float, bool or string): P >= threshold for binary, the most probable class for multiclass; predicted values (float) for regression."),
        "explain": ("model:explain(df [, {top = 3, id = 'user_id'}])", "The top reasons per row (largest |contribution| first): row, [the id column,] rank, feature, value (text), numeric_value (null for text features), contribution (SHAP for trees, exact linear SHAP for logistic)."),
        "contributions": ("model:contributions(df)", "Per-row, per-feature contributions (a frame, one column per feature) and the base value; they add up to the raw prediction."),
        "expected_value": ("model:expected_value()", "The explanation base value (mean raw prediction; log-odds for gbdt/logistic, probability for tree/forest)."),
        "importance": ("model:importance([{kind =}])", "A frame of feature and importance, largest first (trees: 'gain' | 'split'; logistic: 'standardized_coef')."),
        "params": ("model:params()", "The model's options."),
        "summary": ("model:summary()", "A text summary of the fitted model (coefficient table for logistic)."),
        "save": ("model:save(path)", "Writes the model file (versioned, checksummed; cl.model.load reads it)."),
    ]

    /// A kind-specific method: runs the receiver's kind's implementation, or says which kinds have it.
    static func dispatch(_ name: String) -> LuaFunction {
        { c in
            let m = try c.object(1, ModelObject.self)
            guard let method = m.kind.methods[name] else {
                if let shared = common[name] { return try shared(c) }   // a kind specialising a common method (cox: summary)
                let kinds = ModelKinds.all.filter { $0.methods[name] != nil }.map(\.name).joined(separator: ", ")
                throw LuaScriptError("\(name) is for \(kinds) models, not \(m.kind.name)")
            }
            return try method.body(c, m)
        }
    }

    static func load(_ c: LuaCall) throws -> Int32 {
        let path = try c.pathArgument(1)
        let contents = try c.withInputFile(path) { p in try c.core { try ModelFile.read(p) } }
        guard let kind = ModelKinds.byName[contents.header.kind] else {
            if let opener = ModelFileOpeners.byKind[contents.header.kind] { return try opener.open(c, contents) }
            throw LuaScriptError("model file '\(path)' holds a '\(contents.header.kind)' model, which this ChurnLab cannot open " +
                                 "(known: \((ModelKinds.all.map(\.name) + ModelFileOpeners.byKind.keys).sorted().joined(separator: ", ")))")
        }
        let m = ModelObject(kind: kind)
        m.fitted = try c.core { try contents.decodeModel() }
        m.metadata = contents.metadata
        return c.push(object: m)
    }

    /// Text of a frame value for explanations.
    static func valueText(_ col: Column, _ i: Int) -> String? {
        if col.isNull(i) { return nil }
        if let s = col.string(at: i) { return s }
        if let d = col.double(at: i) { return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)" }
        return nil
    }

    private static func evalFrame(_ c: LuaCall, _ o: LuaTable) throws -> Frame {
        _ = o.push("eval_set")
        defer { lua_settop(c.L, -2) }
        guard c.isObject(-1, FrameObject.self) else { throw LuaArgumentError(3, "field 'eval_set': cl.Frame expected") }
        return try c.object(-1, FrameObject.self).frame
    }

    /// Prints GBDT-style progress lines every `every` steps, flushed (one line at a time even into a pipe).
    static func progressPrinter(every: Int) -> ProgressCallback? {
        guard every > 0 else { return nil }
        return { p in
            guard (p.step + 1) % every == 0 || p.step + 1 == p.total else { return }
            var line = "[\(p.step + 1)/\(p.total)]"
            if let t = p.trainLoss { line += String(format: " train %@ %.6f", p.lossName, t) }
            if let e = p.evalLoss { line += String(format: "  eval %@ %.6f", p.lossName, e) }
            print(line)
            fflush(stdout)
        }
    }

    static let common: [String: LuaFunction] = [
        "fit": { c in
            let m = try c.object(1, ModelObject.self)
            let frame = try c.frame(2)
            let o = try c.options(3)
            try o.checkKeys(FitInputs.keys.union(["eval_set"]))
            guard let spec = m.spec else {
                throw LuaScriptError("this \(m.kind.name) model was loaded from a file; build one with cl.model.\(m.kind.name){...} to fit")
            }
            let inputs = try FitInputs(c, frame: frame, options: o, argument: 3, kind: spec.targetKind)
            var eval: EvalSet? = nil
            if o.has("eval_set") {
                guard spec.usesEvalSet else {
                    throw LuaArgumentError(3, "field 'eval_set': \(m.kind.name) models have no early stopping; only \(ModelKinds.evalSetKinds.joined(separator: ", ")) models use an eval set")
                }
                eval = try inputs.evalSet(c, frame: try evalFrame(c, o))
            }
            let fitted = try c.core { try SurvivalInputs.fit(spec, inputs, eval: eval, progress: progressPrinter(every: m.verbose)) }
            try c.recharge(1, to: fitted.storageBytes)   // before the model changes: a refusal leaves it as it was
            m.fitted = fitted
            m.metadata = try inputs.metadata(for: fitted)
            lua_settop(c.L, 1)
            return 1   // the model, for chaining
        },
        "save": { c in
            let (f, meta) = try c.object(1, ModelObject.self).fitted("save")
            try c.withOutputFile(try c.pathArgument(2)) { path in try c.core { try f.save(to: path, metadata: meta) } }
            return 0
        },
        "predict_proba": { c in
            let m = try c.object(1, ModelObject.self)
            let (f, meta) = try m.fitted("predict_proba")
            let frame = try c.frame(2)
            switch meta.targetKind {
            case .binary:
                let p = try c.core { try f.predictProba(m.features(frame)) }
                return c.push(column: .float("proba", p))
            case .multiclass:
                // One column per class, named by its label (scikit-learn's classes_ order: sorted).
                let p = try c.core { try f.predictClassProbabilities(m.features(frame)) }
                let names = meta.classes
                return c.push(frame: try c.core { try Frame(p.enumerated().map { k, v in .float(k < names.count ? names[k] : "class\(k + 1)", v) }) })
            case .continuous:
                throw LuaScriptError("predict_proba: this \(m.kind.name) model is a regression of '\(meta.target ?? "the target")'; use m:predict(df) for its values")
            }
        },
        "predict": { c in
            let m = try c.object(1, ModelObject.self)
            let (f, meta) = try m.fitted("predict")
            let frame = try c.frame(2)
            let o = try c.options(3)
            try o.checkKeys(["threshold"])
            let th = try o.number("threshold", in: OptionRange.threshold)
            if th != nil && meta.targetKind != .binary {
                throw LuaArgumentError(3, "field 'threshold' is for binary models; this one is \(meta.targetKind.rawValue)")
            }
            switch meta.targetKind {
            case .binary:
                let p = try c.core { try f.predictProba(m.features(frame)) }
                return c.push(column: meta.labelColumn("prediction", p.map { $0 >= th ?? 0.5 }))
            case .continuous:
                return c.push(column: .float("prediction", try c.core { try f.predictValues(m.features(frame)) }))
            case .multiclass:
                let p = try c.core { try f.predictClassProbabilities(m.features(frame)) }
                return c.push(column: meta.classColumn("prediction", argmaxRows(p)))
            }
        },
        "explain": { c in
            let m = try c.object(1, ModelObject.self)
            let (f, meta) = try m.fitted("explain")
            let o = try c.options(3)
            try o.checkKeys(["top", "id"])
            let top = try o.integer("top", in: OptionRange.positiveSize) ?? 3
            let raw = try c.frame(2)
            let idColumn = try o.string("id").map { name in try c.core { try raw.column(name) } }
            let frame = try c.core { try meta.preprocess(raw) }   // values as the model saw them
            let e = try explanation(c, m, f, raw)
            let cols = try e.featureNames.map { name in try c.core { try frame.column(name) } }
            let k = min(top, e.featureNames.count)
            let n = e.contributions.first?.count ?? 0
            var source: [Int] = [], rank: [Int64] = [], feat: [String?] = [], value: [String?] = []
            var number: [Double] = [], isText: [Bool] = [], contrib: [Double] = []
            for r in 0..<n {
                let phi = e.row(r)
                let order = phi.indices.sorted { abs(phi[$0]) != abs(phi[$1]) ? abs(phi[$0]) > abs(phi[$1]) : $0 < $1 }
                for (i, j) in order.prefix(k).enumerated() {
                    source.append(r); rank.append(Int64(i + 1)); feat.append(e.featureNames[j])
                    value.append(valueText(cols[j], r)); contrib.append(phi[j])
                    let x = cols[j].isNull(r) || cols[j].string(at: r) != nil ? nil : cols[j].double(at: r)
                    number.append(x ?? 0); isText.append(x == nil)
                }
            }
            // `row` always; the id column (as its own type) when `id =` names one; `value` as
            // text for any feature and `numeric_value` as a number (null for text and missing values).
            var out: [Column] = [.int("row", source.map { Int64($0 + 1) })]
            if let idColumn { out.append(idColumn.take(source)) }
            out += [.int("rank", rank), .string("feature", feat), .string("value", value),
                    .float("numeric_value", number, nulls: isText), .float("contribution", contrib)]
            return c.push(frame: try c.core { try Frame(out) })
        },
        "contributions": { c in
            let m = try c.object(1, ModelObject.self)
            let (f, _) = try m.fitted("contributions")
            let e = try explanation(c, m, f, try c.frame(2))
            c.push(frame: try c.core { try Frame(zip(e.featureNames, e.contributions).map { Column.float($0, $1) }) })
            c.push(e.expectedValue)
            return 2
        },
        "expected_value": { c in
            let m = try c.object(1, ModelObject.self)
            let (f, _) = try m.fitted("expected_value")
            guard let v = f.baseValue else { throw LuaScriptError("\(m.kind.name) models have no explanation base value") }
            return c.push(v)
        },
        "importance": { c in
            let m = try c.object(1, ModelObject.self)
            let (f, _) = try m.fitted("importance")
            let o = try c.options(2)
            try o.checkKeys(["kind"])
            let types = type(of: f).importanceTypes
            guard !types.isEmpty else { throw LuaScriptError("\(m.kind.name) models have no built-in importance; use cl.model.permutation_importance") }
            let s = try o.string("kind")
            if let s, !types.contains(s) {
                throw LuaArgumentError(2, "field 'kind': \(types.map { "'\($0)'" }.joined(separator: " or ")) expected, got '\(s)'")
            }
            let v = try c.core { try f.featureImportance(s) } ?? [], names = f.featureNames
            let order = v.indices.sorted { v[$0] != v[$1] ? v[$0] > v[$1] : $0 < $1 }
            return c.push(frame: try c.core { try Frame([.string("feature", order.map { names[$0] }), .float("importance", order.map { v[$0] })]) })
        },
        "params": { c in
            let m = try c.object(1, ModelObject.self)
            var values: [String: LuaValue] = [:]
            for (k, v) in m.fitted?.parameters ?? [:] { values[k] = v.luaValue }
            for (k, v) in m.spec?.parameters ?? [:] { values[k] = v.luaValue }
            for (k, v) in m.given { values[k] = v }
            return c.push(LuaValue.table(values.map { (LuaValue.string($0.key), $0.value) }))
        },
        "summary": { c in
            let (f, _) = try c.object(1, ModelObject.self).fitted("summary")
            return c.push(f.summaryText)
        },
    ]

    private static func explanation(_ c: LuaCall, _ m: ModelObject, _ f: any ChurnModel, _ frame: Frame) throws -> ModelExplanation {
        guard let e = try c.core({ try f.explanation(m.features(frame)) }) else {
            throw LuaScriptError("\(m.kind.name) models cannot explain predictions; use cl.model.permutation_importance")
        }
        return e
    }
}
