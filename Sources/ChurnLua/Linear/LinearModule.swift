import CLua
import ChurnCore
import Foundation
import LuaRuntime

/// A logistic-regression model as Lua holds it: options until fitted, then the
/// fitted core model and the metadata saved with it.
public final class LogisticObject: LuaObject, LuaModelSpec {
    public static let luaTypeName = "cl.LogisticModel"
    var options: LogisticRegression.Options
    var model: LogisticRegression?
    var metadata: ModelMetadata?
    init(options: LogisticRegression.Options, model: LogisticRegression? = nil, metadata: ModelMetadata? = nil) {
        self.options = options; self.model = model; self.metadata = metadata
    }

    func fitFunction(_ params: ParamSet) throws -> FitFunction {
        let o = try LinearModule.apply(params, to: options)
        return { X, y, w in try LogisticRegression.fit(X, y, weights: w, options: o) }
    }

    func fitted(_ what: String) throws -> (LogisticRegression, ModelMetadata) {
        guard let model, let metadata else { throw LuaScriptError("\(what): the model is not fitted yet; call m:fit(frame, {target = ...}) first") }
        return (model, metadata)
    }
}

/// `cl.model.logistic{...}`, `cl.model.load(path)` and the methods of fitted
/// logistic models. Thin: options and frames in, `ChurnCore` does the work.
enum LinearModule {
    static let optionKeys: Set<String> = ["penalty", "C", "l1_ratio", "fit_intercept", "class_weight", "standardize", "solver", "tol", "max_iter"]

    static func register(_ cl: ModuleBuilder) {
        cl.state.register(LogisticObject.self, LuaClass(methods: methods, metamethods: [
            "__tostring": { c in
                let m = try c.object(1, LogisticObject.self)
                guard let model = m.model else {
                    return c.push("<cl.LogisticModel unfitted: penalty \(m.options.penalty.rawValue), C \(m.options.C)>")
                }
                var head = ""
                if let meta = m.metadata, let target = meta.target, let pos = meta.positiveLabel {
                    head = "P(\(target) = '\(pos)')" +
                        (meta.extra["positive_inferred"] == "true" ? " — positive class chosen automatically (minority label); set positive = ... to change\n" : "\n")
                }
                return c.push(head + model.summary())
            },
        ]))
        cl.submodule("model", "Models: fit, predict, explain, save and load.") { m in
            m.function("logistic", "model.logistic{penalty = 'l2', C = 1, l1_ratio = 0.5, fit_intercept = true, class_weight = 'none', standardize = false, solver = 'auto', tol = 1e-8, max_iter = 1000}",
                       "A logistic-regression model (scikit-learn's parametrisation: loss + penalty/C). penalty: 'none', 'l2', 'l1' or 'elasticnet'; class_weight 'balanced' reweights classes; standardize scales columns so the penalty acts on standardised coefficients. Text columns are one-hot encoded with the alphabetically first level as reference. Ranges: C and tol finite > 0, l1_ratio [0, 1], max_iter 1…1000000.") { c in
                let t = try c.options(1)
                try t.checkKeys(optionKeys)
                return c.push(object: LogisticObject(options: try options(t)))
            }
            m.function("load", "model.load(path)",
                       "Loads a model saved with m:save(path); checks the format version and checksum.") { c in
                try ModelLoaders.load(c)
            }
        }
    }

    static func options(_ t: LuaTable) throws -> LogisticRegression.Options {
        var params: ParamSet = [:]
        for key in optionKeys {
            if let v = try paramValue(t.value(key), key: key) { params[key] = v }
        }
        do { return try apply(params, to: LogisticRegression.Options()) }
        catch let e as LinearModelError { throw LuaArgumentError(1, "\(e)") }
    }

    /// A Lua option value as a model parameter (nil when absent).
    static func paramValue(_ v: LuaValue, key: String) throws -> ParamValue? {
        switch v {
        case .nil: return nil
        case .bool(let b): return .bool(b)
        case .integer(let i): return .int(Int(i))
        case .number(let d): return .double(d)
        case .string(let s): return .string(s)
        default: throw LuaScriptError("option '\(key)' must be a number, string or boolean, got \(v)")
        }
    }

