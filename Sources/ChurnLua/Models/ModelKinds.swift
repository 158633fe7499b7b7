import ChurnCore
import LuaRuntime

/// A method only some kinds have (`m:oob_score()`, `m:coefficients()`), with its help.
struct KindMethod {
    let signature: String
    let help: String
    let body: (LuaCall, ModelObject) throws -> Int32
}

/// One model kind as Lua offers it: `cl.model.<name>{...}` builds a `cl.Model`
/// of this kind; `cl.model.load` reads files of this kind; model selection
/// re-parses its options with overrides. Everything else (fit, predict,
/// explain, importance, save, selection, reports, uplift) is common code in
/// `ModelObject` working through `ChurnModel`.
struct ModelKind {
    /// `cl.model.<name>`, `m.kind` and the model file's kind.
    let name: String
    let signature: String
    let help: String
    /// Option keys of the constructor (and of grid/random search). The common
    /// keys `threads` (parallel kinds) and `verbose` (iterative kinds) are read
    /// by `ModelObject` when a kind lists them.
    let optionKeys: Set<String>
    /// The core type (registered with `ModelRegistry` so its files load).
    let type: any ChurnModel.Type
    /// Reads and validates the options into a spec (from an option table or a
    /// parameter set). Must validate everything `fit` would, so errors come at construction.
    let parse: (OptionSource) throws -> ModelSpec
    /// Options that are not plain values (the event log of the sequence kinds),
    /// read once from the constructor table and handed to `parse` again as
    /// `ValueOptions.inherited` when model selection tries a parameter set.
    var inherit: ((LuaTable) throws -> Any?)? = nil
    /// Methods only this kind has; called with the model object.
    var methods: [String: KindMethod] = [:]
}

/// The kind registry. To add a kind: write its core type conforming to
/// `ChurnModel`, then add one `ModelKind` line here (usually a static in the
/// kind's binding file). Nothing else needs to know about it.
enum ModelKinds {
    static let all: [ModelKind] = [
        TreeKinds.tree,
        TreeKinds.forest,
        TreeKinds.gbdt,
        LinearModule.logistic,
        MLPKind.mlp,
        CoxModelBinding.kind,
        SequenceKinds.gru, SequenceKinds.lstm, SequenceKinds.cnn,
    ]

    static let byName: [String: ModelKind] = {
        var d: [String: ModelKind] = [:]
        for k in all { d[k.name] = k; ModelRegistry.register(k.type) }
        return d
    }()

    static func named(_ name: String) throws -> ModelKind {
        guard let k = byName[name] else {
            throw LuaScriptError("unknown model kind '\(name)' (known: \(all.map(\.name).joined(separator: ", ")))")
        }
        return k
    }

    /// Names of every kind-specific method, for the `cl.Model` method table.
    static var extraMethodNames: Set<String> { Set(all.flatMap(\.methods.keys)) }

    /// Kinds that accept an eval set, for messages.
    static var evalSetKinds: [String] { all.filter { $0.type.usesEvalSet }.map(\.name) }
}

/// Common option reading shared by every kind.
enum ModelOptions {
    /// Threads for one model's or search's parallel loops.
    static let threads = 1...1024

    /// `threads =`, validated, when the kind lists it.
    static func threads(_ o: OptionSource, kind: ModelKind) throws -> Int? {
        guard kind.optionKeys.contains("threads") else { return nil }
        return try o.integer("threads", in: threads)
    }
}
