import CLua
import Foundation
import LuaRuntime
import XCTest

final class Counter: LuaObject {
    static let luaTypeName = "test.Counter"
    nonisolated(unsafe) static var live = 0
    var n = 0
    init() { Counter.live += 1 }
    deinit { Counter.live -= 1 }
}

final class Other: LuaObject { static let luaTypeName = "test.Other" }

final class LuaStateTests: XCTestCase {
    func testRunReturnsValues() throws {
        let s = try LuaState()
        XCTAssertEqual(try s.run("return 1 + 1, 'a', 2.5, nil, true"), [.integer(2), .string("a"), .number(2.5), .nil, .bool(true)])
    }

    func testArgumentErrorsAreLuaErrors() throws {
        let s = try LuaState()
        s.register(global: "seed") { c in c.push(try c.integer(1)) }
        XCTAssertThrowsError(try s.run("seed('x')", name: "=t")) { e in
            XCTAssertEqual((e as? LuaError)?.message, "t:1: bad argument #1 to 'seed' (number expected, got string)")
        }
        XCTAssertThrowsError(try s.run("seed(1.5)", name: "=t")) { e in
            XCTAssertEqual((e as? LuaError)?.message, "t:1: bad argument #1 to 'seed' (number has no integer representation)")
        }
        XCTAssertEqual(try s.run("return seed(3)"), [.integer(3)])
        // caught by pcall inside Lua, the state goes on
        XCTAssertEqual(try s.run("local ok, e = pcall(seed); return ok, e", name: "=t"),
                       [.bool(false), .string("bad argument #1 to 'seed' (number expected, got no value)")])
    }

    /// A Swift function that fails must run its cleanup: the error is raised by
    /// the C trampoline only after the Swift frame returned.
    func testSwiftCleanupRunsWhenFunctionFails() throws {
        let s = try LuaState()
        var deferred = 0
        weak var weakObject: Counter?
        s.register(global: "fail") { c in
            let held = Counter()
            weakObject = held
            defer { deferred += 1; _ = held }
            throw LuaScriptError("nope")
        }
        for _ in 0..<1000 { _ = try? s.run("fail()") }
        XCTAssertEqual(deferred, 1000)
        XCTAssertNil(weakObject)
        XCTAssertEqual(try s.run("return 40 + 2"), [.integer(42)])
    }

    func testTimeoutStopsLoopsEvenWhenCaught() throws {
        let s = try LuaState(LuaOptions(limits: LuaLimits(timeout: 0.2)))
        for code in ["while true do end",
                     "while true do pcall(function() while true do end end) end",
                     "local co = coroutine.create(function() while true do end end); coroutine.resume(co); while true do end",
                     "coroutine.wrap(function() while true do end end)()"] {
            let t0 = Date()
            XCTAssertThrowsError(try s.run(code)) { e in
                XCTAssertEqual((e as? LuaError)?.kind, .timeout, "\(code): \(e)")
                XCTAssertTrue("\(e)".contains("time limit exceeded"))
            }
            XCTAssertLessThan(Date().timeIntervalSince(t0), 0.2 + 0.5, code)
        }
        XCTAssertEqual(try s.run("return 'usable'"), [.string("usable")])
    }

    func testMemoryLimit() throws {
        let s = try LuaState(LuaOptions(limits: LuaLimits(memoryBytes: 20 << 20)))
        XCTAssertThrowsError(try s.run("local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end")) { e in
            XCTAssertEqual((e as? LuaError)?.kind, .memory)
            XCTAssertEqual("\(e)", "memory limit exceeded (20 MB)")
        }
        XCTAssertLessThanOrEqual(s.memoryUsed, 20 << 20)
        XCTAssertEqual(try s.run("collectgarbage() return 1 + 1"), [.integer(2)])
        // string.rep of a huge size is refused too
        XCTAssertThrowsError(try s.run("return ('x'):rep(1e9)"))
    }

    /// Allocations made while Swift is in control never fail; an overrun is
    /// raised as a Lua error once the Swift function has returned.
    func testMemoryOverrunInsideSwiftFunction() throws {
        let s = try LuaState(LuaOptions(limits: LuaLimits(memoryBytes: 8 << 20)))
        s.register(global: "big") { c in
            let t = c.newTable()
            for i in 1...20 { t.set("k\(i)", String(repeating: "y", count: 1 << 20)) }
            return 1
        }
        XCTAssertThrowsError(try s.run("local t = big()", name: "=t")) { e in
            XCTAssertEqual("\(e)", "t:1: memory limit exceeded (8 MB)", "\((e as? LuaError)?.kind as Any) \((e as? LuaError)?.traceback as Any)")
        }
        XCTAssertEqual(try s.run("collectgarbage() return 'ok'"), [.string("ok")])
    }

