import ChurnCore
import ChurnLua
import Foundation
import LuaRuntime

/// The script, its arguments, -p parameters and --manifest of a `churnlab run`.
/// `-p`/`--param` and `--manifest` may follow the script (as in
/// `churnlab run pipeline.lua -p horizon=60`); after `--` everything goes to the script.
struct RunInvocation {
    var scriptAndArgs: [String]
    var params: [String]
    var manifest: String?
    /// `run -e CODE -- a b`: no script; everything after `--` is the code's arguments.
    var scriptless = false

    init(scriptAndArgs: [String], params: [String], manifest: String?, execute: [String] = []) {
        self.params = params; self.manifest = manifest
        if !execute.isEmpty, scriptAndArgs.first == "--" {
            scriptless = true
            self.scriptAndArgs = Array(scriptAndArgs.dropFirst())
        } else {
            self.scriptAndArgs = scriptAndArgs
        }
    }

    var script: String? { scriptless ? nil : scriptAndArgs.first }
    var args: [String] { scriptless ? scriptAndArgs : Array(scriptAndArgs.dropFirst()) }

    struct UsageError: Error, CustomStringConvertible { let description: String }

    mutating func extractTrailingOptions() throws {
        guard !scriptless, scriptAndArgs.count > 1 else { return }
        var kept = [scriptAndArgs[0]]
        var i = 1
        let rest = scriptAndArgs
        func value(_ flag: String) throws -> String {
            guard i + 1 < rest.count else { throw UsageError(description: "\(flag) needs a value") }
            i += 1
            return rest[i]
        }
        while i < rest.count {
            let a = rest[i]
            if a == "--" { kept += rest[(i + 1)...]; break }
            if a == "-p" || a == "--param" { params.append(try value(a)) }
            else if a.hasPrefix("--param=") { params.append(String(a.dropFirst(8))) }
            else if a == "--manifest" { manifest = try value(a) }
            else if a.hasPrefix("--manifest=") { manifest = String(a.dropFirst(11)) }
            else { kept.append(a) }
            i += 1
        }
        scriptAndArgs = kept
    }
}

/// Collects what a run needs for its manifest and writes it when the run ends.
final class ManifestRecorder {
    let path: String
    let invocation: RunInvocation
    let execute: [String]
    let runtime: RuntimeOptions
    let workingDirectory = FileManager.default.currentDirectoryPath
    let initialSeed = GlobalSeed.value
    /// The script text when it came from standard input.
    var scriptData: Data?

    init(path: String, invocation: RunInvocation, execute: [String], runtime: RuntimeOptions) {
        self.path = path; self.invocation = invocation; self.execute = execute; self.runtime = runtime
    }

    func write(state: LuaState, failure: LuaError?) throws {
        var scriptHash: String?
        if let s = invocation.script {
            if s == "-" { scriptHash = scriptData.map { Hex.encode(SHA256.hash($0)) } }
            else { scriptHash = Hex.encode(try SHA256.hashFile(atPath: s)) }
        }
        let files = try RunManifest.files(state.fileObserver ?? FileObserver(), workingDirectory: workingDirectory)
        var m = RunManifest(workingDirectory: workingDirectory, script: invocation.script, scriptSHA256: scriptHash,
                            arguments: invocation.args, execute: execute, params: state.paramRegistry.resolved,
                            paramArguments: invocation.params, initialSeed: initialSeed, seed: GlobalSeed.value,
                            timeout: runtime.timeout, memoryLimit: runtime.memoryLimit, sandbox: runtime.sandbox,
                            allowPaths: runtime.allowPaths, status: failure == nil ? "ok" : "error",
                            error: failure?.message, inputs: files.inputs, outputs: files.outputs)
        m.engineRuns = state.engineRuns.runs.map(\.json)
        try m.write(to: path)
    }
}