    /// Options with `params` (Lua option names) applied; errors name the option.
    static func apply(_ params: ParamSet, to base: LogisticRegression.Options) throws -> LogisticRegression.Options {
        var o = base
        func bad(_ key: String, _ want: String) -> LinearModelError {
            .invalidOption("logistic: \(key) must be \(want), got \(params[key]!)")
        }
        func number(_ key: String, _ v: ParamValue, _ range: NumberRange) throws -> Double {
            guard let d = NumericOption.number(v.luaValue, in: range) else { throw bad(key, range.description) }
            return d
        }
        for (key, v) in params.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "penalty":
                guard let p = v.stringValue.flatMap(LogisticRegression.Penalty.init) else { throw bad(key, "one of 'none', 'l2', 'l1', 'elasticnet'") }
                o.penalty = p
            case "C": o.C = try number(key, v, .positive)
            case "l1_ratio": o.l1Ratio = try number(key, v, .probability)
            case "fit_intercept": guard let b = v.boolValue else { throw bad(key, "a boolean") }; o.fitIntercept = b
            case "class_weight":
                guard let w = v.stringValue.flatMap(LogisticRegression.ClassWeight.init) else { throw bad(key, "'none' or 'balanced'") }
                o.classWeight = w
            case "standardize": guard let b = v.boolValue else { throw bad(key, "a boolean") }; o.standardize = b
            case "solver":
                guard let sv = v.stringValue.flatMap(LogisticRegression.Solver.init) else { throw bad(key, "one of 'auto', 'lbfgs', 'newton', 'owlqn'") }
                o.solver = sv
            case "tol": o.tol = try number(key, v, .positive)
            case "max_iter":
                guard let i = NumericOption.integer(v.luaValue, in: OptionRange.resamples) else { throw bad(key, NumericOption.describe(OptionRange.resamples)) }
                o.maxIter = i
            default:
                throw LinearModelError.invalidOption("logistic: unknown parameter '\(key)' (known: \(optionKeys.sorted().joined(separator: ", ")))")
            }
        }
        return o
    }

    static func params(_ c: LuaCall, _ o: LogisticRegression.Options) -> Int32 {
        let t = c.newTable(record: 9)
        t.set("kind", "logistic")
        t.set("penalty", o.penalty.rawValue); t.set("C", o.C); t.set("l1_ratio", o.l1Ratio)
        t.set("fit_intercept", o.fitIntercept); t.set("class_weight", o.classWeight.rawValue)
        t.set("standardize", o.standardize); t.set("solver", o.solver.rawValue); t.set("tol", o.tol); t.set("max_iter", o.maxIter)
        return 1
    }

    /// Text of a frame value for explanations.
    static func valueText(_ col: Column, _ i: Int) -> String {
        if let s = col.string(at: i) { return s }
        if let d = col.double(at: i) { return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)" }
        return "null"
    }

    static let methods: [String: LuaFunction] = [
        "fit": { c in
            let m = try c.object(1, LogisticObject.self)
            let frame = try c.frame(2)
            let o = try c.options(3)
            if o.has("eval_set") {
                throw LuaArgumentError(3, "field 'eval_set': logistic regression has no early stopping; only gbdt models use an eval set")
            }
            try o.checkKeys(FitInputs.keys)
            let inputs = try FitInputs(c, frame: frame, options: o, argument: 3)
            let (model, fittedMeta) = try c.core { () -> (LogisticRegression, ModelMetadata) in
                let model = try LogisticRegression.fit(inputs.X, inputs.target.y, weights: inputs.weights, options: m.options)
                var meta = model.metadata(target: inputs.targetName, positiveLabel: inputs.target.positiveLabel,
                                          negativeLabel: inputs.target.negativeLabel)
                if inputs.target.positiveWasInferred { meta.extra["positive_inferred"] = "true" }
                return (model, meta)
            }
            var meta = fittedMeta
            try inputs.attachPrep(to: &meta)
            m.model = model; m.metadata = meta
            lua_settop(c.L, 1)
            return 1   // the model, for chaining
        },
        "predict_proba": { c in
            let (model, meta) = try c.object(1, LogisticObject.self).fitted("predict_proba")
            let frame = try c.frame(2)
            let p = try c.core { try model.predictProba(meta.featureMatrix(from: frame, recode: false)) }
            return c.push(column: .float("p", p))
        },
        "predict": { c in
            let (model, meta) = try c.object(1, LogisticObject.self).fitted("predict")
            let frame = try c.frame(2)
            let o = try c.options(3)
            try o.checkKeys(["threshold"])
            let threshold = try o.number("threshold", in: .probability) ?? 0.5
            let p = try c.core { try model.predictProba(meta.featureMatrix(from: frame, recode: false)) }
            return c.push(column: .int("pred", p.map { $0 >= threshold ? 1 : 0 }))
        },
        "params": { c in params(c, try c.object(1, LogisticObject.self).options) },
        "coefficients": { c in
            let (model, _) = try c.object(1, LogisticObject.self).fitted("coefficients")
            let rows = model.coefficientTable()
            func opt(_ name: String, _ v: [Double?]) -> Column { .float(name, v.map { $0 ?? 0 }, nulls: v.map { $0 == nil }) }
            return c.push(frame: try c.core { try Frame([
                .string("name", rows.map(\.name)), .float("coef", rows.map(\.coef)),
                opt("std_err", rows.map(\.stdErr)), opt("z", rows.map(\.z)), opt("p_value", rows.map(\.pValue)),
                opt("ci_low", rows.map(\.ciLow)), opt("ci_high", rows.map(\.ciHigh)),
            ]) })
        },
        "contributions": { c in
            let (model, meta) = try c.object(1, LogisticObject.self).fitted("contributions")
            let frame = try c.frame(2)
            let contrib = try c.core { try model.contributions(meta.featureMatrix(from: frame, recode: false)) }
            let f = try c.core { try Frame(zip(contrib.featureNames, contrib.values).map { Column.float($0, $1) }) }
            c.push(frame: f)
            c.push(contrib.baseline)
            return 2
        },
        "explain": { c in
            let (model, meta) = try c.object(1, LogisticObject.self).fitted("explain")
            let frame = try c.core { try meta.preprocess(try c.frame(2)) }   // values as the model saw them
            let o = try c.options(3)
            try o.checkKeys(["top"])
            let top = try o.integer("top", in: OptionRange.positiveSize) ?? 3
            let contrib = try c.core { try model.contributions(meta.featureMatrix(from: frame, recode: false)) }
            let cols = try c.core { try contrib.featureNames.map { try frame.column($0) } }
            var row: [Int64] = [], rank: [Int64] = [], feature: [String?] = [], value: [String?] = [], amount: [Double] = []
            let k = min(top, contrib.featureNames.count)
            for i in 0..<frame.nrow {
                // Reasons pushing toward churn first: largest contributions to the log-odds.
                let order = contrib.featureNames.indices.sorted { contrib.values[$0][i] != contrib.values[$1][i] ? contrib.values[$0][i] > contrib.values[$1][i] : $0 < $1 }
                for (r, j) in order.prefix(k).enumerated() {
                    row.append(Int64(i + 1)); rank.append(Int64(r + 1)); feature.append(contrib.featureNames[j])
                    value.append(valueText(cols[j], i)); amount.append(contrib.values[j][i])
                }
            }
            return c.push(frame: try c.core { try Frame([.int("row", row), .int("rank", rank), .string("feature", feature),
                                                          .string("value", value), .float("contribution", amount)]) })
        },
        "summary": { c in
            let (model, _) = try c.object(1, LogisticObject.self).fitted("summary")
            return c.push(model.summary())
        },
        "save": { c in
            let (model, meta) = try c.object(1, LogisticObject.self).fitted("save")
            try c.withOutputFile(try c.pathArgument(2)) { p in try c.core { try model.save(to: p, metadata: meta) } }
            return 0
        },
        "info": { c in
            let (model, meta) = try c.object(1, LogisticObject.self).fitted("info")
            let t = c.newTable(record: 8)
            t.set("solver", model.info.solver.rawValue); t.set("iterations", model.info.iterations)
            t.set("converged", model.info.converged); t.set("message", model.info.message)
            t.set("nobs", model.info.nobs)
            if let p = meta.positiveLabel { t.set("positive", p) }
            if let tgt = meta.target { t.set("target", tgt) }
            t.set("positive_inferred", meta.extra["positive_inferred"] == "true")
            return 1
        },
    ]
}