    func testUserdataTypeChecksAndRelease() throws {
        let s = try LuaState()
        s.register(Counter.self, LuaClass(methods: [
            "inc": { c in let o = try c.object(1, Counter.self); o.n += try c.optInteger(2) ?? 1; return c.push(o.n) },
        ], metamethods: ["__tostring": { c in c.push("Counter(\(try c.object(1, Counter.self).n))") }]))
        s.register(Other.self, LuaClass())
        s.register(global: "counter") { c in c.push(object: Counter()) }
        s.register(global: "other") { c in c.push(object: Other()) }
        s.register(global: "close") { c in try c.close(1, Counter.self); return 0 }
        s.register(global: "count") { c in c.push(try c.object(1, Counter.self).n) }

        XCTAssertEqual(try s.run("local x = counter(); x:inc(); x:inc(5); return tostring(x), x:inc()"),
                       [.string("Counter(6)"), .integer(7)])
        XCTAssertThrowsError(try s.run("count(other())", name: "=t")) { e in
            XCTAssertEqual("\(e)", "t:1: bad argument #1 to 'count' (test.Counter expected, got test.Other)")
        }
        XCTAssertThrowsError(try s.run("local x = counter(); x.inc(other())", name: "=t")) { e in
            XCTAssertEqual("\(e)", "t:1: calling 'inc' on bad self (test.Counter expected, got test.Other)")
        }
        XCTAssertThrowsError(try s.run("local x = counter(); close(x); return count(x)", name: "=t")) { e in
            XCTAssertEqual("\(e)", "t:1: bad argument #1 to 'count' (test.Counter has been closed or collected)")
        }
        XCTAssertEqual(try s.run("return getmetatable(counter())"), [.string("test.Counter")])   // metatable is hidden
        _ = try s.run("for i = 1, 100 do counter() end collectgarbage() collectgarbage()")
        XCTAssertEqual(Counter.live, 0)
    }

    /// A userdata resurrected by another object's finalizer after its own
    /// `__gc` ran gives an error, not a crash.
    func testUseAfterCollectIsAnError() throws {
        let s = try LuaState()
        s.register(Counter.self, LuaClass())
        s.register(global: "counter") { c in c.push(object: Counter()) }
        s.register(global: "count") { c in c.push(try c.object(1, Counter.self).n) }
        let r = try s.run("""
            local keep
            do
              local c = counter()
              setmetatable({}, { __gc = function() keep = c end })
            end
            collectgarbage(); collectgarbage()
            return pcall(count, keep)
            """)
        XCTAssertEqual(r.first, .bool(false))
        XCTAssertTrue("\(r[1])".contains("closed or collected"), "\(r)")
    }

    func testCallbackIntoLuaPropagatesErrors() throws {
        let s = try LuaState()
        s.register(global: "apply") { c in
            try c.checkFunction(1)
            lua_pushvalue(c.L, 1)
            c.push(10.0)
            try c.pcall(nargs: 1, nresults: 1)
            return 1
        }
        XCTAssertEqual(try s.run("return apply(function(x) return x * 2 end)"), [.number(20)])
        XCTAssertThrowsError(try s.run("apply(function(x) error('inner') end)", name: "=t")) { e in
            XCTAssertEqual("\(e)", "t:1: inner")
        }
    }

    func testOptionTablesNameTheField() throws {
        let s = try LuaState()
        s.register(global: "fit") { c in
            let o = try c.options(1)
            try o.checkKeys(["target", "horizon", "features"])
            _ = try o.string("target"); _ = try o.integer("horizon"); _ = try o.strings("features")
            return 0
        }
        XCTAssertNoThrow(try s.run("fit{target = 'churn', horizon = 30, features = {'a', 'b'}}"))
        XCTAssertThrowsError(try s.run("fit{target = 1}", name: "=t")) { e in
            XCTAssertEqual("\(e)", "t:1: bad argument #1 to 'fit' (field 'target': string expected, got number)")
        }
        XCTAssertThrowsError(try s.run("fit{horizn = 3}", name: "=t")) { e in
            XCTAssertEqual("\(e)", "t:1: bad argument #1 to 'fit' (unknown option 'horizn'; did you mean 'horizon'? (valid: features, horizon, target))")
        }
        XCTAssertThrowsError(try s.run("fit{features = {'a', 2}}", name: "=t")) { e in
            XCTAssertEqual("\(e)", "t:1: bad argument #1 to 'fit' (field 'features': element 2 must be a string, got number)")
        }
    }

    func testSyntaxErrorKind() throws {
        let s = try LuaState()
        XCTAssertThrowsError(try s.run("x = = 1", name: "=t")) { e in
            XCTAssertEqual((e as? LuaError)?.kind, .syntax)
        }
    }
}

final class LuaThreadTests: XCTestCase {
    /// Entering a state from another thread is refused, not a corruption.
    func testWorkerThreadIsRefused() throws {
        let s = try LuaState()
        try s.load(string: "return 1", name: "=t")
        var error: Error?
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do { try s.pcall() } catch let e { error = e }
            done.signal()
        }
        done.wait()
        XCTAssertTrue("\(error.map { "\($0)" } ?? "no error")".contains("worker thread"))
        s.pop()
        XCTAssertEqual(try s.run("return 2"), [.integer(2)])
    }
}
