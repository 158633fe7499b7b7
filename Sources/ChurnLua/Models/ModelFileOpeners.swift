import ChurnCore
import LuaRuntime

/// A family of model files whose objects are not `cl.Model`s (they have their
/// own userdata, e.g. `cl.CLVModel`) but which `cl.model.load` opens all the
/// same: the file kinds it owns and how to turn read contents into its object.
struct ModelFileOpener {
    let kinds: [String]
    /// Decodes (and validates) `contents` and pushes the object; returns the number of values pushed.
    let open: (LuaCall, ModelFile.Contents) throws -> Int32
}

/// The openers `cl.model.load` consults for kinds that are not in `ModelKinds`.
/// To make another family loadable, add its opener here; `cl.model.load` names no kind.
enum ModelFileOpeners {
    static let all: [ModelFileOpener] = [
        CLVModule.fileOpener,
    ]

    static let byKind: [String: ModelFileOpener] = {
        var d: [String: ModelFileOpener] = [:]
        for o in all { for k in o.kinds { d[k] = o } }
        return d
    }()
}
