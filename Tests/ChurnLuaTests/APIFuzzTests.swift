import ChurnLua
import Foundation
import LuaRuntime
import XCTest

/// Property test: random calls with random argument types and values into
/// every function of `cl` and every method of its objects. The process must
/// survive, and every failing call must come back as a Lua error (a string
/// message), never a crash. New modules are covered automatically.
final class APIFuzzTests: XCTestCase {
    static let driver = #"""
    local seed, rounds = ...
    local state = seed
    local function rand(n)  -- deterministic LCG, 1..n
      state = (state * 6364136223846793005 + 1442695040888963407) & 0x7fffffffffffffff
      return (state >> 33) % n + 1
    end

    -- Functions that block or touch the process by design are not fuzzed.
    local skip = { ["cl.test.case"] = true }

    local targets = {}
    local function collect(t, path, seen)
      if seen[t] then return end
      seen[t] = true
      for k, v in pairs(t) do
        local name = path .. "." .. tostring(k)
        if type(v) == "function" and not skip[name] then targets[#targets + 1] = { name = name, fn = v }
        elseif type(v) == "table" then collect(v, name, seen) end
      end
    end
    collect(cl, "cl", {})
    table.sort(targets, function(a, b) return a.name < b.name end)

    local df = cl.frame({ a = { 1, 2, 3 }, b = { "x", cl.null, "y" }, c = { 0.5, 0 / 0, 2 } }, { names = { "a", "b", "c" } })
    local samples = { df, df.a, df.b }
    -- methods of the objects we can make
    for _, obj in ipairs(samples) do
      local mt = getmetatable(obj)
      local methods = {}
      for name in pairs(cl._methods_of(obj)) do methods[#methods + 1] = name end
      table.sort(methods)
      for _, m in ipairs(methods) do
        targets[#targets + 1] = { name = tostring(obj):sub(1, 12) .. ":" .. m, fn = function(...) return obj[m](...) end, self = obj }
      end
    end

    local pool = {
      function() return nil end, function() return true end, function() return false end,
      function() return 0 end, function() return 1 end, function() return -1 end, function() return 2 end,
      function() return 3 end, function() return 100 end, function() return 0.5 end, function() return -2.5 end,
      function() return 1e300 end, function() return -1e300 end, function() return 0 / 0 end,
      function() return math.huge end, function() return math.mininteger end, function() return math.maxinteger end,
      function() return "" end, function() return "a" end, function() return "churn" end, function() return "流失" end,
      function() return "/nonexistent/dir/file.csv" end, function() return "%d%s" end,
      function() return {} end, function() return { 1, 2, 3 } end, function() return { "a", "b" } end,
      function() return { a = 1 } end, function() return { target = "a", seed = 1 } end, function() return { 0, 1, 1, 0 } end,
      function() return { 1, "x", {} } end, function() return df end, function() return df.a end, function() return df.b end,
      function() return print end, function() return coroutine.create(function() end) end,
    }

    local calls, errors = 0, 0
    for _ = 1, rounds do
      local t = targets[rand(#targets)]
      local args, n = {}, rand(5) - 1
      for i = 1, n do args[i] = pool[rand(#pool)]() end
      if t.self and rand(2) == 1 then table.insert(args, 1, t.self) end
      local ok, err = pcall(t.fn, table.unpack(args, 1, n + (t.self and 1 or 0)))
      calls = calls + 1
      if not ok then
        errors = errors + 1
        if type(err) ~= "string" then error(("%s raised a %s, not a message"):format(t.name, type(err))) end
      end
    end
    return calls, errors, #targets
    """#

    func testRandomCallsNeverCrash() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clfuzz-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let state = try ChurnLab.newState(LuaOptions(limits: LuaLimits(timeout: 120, memoryBytes: 512 << 20),
                                                     sandbox: SandboxPolicy(roots: [dir])))
        let out = try state.run("""
            function cl._methods_of(obj)
              return cl._methods(obj)
            end
            """ + "\nreturn true")
        XCTAssertEqual(out, [.bool(true)])
        try state.load(string: APIFuzzTests.driver, name: "=fuzz")
        state.push(.integer(20261122))
        state.push(.integer(5000))
        try state.pcall(nargs: 2, nresults: 3)
        let targets = state.value(at: -1), errors = state.value(at: -2), calls = state.value(at: -3)
        XCTAssertEqual(calls, .integer(5000))
        XCTAssertGreaterThan(errors.asDouble ?? 0, 1000)     // most random calls are bad calls…
        XCTAssertGreaterThan(targets.asDouble ?? 0, 10)
        // …and the state is still healthy afterwards
        XCTAssertEqual(try state.run("return 1 + 1"), [.integer(2)])
    }

    /// Extreme values (±maxinteger, ±huge, NaN, 1e300, 2^31, negative sizes, huge
    /// strings, wrong types) and valid-but-extreme option tables into every `cl`
    /// function and every method of every object class, in child processes
    /// (`churnlab run --sandbox` on `ExtremeCallDriver.script`), so that a Swift
    /// trap shows up as a signal instead of killing the test runner. Deterministic:
    /// chunk k runs calls seed·(k·chunk + 1 …); a failure names the call, which
    /// replays with `churnlab run --sandbox driver.lua SEED FIRST COUNT LOG`.
    /// Bounded: chunks run until `CHURNLAB_FUZZ_SECONDS` (default 30) have passed,
    /// at least 2 and (unless the variable is set) at most 16 chunks of 2500 calls.
    func testExtremeValuesNeverTrap() throws {
        let binary = try Self.churnlabBinary()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clxfuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let driver = dir.appendingPathComponent("driver.lua")
        try ExtremeCallDriver.script.write(to: driver, atomically: true, encoding: .utf8)

        let seed = 20261202, chunk = 2500
        // A longer run (e.g. nightly): CHURNLAB_FUZZ_SECONDS=3600 lifts the 16-chunk cap too.
        let given = ProcessInfo.processInfo.environment["CHURNLAB_FUZZ_SECONDS"].flatMap(Double.init)
        let budget = given ?? 30, maxChunks = given == nil ? 16 : Int.max
        let start = Date()
        var calls = 0, errors = 0, chunks = 0, targets = 0
        while chunks < 2 || (chunks < maxChunks && Date().timeIntervalSince(start) < budget) {
            let first = chunks * chunk + 1
            let log = dir.appendingPathComponent("calls-\(chunks).log")
            let run = try Self.runChild(binary, ["run", "--sandbox", "--timeout", "60", "--memory-limit", "1024", driver.path,
                                                 String(seed), String(first), String(chunk), log.path], in: dir, wallLimit: 90)
            let lines = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
            let last = lines.last ?? "(no call logged)"
            let replay = "replay: churnlab run --sandbox driver.lua \(seed) \(first) \(chunk) log"
            if run.hung { XCTFail("hang (no exit within 90 s) at call \(last); \(replay)"); return }
            if run.signal != 0 { XCTFail("signal \(run.signal) at call \(last)\n\(run.stderrTail)\n\(replay)"); return }
            guard run.status == 0, last.hasPrefix("DONE") else {
                XCTFail("driver exited \(run.status) after \(last)\n\(run.stderrTail)"); return
            }
            func field(_ name: String) -> Int { Int(last.split(separator: " ").first { $0.hasPrefix(name + "=") }?.dropFirst(name.count + 1) ?? "") ?? 0 }
            calls += field("calls"); errors += field("errors"); targets = field("targets")
            chunks += 1
        }
        print("extreme-value fuzz: \(calls) calls (\(errors) raised Lua errors) over \(targets) targets in \(chunks) child processes, " +
              String(format: "%.1f s", Date().timeIntervalSince(start)))
        XCTAssertEqual(calls, chunks * chunk)
        XCTAssertGreaterThan(targets, 300)            // every cl function and the methods of every sample object
        XCTAssertGreaterThan(calls - errors, calls / 10)   // plenty of calls get past the argument checks
    }

    /// `churnlab`, built next to the test bundle (.build/<config>/).
    static func churnlabBinary() throws -> URL {
        let bundle = Bundle(for: APIFuzzTests.self).bundleURL
        for dir in [bundle.deletingLastPathComponent(), bundle, Bundle.main.bundleURL.deletingLastPathComponent()] {
            let u = dir.appendingPathComponent("churnlab")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        throw XCTSkip("churnlab binary not found next to \(bundle.path); build it with `swift build --build-tests`")
    }

    struct ChildRun { let status: Int32; let signal: Int32; let hung: Bool; let stderrTail: String }

    /// Runs a child with stdout discarded and stderr to a file; kills it after `wallLimit` seconds.
    static func runChild(_ binary: URL, _ args: [String], in dir: URL, wallLimit: Double) throws -> ChildRun {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        p.environment = env
        let errURL = dir.appendingPathComponent("stderr.txt")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let err = try FileHandle(forWritingTo: errURL)
        defer { try? err.close() }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(wallLimit)
        var hung = false
        while p.isRunning {
            if Date() > deadline { hung = true; kill(p.processIdentifier, SIGKILL); break }
            usleep(20_000)
        }
        p.waitUntilExit()
        let text = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        let tail = String(text.suffix(1500))
        let signal = !hung && p.terminationReason == .uncaughtSignal ? p.terminationStatus : 0
        return ChildRun(status: p.terminationStatus, signal: signal, hung: hung, stderrTail: tail)
    }
}
