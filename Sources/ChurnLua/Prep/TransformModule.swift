import ChurnCore
import LuaRuntime

/// Registers the transformation layer: expressions (`cl.col`, `cl.when`, …),
/// grouped frames, `cl.concat`, and `cl.prep`. Frame methods live in
/// `FrameTransforms.methods` and `FrameSplits.methods` (listed in `FrameMethods.all`).
enum TransformModule {
    static func register(_ cl: ModuleBuilder) throws {
        ExprBinding.register(cl)
        FrameTransforms.register(cl)
        PrepBinding.register(cl)
    }
}
