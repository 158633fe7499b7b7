import ArgumentParser
import Foundation
import LuaRuntime

/// Limits and sandbox flags shared by the commands that run Lua code.
struct RuntimeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Stop the script after this many seconds (0 < seconds <= 31536000).", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .customLong("memory-limit"), help: ArgumentHelp("Cap the Lua heap at this many megabytes (0 < MB <= 16777216).", valueName: "MB"))
    var memoryLimit: Double?

    @Flag(name: .long, help: "Run sandboxed: no os.execute, io.popen, package.loadlib, debug, or binary chunks; files only below the script's directory and --allow-path.")
    var sandbox = false

    @Option(name: .customLong("allow-path"), help: ArgumentHelp("With --sandbox, also allow files below this path (repeatable).", valueName: "path"))
    var allowPaths: [String] = []

    func validate() throws {
        if let e = LuaLimits.rangeError(timeout: timeout, memoryMegabytes: memoryLimit) { throw ValidationError(e) }
        if !allowPaths.isEmpty && !sandbox { throw ValidationError("--allow-path only makes sense with --sandbox") }
    }

    /// Options for a state running a script in `scriptDirectory`.
    func luaOptions(scriptDirectory: String) -> LuaOptions {
        LuaOptions(limits: LuaLimits(timeout: timeout, memoryBytes: memoryLimit.map { LuaLimits.megabytes($0) }),
                   sandbox: sandbox ? SandboxPolicy(roots: [scriptDirectory] + allowPaths) : nil)
    }
}
