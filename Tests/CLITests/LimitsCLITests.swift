import Foundation
import XCTest

/// Limits always end the work, as a user sees it (issue 11 item 6, Deliver 3):
/// the cooperative stop where Lua would run without its hook, and the
/// watchdog (2 s grace, exit code 124 for the time limit, 130 for an
/// interrupt) where nothing cooperative can reach, e.g. C pattern matching.
final class LimitsCLITests: XCTestCase {
    /// Exponential backtracking inside Lua's C pattern matcher: no hook runs.
    static let patternHang = #"string.find(("a"):rep(40), ("a*"):rep(40) .. "b")"#
    static let grace = 2.0
    /// Process start-up and teardown allowance on a loaded 2-core machine.
    static let slack = 1.5

    var dir: URL!
    override func setUpWithError() throws { dir = try CLI.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ text: String) throws -> String {
        let u = dir.appendingPathComponent(name)
        try text.write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }

    func testWatchdogEndsAPatternHangPastTheTimeLimit() throws {
        let r = try CLI.run(["run", "--timeout", "1", "-e", "print('before'); " + Self.patternHang])
        XCTAssertEqual(r.status, 124, r.stderr)
        XCTAssertEqual(r.stdout, "before\n", "buffered output is flushed before the process ends")
        XCTAssertTrue(r.stderr.contains("churnlab: time limit exceeded (1 s), and the script did not stop within 2 s"), r.stderr)
        XCTAssertGreaterThan(r.seconds, 1 + Self.grace - 0.1)
        XCTAssertLessThan(r.seconds, 1 + Self.grace + Self.slack)
    }

    /// Without the sandbox a script may remove the hook (`debug.sethook()`):
    /// the watchdog still ends it.
    func testWatchdogEndsAScriptThatRemovedTheHook() throws {
        let r = try CLI.run(["run", "--timeout", "1", "-e", "debug.sethook(); while true do end"])
        XCTAssertEqual(r.status, 124, r.stderr)
        XCTAssertLessThan(r.seconds, 1 + Self.grace + Self.slack)
    }

