import ArgumentParser
import ChurnCore
import ChurnLua
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-run a recorded run (churnlab run --manifest) and compare its outputs.",
        discussion: """
            Runs the script again in the recorded working directory (or, if that no longer exists, the manifest's \
            directory) with the recorded arguments, parameters and limits, then reports for every recorded output \
            whether the new file is identical (same SHA-256) or different. Changed inputs or script are reported too. \
            Exit code 0 when every output is identical, 1 otherwise.
            """
    )

    @Argument(help: ArgumentHelp("The manifest written by `churnlab run --manifest`.", valueName: "manifest"))
    var manifest: String

    func run() throws {
        let m: RunManifest
        do { m = try RunManifest(contentsOf: manifest) } catch {
            printError("churnlab: \(error)")
            throw ExitStatus.noInput
        }
        var dir = m.workingDirectory
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue {
            dir = URL(fileURLWithPath: manifest).standardizedFileURL.deletingLastPathComponent().path
        }
        guard let script = m.script, script != "-" else {
            printError("churnlab: the manifest records a script read from standard input or -e only; it cannot be re-run")
            throw ExitStatus.failure
        }
        print("verifying \(script) (recorded \(m.created) with churnlab \(m.churnlabVersion))")
        if m.churnlabVersion != ChurnLab.version { print("  note: recorded with churnlab \(m.churnlabVersion), this is \(ChurnLab.version)") }
        let scriptPath = RunManifest.absolute(script, in: dir)
        if let h = try? Hex.encode(SHA256.hashFile(atPath: scriptPath)), h != m.scriptSHA256 { print("  script changed: \(script)") }
        for f in m.inputs {
            let p = RunManifest.absolute(f.path, in: dir)
            let h = try? Hex.encode(SHA256.hashFile(atPath: p))
            if h == nil { print("  input missing: \(f.path)") } else if h != f.sha256 { print("  input changed: \(f.path)") }
        }

        // Re-run through `churnlab run` itself so the run is exactly what produced the manifest.
        let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("churnlab-verify-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: fresh) }
        var args = ["run", "--manifest", fresh]
        for p in m.paramArguments { args += ["-p", p] }
        if let t = m.timeout { args += ["--timeout", String(t)] }
        if let mb = m.memoryLimit { args += ["--memory-limit", String(mb)] }
        if m.sandbox { args.append("--sandbox"); for a in m.allowPaths { args += ["--allow-path", a] } }
        for e in m.execute { args += ["-e", e] }
        args += [script, "--"] + m.arguments
        let status = try rerun(args, in: dir)
        let now = try RunManifest(contentsOf: fresh)
        if status != 0 { print("  the re-run failed (exit code \(status))\(now.error.map { ": " + $0 } ?? "")") }

        let newOutputs = Dictionary(now.outputs.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var different = 0
        for f in m.outputs {
            if let n = newOutputs[f.path] {
                if n.sha256 == f.sha256 { print("  identical  \(f.path)") } else { print("  DIFFERENT  \(f.path)"); different += 1 }
            } else {
                print("  MISSING    \(f.path) (not written by the re-run)"); different += 1
            }
        }
        for f in now.outputs where !m.outputs.contains(where: { $0.path == f.path }) { print("  new output \(f.path) (not in the manifest)") }
        print("\(m.outputs.count - different) identical, \(different) different")
        if different > 0 || status != 0 { throw ExitStatus.failure }
    }

    private func rerun(_ args: [String], in dir: String) throws -> Int32 {
        let p = Process()
        p.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
