import ArgumentParser
import ChurnLua
import Foundation
import LuaRuntime

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script (or code given with -e, or '-' for standard input).",
        discussion: """
            Like the `lua` interpreter: the script sees its arguments in `arg` (arg[0] is the script) and as `...`; \
            `require` finds modules next to the script and on LUA_PATH. On an error the message (SCRIPT:LINE: message) \
            and a traceback go to standard error and the exit code is 1.

            Examples:
              churnlab run pipeline.lua 2024-10-01
              churnlab run -e 'print(cl.version)'
              churnlab run --sandbox --timeout 10 --memory-limit 256 rules.lua
            """
    )

    @Option(name: .customShort("e"), help: ArgumentHelp("Run this code before the script (repeatable).", valueName: "code"))
    var execute: [String] = []

    @OptionGroup var runtime: RuntimeOptions

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The script ('-' for stdin) and its arguments.", valueName: "script [args...]"))
    var scriptAndArgs: [String] = []

    func validate() throws {
        if execute.isEmpty && scriptAndArgs.isEmpty { throw ValidationError("nothing to run: give a script, '-' or -e CODE") }
    }

    func run() throws {
        // The passthrough argument captures everything, --help included.
        if let first = scriptAndArgs.first, first == "--help" || first == "-h" {
            print(RunCommand.helpMessage())
            return
        }
        let script = scriptAndArgs.first
        let args = Array(scriptAndArgs.dropFirst())
        let dir = script.flatMap { $0 == "-" ? nil : ScriptHost.directory(of: $0) } ?? FileManager.default.currentDirectoryPath
        if let script, script != "-", !FileManager.default.isReadableFile(atPath: script) {
            printError("churnlab: cannot open \(script)")
            throw ExitStatus.noInput
        }
        let state: LuaState
        do {
            state = try ScriptHost.makeState(options: runtime.luaOptions(scriptDirectory: dir), scriptPath: script, args: args)
        } catch {
            printError("churnlab: cannot start Lua: \(error)")
            throw ExitStatus.software
        }
        do {
            for (i, code) in execute.enumerated() {
                try state.load(string: code, name: execute.count == 1 ? "=(command line)" : "=(command line \(i + 1))")
                try state.pcall(nargs: 0, nresults: 0)
            }
            if let script {
                if script == "-" {
                    let data = FileHandle.standardInput.readDataToEndOfFile()
                    try state.load(string: String(decoding: data, as: UTF8.self), name: "=stdin")
                } else {
                    try state.load(file: script)
                }
                for a in args { state.push(a) }
                try state.pcall(nargs: Int32(args.count), nresults: 0)
            }
        } catch let e as LuaError {
            printError(e.fullReport)
            throw ExitStatus.failure
        }
        fflush(stdout)
    }
}
