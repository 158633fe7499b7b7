import ChurnLua
import Foundation
import LuaRuntime

/// Prepares a Lua state for running user scripts: `cl` loaded, `arg` set like
/// the `lua` interpreter does, `require` looking next to the script first.
enum ScriptHost {
    static func makeState(options: LuaOptions, scriptPath: String?, args: [String]) throws -> LuaState {
        let state = try ChurnLab.newState(options)
        state.onFinalizerErrorAtClose = { printError("churnlab: a finalizer run at exit failed: \($0)") }
        // arg[0] = script, arg[1..] = arguments, arg[-1] = the interpreter.
        var kv: [(key: LuaValue, value: LuaValue)] = [(.integer(-1), .string("churnlab")),
                                                      (.integer(0), .string(scriptPath ?? "-e"))]
        for (i, a) in args.enumerated() { kv.append((.integer(Int64(i + 1)), .string(a))) }
        state.push(LuaValue.table(kv))
        state.setGlobal("arg")
        if let scriptPath, scriptPath != "-" {
            try addModuleDirectory(directory(of: scriptPath), to: state)
        }
        return state
    }

    static func directory(of scriptPath: String) -> String {
        let dir = URL(fileURLWithPath: scriptPath).deletingLastPathComponent().path
        return dir.isEmpty ? "." : dir
    }

    /// Prepends `dir/?.lua;dir/?/init.lua;` to package.path.
    static func addModuleDirectory(_ dir: String, to state: LuaState) throws {
        try state.load(string: "local d = ...; package.path = d .. '/?.lua;' .. d .. '/?/init.lua;' .. package.path", name: "=path")
        state.push(dir)
        try state.pcall(nargs: 1, nresults: 0)
    }
}
