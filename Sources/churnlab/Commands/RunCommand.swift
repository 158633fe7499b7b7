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
              churnlab run -e 'print(...)' -- a b
              churnlab run --sandbox --timeout 10 --memory-limit 256 rules.lua
              churnlab run pipeline.lua -p horizon=60 -p as_of=2024-11-01 --manifest run.json

            Parameters (-p/--param NAME=VALUE) and --manifest may also follow the script; arguments after `--` go \
            to the script untouched (with -e and no script, `-- a b` passes a and b to the code as `arg` and `...`).
            """
    )

    @Option(name: .customShort("e"), parsing: .unconditionalSingleValue, help: ArgumentHelp("Run this code before the script (repeatable).", valueName: "code"))
    var execute: [String] = []

    @Option(name: [.customShort("p"), .customLong("param")],
            help: ArgumentHelp("Set a parameter the script declares with cl.params (repeatable).", valueName: "name=value"))
    var params: [String] = []

    @Option(name: .long, help: ArgumentHelp("Write a run manifest (version, script hash, params, seed, input and output files with SHA-256).", valueName: "file"))
    var manifest: String?

    @OptionGroup var runtime: RuntimeOptions

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The script ('-' for stdin) and its arguments.", valueName: "script [args...]"))
    var scriptAndArgs: [String] = []

    func validate() throws {
        if execute.isEmpty && scriptAndArgs.isEmpty { throw ValidationError("nothing to run: give a script, '-' or -e CODE") }
    }

    func run() throws {
        // The passthrough argument captures everything, --help included.
        if let first = scriptAndArgs.first, first == "--help" || first == "-h" {
            print(Churnlab.helpMessage(for: RunCommand.self))
            return
        }
        var invocation = RunInvocation(scriptAndArgs: scriptAndArgs, params: params, manifest: manifest, execute: execute)
        do { try invocation.extractTrailingOptions() } catch {
            printError("churnlab: \(error)")
            throw ExitStatus.usage
        }
        let given: [String: String]
        do { given = try ScriptParamRegistry.parse(invocation.params) } catch {
            printError("churnlab: \(error)")
            throw ExitStatus.usage
        }
        let script = invocation.script
        let args = invocation.args
        let dir = script.flatMap { $0 == "-" ? nil : ScriptHost.directory(of: $0) }
        if let script, script != "-", !FileManager.default.isReadableFile(atPath: script) {
            printError("churnlab: cannot open \(script)")
            throw ExitStatus.noInput
        }
        let options = runtime.luaOptions(scriptDirectory: dir)
        runtime.confineProcess(options, hostWritable: invocation.manifest.map { [ScriptHost.directory(of: $0)] } ?? [])
        let state: LuaState
        do {
            state = try ScriptHost.makeState(options: options, scriptPath: script, args: args)
            state.paramRegistry = ScriptParamRegistry(given: given)
            if invocation.manifest != nil {
                state.fileObserver = FileObserver()
                try state.trackFileAccess()
            }
        } catch {
            printError("churnlab: cannot start Lua: \(error)")
            throw ExitStatus.software
        }
        // Ctrl-C stops the script ("interrupted", exit code 130); a second
        // Ctrl-C before it stopped ends the process at once.
        Interrupts.install(for: state, secondInterruptExits: true)
        defer { Interrupts.uninstall() }
        let recorder = invocation.manifest.map { ManifestRecorder(path: $0, invocation: invocation, execute: execute, runtime: runtime) }
        var failure: LuaError?
        do {
            for (i, code) in execute.enumerated() {
                try state.load(string: code, name: execute.count == 1 ? "=(command line)" : "=(command line \(i + 1))")
                // Without a script (`-e CODE -- a b`) the code gets the arguments as `...` too.
                let codeArgs = script == nil ? args : []
                for a in codeArgs { state.push(a) }
                try state.pcall(nargs: Int32(codeArgs.count), nresults: 0)
            }
            if let script {
                if script == "-" {
                    let data = FileHandle.standardInput.readDataToEndOfFile()
                    recorder?.scriptData = data
                    try state.load(string: String(decoding: data, as: UTF8.self), name: "=stdin")
                } else {
                    try state.load(file: script)
                }
                for a in args { state.push(a) }
                try state.pcall(nargs: Int32(args.count), nresults: 0)
            }
            if !given.isEmpty && !state.paramRegistry.declared {
                throw LuaError(kind: .runtime, message: "parameters given with -p (\(given.keys.sorted().joined(separator: ", "))) but the script never called cl.params")
            }
        } catch let e as LuaError {
            failure = e
        }
        fflush(stdout)
        if let recorder {
            do { try recorder.write(state: state, failure: failure) } catch {
                printError("churnlab: cannot write the manifest: \(error)")
                throw ExitStatus.failure
            }
        }
        if let failure {
            printError(failure.fullReport)
            throw failure.kind == .interrupted ? ExitStatus.interrupted : ExitStatus.failure
        }
    }
}
