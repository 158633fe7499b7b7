import ChurnCore
import ChurnLua
import Foundation
import LuaRuntime
import XCTest

/// Frames and columns Lua holds are charged to the state's memory budget
/// while they live and released exactly by `__gc` / `close` (issue 11 item 8),
/// and native work called from Lua stops with the token's own message (item 7).
final class ObjectMemoryTests: XCTestCase {
    func testFramesAreChargedWhileAliveAndReleasedExactlyByGC() throws {
        let L = try ChurnLab.newState()
        let budget = L.context.budget
        let base = budget.charged
        // 100 000 floats (800 000 bytes) and 100 000 ints (800 000 bytes).
        try L.run("""
            local n = 100000
            local a, b = {}, {}
            for i = 1, n do a[i] = i / 2; b[i] = i end
            df = cl.frame{a = a, b = b}
            """)
        XCTAssertEqual(budget.charged - base, 1_600_000)
        try L.run("col = df.a")
        XCTAssertEqual(budget.charged - base, 2_400_000, "a column object is charged for what it holds")
        try L.run("df = nil; col = nil; collectgarbage(); collectgarbage()")
        XCTAssertEqual(budget.charged - base, 0, "__gc releases exactly what was charged")
    }

    /// A model is charged for its trees once fitted, and released with it.
    func testFittedModelsAreCharged() throws {
        let L = try ChurnLab.newState()
        let budget = L.context.budget
        try L.run("""
            local x, y = {}, {}
            for i = 1, 2000 do x[i] = i % 97; y[i] = (i % 97 > 40) and 1 or 0 end
            df = cl.frame{x = x, y = y}
            """)
        let base = budget.charged
        try L.run("m = cl.model.forest{n_trees = 20, seed = 1}")
        XCTAssertEqual(budget.charged, base, "an unfitted model holds nothing")
        try L.run("m:fit(df, {target = 'y'})")
        let fitted = budget.charged - base
        XCTAssertGreaterThan(fitted, 20 * 3 * 40, "20 trees of ≥ 3 nodes, ≥ 40 bytes a node")
        try L.run("m:fit(df, {target = 'y'})")
        XCTAssertEqual(budget.charged - base, fitted, "refitting replaces the charge, it does not add to it")
        try L.run("m = nil; collectgarbage(); collectgarbage()")
        XCTAssertEqual(budget.charged, base)
    }

    func testPushingAFrameOverTheLimitIsALuaError() throws {
        let L = try ChurnLab.newState(LuaOptions(limits: LuaLimits(memoryBytes: 64 << 20)))
        try L.run("""
            local t = {}
            for i = 1, 100000 do t[i] = i end
            df = cl.frame{x = t}
            t = nil
            collectgarbage(); collectgarbage()
            """)
        // Leave 400 kB: less than the 800 kB frame df:head(100000) makes.
        let budget = L.context.budget
        try budget.reserve((64 << 20) - budget.charged - L.memoryUsed - 400_000)
        let r = try L.run("local ok, err = pcall(df.head, df, 100000); return ok, err")
        XCTAssertEqual(r.first, .bool(false))
        guard case .string(let msg)? = r.dropFirst().first else { return XCTFail("\(r)") }
        XCTAssertTrue(msg.hasSuffix("memory limit exceeded (64 MB) allocating cl.Frame (0.8 MB)"), msg)
        // The frame that did not fit was pushed uncharged: collecting it releases nothing.
        let before = budget.charged
        try L.run("collectgarbage(); collectgarbage()")
        XCTAssertEqual(budget.charged, before)
    }

    /// Host code pushing an object that does not fit leaves it uncharged and
    /// fails nothing later (there is no script call to end).
    func testHostPushOverTheLimitFailsNoLaterCall() throws {
        let L = try ChurnLab.newState(LuaOptions(limits: LuaLimits(memoryBytes: 64 << 20)))
        let budget = L.context.budget
        let big = try Frame([Column(name: "x", data: .float64([Double](repeating: 1, count: 10_000_000)))])   // 80 MB
        let before = budget.charged
        L.push(object: FrameObject(big))
        L.setGlobal("big")
        XCTAssertEqual(budget.charged, before)
        XCTAssertEqual(try L.run("return big:nrow(), cl.clock() > 0"), [.integer(10_000_000), .bool(true)])
    }

    func testGarbageFramesAreCollectedBeforeAPushFails() throws {
        // Each iteration makes a 0.8 MB column object and drops it; 50 of them
        // (40 MB) fit a 24 MB limit only because a failed charge collects garbage first.
        let L = try ChurnLab.newState(LuaOptions(limits: LuaLimits(memoryBytes: 24 << 20)))
        let r = try L.run("""
            local t = {}
            for i = 1, 100000 do t[i] = i end
            local df = cl.frame{x = t}
            t = nil
            local s = 0
            for i = 1, 50 do s = s + df.x:sum() end
            return s
            """)
        XCTAssertEqual(r.first, .integer(50 * 5_000_050_000))
    }

    /// Native work stops with the hook's messages: the timeout's and an interrupt's.
    func testNativeWorkStopsWithTheTokensMessage() throws {
        let L = try ChurnLab.newState(LuaOptions(limits: LuaLimits(timeout: 0.3)))
        let t0 = CancellationToken.monotonicNow()
        XCTAssertThrowsError(try L.run("local sim = cl.simulate.platform{users = 200000, days = 365}")) { e in
            XCTAssertEqual((e as? LuaError)?.kind, .timeout, "\(e)")
            XCTAssertTrue("\(e)".hasSuffix("time limit exceeded (0.3 s)"), "\(e)")
        }
        XCTAssertLessThan(CancellationToken.monotonicNow() - t0, 0.8)

        let I = try ChurnLab.newState()
        let canceller = Thread { Thread.sleep(forTimeInterval: 0.2); I.interrupt() }
        canceller.start()
        let t1 = CancellationToken.monotonicNow()
        XCTAssertThrowsError(try I.run("local sim = cl.simulate.platform{users = 200000, days = 365}")) { e in
            XCTAssertEqual((e as? LuaError)?.kind, .interrupted, "\(e)")
        }
        XCTAssertLessThan(CancellationToken.monotonicNow() - t1, 0.7)
    }
}