    /// Each of these ran forever under `--timeout 1` (the code runs without
    /// Lua's hook); now each stops cooperatively, within the time limit.
    func testHookStaysArmedWhereLuaDisablesIt() throws {
        let cases: [(String, Int32)] = [
            ("xpcall(function() while true do end end, function() while true do end end)", 1),
            ("xpcall(error, function() while true do end end)", 1),
            ("setmetatable({}, {__gc = function() while true do end end}); collectgarbage(); print('after')", 1),
            ("coroutine.wrap(function() local x <close> = setmetatable({}, {__close = function() while true do end end}); while true do end end)()", 1),
            ("local x <close> = setmetatable({}, {__close = function() while true do end end}); while true do end", 1),
            ("local s = ('x'):rep(100); while true do s:gsub('.', function() while true do end end) end", 1),
            // A looping finalizer at exit: the script succeeded; close stops the finalizer.
            ("keep = setmetatable({}, {__gc = function() while true do end end})", 0),
        ]
        for (code, status) in cases {
            let r = try CLI.run(["run", "--timeout", "1", "-e", code])
            XCTAssertEqual(r.status, status, "\(code): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("time limit exceeded (1 s)"), "\(code): \(r.stderr)")
            XCTAssertLessThan(r.seconds, 1 + Self.slack, code)
        }
    }

    /// A finalizer calling `cl` at exit aborted the process (rc 134).
    func testFinalizerCallingClAtExitDoesNotAbort() throws {
        let r = try CLI.run(["run", "-e", "keep = setmetatable({}, {__gc = function() cl.frame{a = {1}} end}); print('ok')"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "ok\n")
        XCTAssertTrue(r.stderr.hasPrefix("churnlab: a finalizer run at exit failed: "), r.stderr)
        XCTAssertTrue(r.stderr.contains("ChurnLab functions are unavailable while the Lua state is being destroyed"), r.stderr)
    }

    /// Without the sandbox the generic `__gc` is reachable and must check its argument.
    func testGenericGcWithTheWrongObjectIsAnError() throws {
        let r = try CLI.run(["run", "-e", "local f = cl.frame{a = {1}}; print(pcall(debug.getmetatable(f).__gc, io.stdout)); io.stdout:write('still open\\n')"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("false\t"), r.stdout)
        XCTAssertTrue(r.stdout.contains("expected, got FILE*"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("still open\n"), r.stdout)
    }

    // MARK: Ctrl-C

    /// Starts `churnlab args`, waits for `ready` on stdout, sends SIGINT
    /// (`times` of them, 0.3 s apart) and returns status, stderr and the
    /// seconds from the first SIGINT to exit.
    func interrupt(_ args: [String], ready: String = "go", times: Int = 1) throws -> (Int32, String, Double) {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        var seen = Data()
        let t0 = Date()
        while !String(decoding: seen, as: UTF8.self).contains(ready) && Date().timeIntervalSince(t0) < 20 {
            seen += out.fileHandleForReading.availableData
        }
        XCTAssertTrue(String(decoding: seen, as: UTF8.self).contains(ready), "never printed \(ready)")
        Thread.sleep(forTimeInterval: 0.3)   // well inside the loop
        let t1 = Date()
        for i in 0..<times {
            if i > 0 { Thread.sleep(forTimeInterval: 0.3) }
            kill(p.processIdentifier, SIGINT)
        }
        var errData = Data()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); done.signal() }
        let deadline = Date().addingTimeInterval(10)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        let dt = Date().timeIntervalSince(t1)
        if p.isRunning { kill(p.processIdentifier, SIGKILL); XCTFail("still running 10 s after SIGINT") }
        p.waitUntilExit()
        _ = done.wait(timeout: .now() + 5)
        return (p.terminationStatus, String(decoding: errData, as: UTF8.self), dt)
    }

    func testCtrlCStopsALuaLoopInRun() throws {
        let (status, stderr, dt) = try interrupt(["run", "-e", "print('go'); io.stdout:flush(); while true do end"])
        XCTAssertEqual(status, 130, stderr)
        XCTAssertTrue(stderr.hasPrefix("(command line):1: interrupted"), stderr)
        XCTAssertLessThan(dt, 0.5)
    }

    func testCtrlCStopsAScriptFileAndItsMessageHandler() throws {
        let s = try write("loop.lua", "print('go'); io.stdout:flush()\nxpcall(function() while true do end end, function() while true do end end)\n")
        let (status, stderr, dt) = try interrupt(["run", s])
        XCTAssertEqual(status, 130, stderr)
        XCTAssertTrue(stderr.contains("loop.lua:2: interrupted"), stderr)
        XCTAssertLessThan(dt, 0.5)
    }

    func testCtrlCOnAStuckPatternIsBackedByTheWatchdog() throws {
        let (status, stderr, dt) = try interrupt(["run", "-e", "print('go'); io.stdout:flush(); " + Self.patternHang])
        XCTAssertEqual(status, 130, stderr)
        XCTAssertTrue(stderr.contains("churnlab: interrupted, and the script did not stop within 2 s"), stderr)
        XCTAssertGreaterThan(dt, Self.grace - 0.1)
        XCTAssertLessThan(dt, Self.grace + 1.0)
    }

    func testSecondCtrlCEndsTheProcessAtOnce() throws {
        let (status, stderr, dt) = try interrupt(["run", "-e", "print('go'); io.stdout:flush(); " + Self.patternHang], times: 2)
        XCTAssertEqual(status, 130, stderr)
        XCTAssertTrue(stderr.contains("interrupted again; ending the process"), stderr)
        XCTAssertLessThan(dt, 1.0)
    }

    // MARK: the other commands that run scripts

    func testNotebookRunEndsAStuckCell() throws {
        let nb = """
            {"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
                        "source": ["\(Self.patternHang.replacingOccurrences(of: "\"", with: "\\\""))"]}],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            """
        let path = try write("stuck.ipynb", nb)
        let r = try CLI.run(["notebook", "run", path, "--timeout", "1", "--out", dir.appendingPathComponent("out.ipynb").path])
        XCTAssertEqual(r.status, 124, r.stderr)
        XCTAssertLessThan(r.seconds, 1 + Self.grace + Self.slack)
    }

    func testRulesRunEndsAStuckRuleFile() throws {
        let users = try write("users.csv", "user_id,risk\nu1,0.9\n")
        let rules = try write("rules.lua", Self.patternHang + "\n")
        let r = try CLI.run(["rules", "run", rules, "--users", users, "--as-of", "2024-10-01",
                             "--ledger", dir.appendingPathComponent("l.db").path, "--timeout", "1"])
        XCTAssertEqual(r.status, 124, r.stderr)
        XCTAssertLessThan(r.seconds, 1 + Self.grace + Self.slack)
    }

    /// `schedule --check` evaluates the schedule file under a fixed 5 s limit.
    func testScheduleCheckEndsAStuckScheduleFile() throws {
        let s = try write("s.lua", Self.patternHang + "\n")
        let r = try CLI.run(["schedule", s, "--check"])
        XCTAssertEqual(r.status, 124, r.stderr)
        XCTAssertLessThan(r.seconds, 5 + Self.grace + Self.slack)
    }
}
