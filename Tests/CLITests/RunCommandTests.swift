import Foundation
import XCTest

final class RunCommandTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: CLI.binary.path) else {
            XCTFail("churnlab binary not found at \(CLI.binary.path); run `swift build` first")
            return
        }
        dir = try CLI.tempDir()
    }

    func write(_ name: String, _ text: String) throws -> String {
        let u = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }

    func testVersionAndHelp() throws {
        let v = try CLI.run(["--version"])
        XCTAssertEqual(v.status, 0)
        XCTAssertTrue(v.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, v.stdout)
        for sub in [[], ["run"], ["repl"], ["test"]] {
            let h = try CLI.run(sub + ["--help"])
            XCTAssertEqual(h.status, 0, "\(sub)")
            XCTAssertTrue(h.stdout.contains("USAGE"), "\(sub): \(h.stdout)")
        }
        let help = try CLI.run(["help", "run"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("--timeout"))
    }

    func testScriptArgumentsLikeLua() throws {
        let s = try write("args.lua", "print(arg[0] == ..., #arg, arg[1], arg[2], select('#', ...), (...))\n")
        let r = try CLI.run(["run", s, "a b", "--flag"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // arg[0] is the script, not the first argument
        XCTAssertEqual(r.stdout, "false\t2\ta b\t--flag\t2\ta b\n")
    }

    func testInlineCodeAndStdin() throws {
        XCTAssertEqual(try CLI.run(["run", "-e", "print(1 + 1)"]).stdout, "2\n")
        XCTAssertEqual(try CLI.run(["run", "-e", "x = 5", "-e", "print(x * 2)"]).stdout, "10\n")
        let r = try CLI.run(["run", "-"], stdin: "print(cl.version ~= nil)\n")
        XCTAssertEqual(r.stdout, "true\n")
    }

    func testScriptErrorExitCodeAndTraceback() throws {
        let s = try write("boom.lua", "local x = 1\nlocal function f() error('boom') end\nf()\n")
        let r = try CLI.run(["run", s])
        XCTAssertEqual(r.status, 1)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.first.map(String.init), "\(s):2: boom")
        XCTAssertTrue(r.stderr.contains("stack traceback:"))
        XCTAssertTrue(r.stderr.contains("\(s):3: in main chunk"), r.stderr)
        let syntax = try CLI.run(["run", try write("syn.lua", "x = = 1")])
        XCTAssertEqual(syntax.status, 1)
        XCTAssertTrue(syntax.stderr.hasPrefix("\(dir.path)/syn.lua:1:"), syntax.stderr)
    }

    func testUsageAndMissingFiles() throws {
        XCTAssertEqual(try CLI.run(["run"]).status, 64)
        XCTAssertEqual(try CLI.run(["run", "--timeout", "-3", "-e", "x=1"]).status, 64)
        XCTAssertEqual(try CLI.run(["nonsense"]).status, 64)
        let missing = try CLI.run(["run", "/nonexistent/x.lua"])
        XCTAssertEqual(missing.status, 66)
        XCTAssertTrue(missing.stderr.contains("cannot open /nonexistent/x.lua"))
    }

    func testRequireNextToScriptAndOnLuaPath() throws {
        _ = try write("lib/helper.lua", "return { twice = function(x) return 2 * x end }")
        _ = try write("other/extra.lua", "return 'extra'")
        let s = try write("lib/main.lua", "print(require('helper').twice(21), (require('extra')))")
        let r = try CLI.run(["run", s], env: ["LUA_PATH": dir.path + "/other/?.lua;;"])
        XCTAssertEqual(r.stdout, "42\textra\n", r.stderr)
    }

    func testTimeoutStopsInfiniteLoop() throws {
        let r = try CLI.run(["run", "--timeout", "1", "-e", "while true do end"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("time limit exceeded"), r.stderr)
        XCTAssertLessThan(r.seconds, 1.5 + 1.0)   // deadline + 0.5 s, plus process start-up
        let caught = try CLI.run(["run", "--timeout", "0.5", "-e", "while true do pcall(function() while true do end end) end"])
        XCTAssertEqual(caught.status, 1)
        XCTAssertTrue(caught.stderr.contains("time limit exceeded"))
    }

    func testMemoryLimitReportsInsteadOfDying() throws {
        let r = try CLI.run(["run", "--memory-limit", "32", "-e", "local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(100) .. i end"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("memory limit exceeded (32 MB)"), r.stderr)
    }

    func testSandbox() throws {
        let secret = try write("secret.txt", "s")
        let s = try write("jail/script.lua", """
            print(os.execute, io.popen, package.loadlib, debug)
            print(io.open(...) == nil)
            local f = assert(io.open(arg[0]:gsub('script.lua$', 'out.txt'), 'w')); f:write('ok'); f:close()
            print('wrote inside')
            """)
        let r = try CLI.run(["run", "--sandbox", s, secret])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "nil\tnil\tnil\tnil\ntrue\nwrote inside\n")
        let allowed = try CLI.run(["run", "--sandbox", "--allow-path", dir.path, s, secret])
        XCTAssertTrue(allowed.stdout.contains("false"), allowed.stdout + allowed.stderr)
        XCTAssertEqual(try CLI.run(["run", "--allow-path", "/tmp", "-e", "x=1"]).status, 64)
    }
}
