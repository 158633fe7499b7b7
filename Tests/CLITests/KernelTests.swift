import Foundation
import XCTest

/// A Python with the Jupyter client libraries, for tests that check ChurnLab
/// against the real Jupyter tooling. scripts/test creates `.build/venv` with
/// jupyter_client, nbclient and nbformat; CHURNLAB_PYTHON overrides it.
enum JupyterPython {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The interpreter, or nil with the reason it is missing.
    static func find(modules: [String]) -> (path: String?, reason: String) {
        var candidates: [String] = []
        if let p = ProcessInfo.processInfo.environment["CHURNLAB_PYTHON"], !p.isEmpty { candidates.append(p) }
        candidates += [packageRoot.appendingPathComponent(".build/venv/bin/python").path, "/usr/bin/python3"]
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: c)
            p.arguments = ["-c", "import " + modules.joined(separator: ", ")]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { continue }
            p.waitUntilExit()
            if p.terminationStatus == 0 { return (c, "") }
        }
        return (nil, "no python3 with \(modules.joined(separator: ", ")) found (tried \(candidates.joined(separator: ", "))); "
                   + "scripts/test creates .build/venv with them, or set CHURNLAB_PYTHON")
    }

    /// Runs `python args…`, returning status and combined output.
    static func run(_ python: String, _ args: [String], cwd: URL? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

final class KernelTests: XCTestCase {
    func testInstallWritesKernelspec() throws {
        let dir = try CLI.tempDir()
        let r = try CLI.run(["kernel", "install", "--prefix", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let specURL = dir.appendingPathComponent("share/jupyter/kernels/churnlab/kernel.json")
        let spec = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: specURL)) as? [String: Any])
        let argv = try XCTUnwrap(spec["argv"] as? [String])
        XCTAssertEqual(Array(argv.dropFirst()), ["kernel", "--connection-file", "{connection_file}"])
        XCTAssertTrue(argv[0].hasPrefix("/") && argv[0].hasSuffix("churnlab"), argv[0])
        XCTAssertEqual(spec["language"] as? String, "lua")
        XCTAssertEqual(spec["interrupt_mode"] as? String, "message")
        XCTAssertTrue(r.stdout.contains("kernels/churnlab"), r.stdout)

        let both = try CLI.run(["kernel", "install", "--user", "--prefix", dir.path])
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.stderr.contains("either --user or --prefix"), both.stderr)
    }

    func testBadConnectionFile() throws {
        let dir = try CLI.tempDir()
        let f = dir.appendingPathComponent("conn.json")
        try #"{"shell_port": 1, "key": "k", "signature_scheme": "hmac-md5"}"#.write(to: f, atomically: true, encoding: .utf8)
        let r = try CLI.run(["kernel", "--connection-file", f.path])
        XCTAssertEqual(r.status, 66)
        XCTAssertTrue(r.stderr.contains("iopub_port"), r.stderr)
        let none = try CLI.run(["kernel"])
        XCTAssertEqual(none.status, 64)
        XCTAssertTrue(none.stderr.contains("--connection-file"), none.stderr)
        let missing = try CLI.run(["kernel", "--connection-file", dir.appendingPathComponent("nope.json").path])
        XCTAssertEqual(missing.status, 66)
        XCTAssertTrue(missing.stderr.contains("cannot read connection file"), missing.stderr)
    }

    /// The kernel driven by jupyter_client's KernelManager/BlockingKernelClient and by
    /// nbclient (Tests/kernel/kernel_client_test.py lists every check).
    func testWithJupyterClient() throws {
        let (python, reason) = JupyterPython.find(modules: ["jupyter_client", "nbclient", "nbformat", "zmq"])
        guard let python else { throw XCTSkip(reason) }
        let script = JupyterPython.packageRoot.appendingPathComponent("Tests/kernel/kernel_client_test.py").path
        let r = try JupyterPython.run(python, [script, CLI.binary.path])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("\n0 failed"), r.output)
        XCTAssertFalse(r.output.contains("FAIL"), r.output)
    }
}
