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
}
