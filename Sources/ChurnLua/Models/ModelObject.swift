import CLua
import ChurnCore
import Foundation
import LuaRuntime

/// Every model as Lua holds it (`cl.Model`): its kind, its options (as given,
/// and parsed into a `ModelSpec`), and once fitted the core model, how the
/// target was coded and the metadata saved with it. No method here knows a
/// kind: each goes through `ChurnModel`, and kind-specific methods come from
/// the kind's registry entry (`ModelKinds`).
final class ModelObject: LuaObject {
    static let luaTypeName = "cl.Model"

    let kind: ModelKind
    /// Options as given to the constructor (overlaid by search parameters), for `m:params()` and refits.
    var given: [String: LuaValue] = [:]
    /// Non-value options of the constructor (`ModelKind.inherit`), for refits with other parameters.
    var inherited: Any?
    /// The unfitted kind with its options; nil for a model loaded from a file.
    var spec: ModelSpec?
    /// Print a progress line every `verbose` iterations (kinds listing `verbose`; 0 = quiet).
    var verbose = 0
    var fitted: (any ChurnModel)?
    /// Feature names, types and levels, target and labels: saved with the model.
    var metadata: ModelMetadata?
    /// A loaded model is charged for its size when pushed; `fit` re-charges (see `LuaCall.recharge`).
    var memoryFootprint: Int { fitted?.storageBytes ?? 0 }

    init(kind: ModelKind) { self.kind = kind }

    /// A model of `kind` from options (a constructor table or a parameter set).
    static func make(_ kind: ModelKind, from o: OptionSource, given: [String: LuaValue]) throws -> ModelObject {
        let m = ModelObject(kind: kind)
        m.given = given
        if let t = o as? LuaTable, let inherit = kind.inherit { m.inherited = try inherit(t) }
        var spec = try kind.parse(o)
        spec.threads = try ModelOptions.threads(o, kind: kind)
        m.spec = spec
        if kind.optionKeys.contains("verbose") { m.verbose = try o.integer("verbose", in: 0...OptionLimits.trees) ?? 0 }
        return m
    }

    /// The spec for this model's options with `params` overriding them (model selection).
    func spec(overriding params: ParamSet) throws -> ModelSpec {
        if params.isEmpty, let spec { return spec }
        var values = given
        for (k, v) in params {
            guard kind.optionKeys.contains(k) else {
                throw LuaScriptError("\(kind.name): unknown parameter '\(k)' (known: \(kind.optionKeys.sorted().joined(separator: ", ")))")
            }
            values[k] = v.luaValue
        }
        guard spec != nil || !values.isEmpty || !params.isEmpty else {
            throw LuaScriptError("this \(kind.name) model was loaded from a file; build one with cl.model.\(kind.name){...} to refit it")
        }
        let o = ValueOptions(values: values, owner: kind.name, inherited: inherited)
        var s = try kind.parse(o)
        s.threads = try ModelOptions.threads(o, kind: kind)
        return s
    }

    func fitted(_ what: String) throws -> (any ChurnModel, ModelMetadata) {
        guard let fitted, let metadata else {
            throw LuaScriptError("\(what): this \(kind.name) model is not fitted yet: call m:fit(frame, {target = ...}) first")
        }
        return (fitted, metadata)
    }

    /// The fitted core model as its concrete type (for kind-specific methods).
    func fittedAs<M: ChurnModel>(_ type: M.Type) throws -> M {
        let (f, _) = try fitted(kind.name)
        guard let m = f as? M else { throw LuaScriptError("internal error: a \(kind.name) model holds a \(f.kind) payload") }
        return m
    }

    /// The model's input matrix from `frame` (its pipeline, features and categorical coding).
    func features(_ frame: Frame) throws -> FeatureMatrix {
        let (f, meta) = try fitted("predict")
        return try f.features(from: frame, metadata: meta)
    }

    var description: String {
        guard let f = fitted, let meta = metadata else { return "cl.Model \(kind.name) (not fitted)" }
        var head = "cl.Model \(kind.name)"
        if let target = meta.target, meta.targetKind == .continuous {
            head += ": predicts \(target) (regression)"
        } else if let target = meta.target, meta.targetKind == .multiclass {
            head += ": P(\(target) = each of \(meta.classes.count) classes: \(meta.classes.prefix(10).joined(separator: ", ")))"
        } else if let target = meta.target, let pos = meta.positiveLabel {
            head += ": P(\(target) = '\(pos)')"
            if meta.extra["positive_inferred"] == "true" { head += " — positive class chosen automatically (minority label); set positive = ... to change" }
        }
        return head + "\n" + f.summaryText
    }
}

extension ModelMetadata {
    static let targetTypeKey = "target_type"
    static let targetKindKey = "target_kind"
    static let classesKey = "classes"

    /// Records the target kind and, for multiclass, the class labels (JSON) in the file's extras.
    mutating func setTarget(kind: TargetKind, classes: [String]?) {
        extra[Self.targetKindKey] = kind.rawValue
        if let classes, let data = try? JSONEncoder().encode(classes) { extra[Self.classesKey] = String(decoding: data, as: UTF8.self) }
    }

    /// The target kind the model was fitted on (files from before kinds were recorded are binary).
    var targetKind: TargetKind { extra[Self.targetKindKey].flatMap(TargetKind.init(rawValue:)) ?? .binary }

    /// Class labels of a multiclass model, in class-code order.
    var classes: [String] {
        guard let text = extra[Self.classesKey], let v = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return [] }
        return v
    }

    /// Class codes as a column of the class labels in the target's own type.
    func classColumn(_ name: String, _ codes: [Int]) -> Column {
        let labels = classes
        func label(_ k: Int) -> String { k >= 0 && k < labels.count ? labels[k] : String(k) }
        switch targetType {
        case .int64: return .int(name, codes.map { Int64(label($0)) ?? Int64($0) })
        case .float64: return .float(name, codes.map { Double(label($0)) ?? Double($0) })
        case .bool: return .bool(name, codes.map { label($0) == "true" })
        default: return .string(name, codes.map { label($0) })
        }
    }

    /// The Lua-visible type of the target column at fit time; files written
    /// before it was recorded are read from their labels.
    var targetType: DType {
        if let t = extra[Self.targetTypeKey], let d = DType(rawValue: t) { return d }
        let labels = Set([positiveLabel ?? "1", negativeLabel ?? "0"])
        if labels == ["0", "1"] { return .int64 }
        if labels == ["true", "false"] { return .bool }
        return .string
    }

    /// A prediction column holding the positive or negative label in the target's own type.
    func labelColumn(_ name: String, _ positive: [Bool]) -> Column {
        let pos = positiveLabel ?? "1", neg = negativeLabel ?? "0"
        switch targetType {
        case .int64:
            let p = Int64(pos) ?? 1, n = Int64(neg) ?? 0
            return .int(name, positive.map { $0 ? p : n })
        case .float64:
            let p = Double(pos) ?? 1, n = Double(neg) ?? 0
            return .float(name, positive.map { $0 ? p : n })
        case .bool:
            let p = pos == "true"
            return .bool(name, positive.map { $0 ? p : !p })
        default:
            return .string(name, positive.map { $0 ? pos : neg })
        }
    }
}
