import ChurnCore
import LuaRuntime

/// `cl.model.load`: which binding opens a model file, by the kind in its header.
enum ModelLoaders {
    static let byKind: [String: (LuaCall, ModelFile.Contents) throws -> Int32] = [
        LogisticRegression.kind: { c, contents in
            let model = try c.core { try contents.decode(LogisticRegression.self, kind: LogisticRegression.kind) }
            return c.push(object: LogisticObject(options: model.options, model: model, metadata: contents.metadata))
        },
        "tree": { c, contents in try TreeModels.open(c, contents, .tree(try contents.decode(DecisionTree.self, kind: "tree"))) },
        "forest": { c, contents in try TreeModels.open(c, contents, .forest(try contents.decode(RandomForest.self, kind: "forest"))) },
        "gbdt": { c, contents in try TreeModels.open(c, contents, .gbdt(try contents.decode(GradientBoosting.self, kind: "gbdt"))) },
        CoxPHModel.kind: CoxModelBinding.open,
    ]

    static func load(_ c: LuaCall) throws -> Int32 {
        let path = try c.pathArgument(1)
        let contents = try c.withInputFile(path) { p in try c.core { try ModelFile.read(p) } }
        guard let open = byKind[contents.header.kind] else {
            throw LuaScriptError("model file '\(path)' holds a '\(contents.header.kind)' model, which this ChurnLab cannot open " +
                                 "(known: \(byKind.keys.sorted().joined(separator: ", ")))")
        }
        return try c.core { try open(c, contents) }
    }
}

extension TreeModels {
    /// A fitted tree model object from a model file.
    static func open(_ c: LuaCall, _ contents: ModelFile.Contents, _ fitted: TreeModelObject.Fitted) throws -> Int32 {
        let kind = contents.header.kind
        let m = TreeModelObject(kind: kind)
        m.fitted = fitted
        m.metadata = contents.metadata
        let meta = contents.metadata
        m.target = (meta.target ?? "target", meta.positiveLabel ?? "1", meta.negativeLabel ?? "0", meta.extra["positive_inferred"] == "true")
        return c.push(object: m)
    }
}
