import CLua
import ChurnCore
import LuaRuntime

/// Opens the `churnlab` Lua module in a state: `require "churnlab"` returns it
/// and the global `cl` is preloaded. This is the one place where submodules are
/// registered; each lives in its own file (CoreModule.swift, …).
public enum ChurnLab {
    public static let version = ChurnCore.version

    /// The submodules, in registration order. Later work adds its module here.
    static let modules: [(ModuleBuilder) throws -> Void] = [
        CoreModule.register,
        BenchModule.register,
        FrameBasics.register,
        FrameIO.register,
        ParquetBindings.register,
        MetricsModule.register,
        StatsModule.register,
        SurvivalModule.register,
        CLVModule.register,
        SurvivalPlots.register,
        PlotModule.register,
        ExplainModule.register,
        TransformModule.register,
        FeaturesModule.register,
        ObservationBinding.register,
        RetentionModule.register,
        ModelBinding.register,
        SelectionModule.register,
        ReportModule.register,
        RulesModule.register,
        NotebookModule.register,
        ParamsModule.register,
        ClusterModule.register,
        TextModule.register,
        RecommendModule.register,
        TensorModule.register, NNModule.register, SequencesBinding.register,
        WarehouseModule.register,
        PolicyModule.register,
    ]

    /// Lua-side parts of the module (run after the Swift parts, with `cl` as argument).
    static let luaSources: [(name: String, code: String)] = [
        ("=cl.inspect", Prelude.inspect),
        ("=cl.test", Prelude.test),
        ("=cl.help", Prelude.help),
    ]

    public static func open(_ state: LuaState) throws {
        let L = state.L
        _ = state.ensureStack(8)
        lua_createtable(L, 0, 32)
        let cl = ModuleBuilder(state: state, path: "cl", index: lua_absindex(L, -1))
        for register in modules { try register(cl) }
        for (name, code) in luaSources {
            try state.load(string: code, name: name)
            lua_pushvalue(L, cl.index)
            try state.pcall(nargs: 1, nresults: 0)
        }
        // package.loaded.churnlab = cl; global cl = cl
        lua_pushvalue(L, cl.index)
        state.setGlobal("cl")
        state.pushRegistryField("_LOADED")
        state.push("churnlab")
        lua_pushvalue(L, cl.index)
        lua_rawset(L, -3)
        state.pop(2)
    }

    /// A new state with `cl` loaded.
    public static func newState(_ options: LuaOptions = LuaOptions()) throws -> LuaState {
        let s = try LuaState(options)
        try open(s)
        return s
    }
}
