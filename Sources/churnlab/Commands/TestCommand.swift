import ArgumentParser
import ChurnLua
import Foundation
import LuaRuntime

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run Lua test files (*_test.lua).",
        discussion: """
            Each file runs in a fresh Lua state with `cl` loaded and uses cl.test.case(name, fn), cl.test.eq(a, b), \
            cl.test.near(a, b, tol), cl.test.raises(fn, pattern). Failures print file:line and the values. \
            The run ends with the line 'N passed, N failed'; the exit code is 1 if anything failed.
            """
    )

    @Argument(help: ArgumentHelp("Test files or directories (default: Tests/lua).", valueName: "path"))
    var paths: [String] = []

    @Flag(name: .shortAndLong, help: "Print every passing case too.")
    var verbose = false

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Per-file time limit in seconds.", valueName: "seconds"))
    var timeout: Double = 600

    func validate() throws {
        if let e = LuaLimits.rangeError(timeout: timeout, memoryMegabytes: nil) { throw ValidationError(e) }
    }

    func run() throws {
        let roots = paths.isEmpty ? ["Tests/lua"] : paths
        var files: [String] = []
        for root in roots {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir) else {
                printError("churnlab: no such file or directory: \(root)")
                throw ExitStatus.noInput
            }
            if isDir.boolValue {
                let found = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
                    .filter { $0.hasSuffix("_test.lua") }.sorted()
                files += found.map { (root as NSString).appendingPathComponent($0) }
            } else {
                files.append(root)
            }
        }
        guard !files.isEmpty else {
            printError("churnlab: no *_test.lua files under \(roots.joined(separator: ", "))")
            throw ExitStatus.noInput
        }
        var passed = 0, failed = 0
        for file in files {
            let r = runFile(file)
            passed += r.passed; failed += r.failed
        }
        print("\(passed) passed, \(failed) failed")
        fflush(stdout)
        if failed > 0 { throw ExitStatus.failure }
    }

    /// Runs one file in a fresh state; an error outside a case counts as a failure.
    private func runFile(_ file: String) -> (passed: Int, failed: Int) {
        print(file)
        do {
            let state = try ScriptHost.makeState(options: LuaOptions(limits: LuaLimits(timeout: timeout)), scriptPath: file, args: [])
            if verbose { try state.run("cl.test.verbose = true") }
            var fileError: String?
            do {
                try state.load(file: file)
                try state.pcall(nargs: 0, nresults: 0)
            } catch let e as LuaError {
                fileError = e.fullReport
            }
            let counts = try state.run("return cl.test.results.passed, cl.test.results.failed")
            let p = Int(counts[0].asDouble ?? 0), f = Int(counts[1].asDouble ?? 0)
            if let fileError {
                print("  ERROR (outside a test case)\n       " + fileError.replacingOccurrences(of: "\n", with: "\n       "))
                return (p, f + 1)
            }
            return (p, f)
        } catch {
            print("  ERROR \(error)")
            return (0, 1)
        }
    }
}
