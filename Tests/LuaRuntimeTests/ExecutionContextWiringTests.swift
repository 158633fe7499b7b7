import CLua
import ExecutionControl
import Foundation
import LuaRuntime
import XCTest

/// A LuaState runs every top-level call under its own `ExecutionContext`: the
/// hook and the native core read one token, the allocator and the core charge
/// one budget, and errors from either side read the same.
final class ExecutionContextWiringTests: XCTestCase {
    func testContextIsInstalledForTheTopLevelCallOnly() throws {
        let s = try LuaState()
        var seen: [Bool] = []
        s.register(global: "probe") { _ in
            seen.append(ExecutionContext.current === s.context)
            return 0
        }
        try s.run("probe(); pcall(probe)")
        XCTAssertEqual(seen, [true, true])
        XCTAssertNil(ExecutionContext.current)
    }

    func testTimeoutArmsTheTokenAndIsResetAfterwards() throws {
        let s = try LuaState(LuaOptions(limits: LuaLimits(timeout: 5)))
        var deadline = 0.0
        s.register(global: "probe") { _ in deadline = s.context.token.deadlinePointer.pointee; return 0 }
        let before = CancellationToken.monotonicNow()
        try s.run("probe()")
        XCTAssertGreaterThan(deadline, before + 4.9)
        XCTAssertLessThan(deadline, before + 5.5)
        XCTAssertEqual(s.context.token.deadlinePointer.pointee, 0)
        XCTAssertNil(s.context.token.reason)
    }

    /// Native work that checks the token (as the core does at chunk
    /// boundaries) is stopped by the time limit with the hook's message.
    func testNativeLoopStoppedByTimeLimitReadsLikeTheHook() throws {
        let s = try LuaState(LuaOptions(limits: LuaLimits(timeout: 0.3)))
        s.register(global: "spin") { _ in
            while true { try ExecutionContext.check() }
        }
        let t0 = Date()
        XCTAssertThrowsError(try s.run("spin()", name: "=t")) { e in
            XCTAssertEqual((e as? LuaError)?.kind, .timeout)
            XCTAssertEqual((e as? LuaError)?.message, "t:1: time limit exceeded (0.3 s)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(t0), 1.0)
        // The hook gives the very same text for a Lua loop.
        XCTAssertThrowsError(try s.run("while true do end", name: "=t")) { e in
            XCTAssertEqual((e as? LuaError)?.message, "t:1: time limit exceeded (0.3 s)")
        }
    }

    /// A script that catches a cancellation raised by a Swift function is
    /// stopped by the next instruction it runs after the pcall.
    func testCaughtNativeCancellationStillStopsTheScript() throws {
        let s = try LuaState()
        s.register(global: "stop") { _ in
            s.interrupt()
            try ExecutionContext.check()
            return 0
        }
        XCTAssertThrowsError(try s.run("local ok, e = pcall(stop); while true do end", name: "=t")) { e in
            XCTAssertEqual((e as? LuaError)?.kind, .interrupted)
            XCTAssertEqual((e as? LuaError)?.message, "t:1: interrupted")
        }
        XCTAssertEqual(try s.run("return 1"), [.integer(1)], "the token is reset after the call")
    }

    func testInterruptFromAnotherThreadAndThroughTheSignalHandle() throws {
        let s = try LuaState()
        for useHandle in [false, true] {
            let handle = s.interruptHandle
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
                if useHandle { LuaState.requestInterrupt(handle) } else { s.interrupt() }
            }
            let t0 = Date()
            XCTAssertThrowsError(try s.run("while true do end", name: "=t")) { e in
                XCTAssertEqual((e as? LuaError)?.kind, .interrupted)
                XCTAssertEqual((e as? LuaError)?.message, "t:1: interrupted")
            }
            XCTAssertLessThan(Date().timeIntervalSince(t0), 1.0)
        }
    }

    func testMemoryLimitErrorFromSwiftIsAMemoryError() throws {
        let s = try LuaState(LuaOptions(limits: LuaLimits(memoryBytes: 16 << 20)))
        s.register(global: "alloc") { _ in
            try ExecutionContext.reserve(1 << 30, for: "matrix (1024.0 MB)")
            return 0
        }
        XCTAssertThrowsError(try s.run("alloc()", name: "=t")) { e in
            XCTAssertEqual((e as? LuaError)?.kind, .memory)
            XCTAssertEqual((e as? LuaError)?.message, "t:1: memory limit exceeded (16 MB) allocating matrix (1024.0 MB)")
        }
    }

    /// Bytes the core charged to the budget count against the limit when the
    /// C allocator decides whether Lua may have more.
    func testAllocatorCountsBudgetCharges() throws {
        let s = try LuaState(LuaOptions(limits: LuaLimits(memoryBytes: 32 << 20)))
        s.register(global: "hold") { c in
            try s.context.budget.reserve(try c.integer(1) << 20, for: "test")
            return 0
        }
        // 8 MB of strings fit on their own...
        XCTAssertNoThrow(try s.run("local t = {} for i = 1, 8 do t[i] = ('x'):rep(1 << 20) .. i end"))
        // ...but not next to 28 MB held by Swift.
        try s.run("collectgarbage(); hold(28)")
        XCTAssertEqual(s.context.budget.charged, 28 << 20)
        XCTAssertThrowsError(try s.run("collectgarbage(); local t = {} for i = 1, 8 do t[i] = ('x'):rep(1 << 20) .. i end")) { e in
            XCTAssertEqual((e as? LuaError)?.kind, .memory)
        }
        XCTAssertLessThanOrEqual(s.memoryUsed + s.context.budget.charged, (32 << 20) + (1 << 20))
        s.context.budget.release(28 << 20)
        XCTAssertNoThrow(try s.run("collectgarbage(); local t = {} for i = 1, 8 do t[i] = ('x'):rep(1 << 20) .. i end"))
    }
}
