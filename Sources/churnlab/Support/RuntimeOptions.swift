import ArgumentParser
import Foundation
import LuaRuntime

/// Limits and sandbox flags shared by the commands that run Lua code.
struct RuntimeOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Stop the script after this many seconds (0 < seconds <= 31536000).", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .customLong("memory-limit"), parsing: .unconditional, help: ArgumentHelp("Cap the Lua heap at this many megabytes (0 < MB <= 16777216).", valueName: "MB"))
    var memoryLimit: Double?

    @Flag(name: .long, help: "Run sandboxed: no os.execute, io.popen, package.loadlib, debug, or binary chunks; files only below the script's directory and --allow-path (code from -e, standard input or the REPL: only --allow-path). On Linux the process is also confined with Landlock when the kernel supports it.")
    var sandbox = false

    @Option(name: .customLong("allow-path"), help: ArgumentHelp("With --sandbox, also allow files below this path (repeatable).", valueName: "path"))
    var allowPaths: [String] = []

    func validate() throws {
        if let e = LuaLimits.rangeError(timeout: timeout, memoryMegabytes: memoryLimit) { throw ValidationError(e) }
        if !allowPaths.isEmpty && !sandbox { throw ValidationError("--allow-path only makes sense with --sandbox") }
    }

    /// With --sandbox, confines the whole process (Landlock, no-new-privileges)
    /// to the policy's roots plus the command's own files; call before any
    /// thread is started. See `OSConfinement`.
    func confineProcess(_ options: LuaOptions, hostWritable: [String] = [], hostReadable: [String] = []) {
        guard let policy = options.sandbox else { return }
        OSConfinement.apply(roots: policy.roots, hostWritable: hostWritable, hostReadable: hostReadable)
    }

    /// Options for a state running a script from `scriptDirectory`; nil when the
    /// code does not come from a script file (-e, standard input, the REPL):
    /// then a sandbox has no root but the --allow-path ones (never the current
    /// directory, which says nothing about what the code may touch).
    func luaOptions(scriptDirectory: String?) -> LuaOptions {
        LuaOptions(limits: LuaLimits(timeout: timeout, memoryBytes: memoryLimit.map { LuaLimits.megabytes($0) }),
                   sandbox: sandbox ? SandboxPolicy(roots: (scriptDirectory.map { [$0] } ?? []) + allowPaths) : nil)
    }
}
