import ChurnCore
import ChurnLua
import Foundation
import LuaRuntime
import XCTest

/// Frames and columns Lua holds are charged to the state's memory budget
/// while they live and released exactly by `__gc` / `close` (issue 11 item 8),
/// and native work called from Lua stops with the token's own message (item 7).
final class ObjectMemoryTests: XCTestCase {
    /// Runs `code` in a fresh state under `ctx` and returns its results.
    func run(_ code: String, in ctx: ExecutionContext, state: LuaState? = nil) throws -> [LuaValue] {
        let L = try state ?? ChurnLab.newState()
        return try ExecutionContext.run(in: ctx) { try L.run(code) }
    }

    func testFramesAreChargedWhileAliveAndReleasedExactlyByGC() throws {
        let ctx = ExecutionContext(budget: MemoryBudget(limit: 0))
        let L = try ChurnLab.newState()
        // 100 000 floats (800 000 bytes) and 100 000 ints (800 000 bytes).
        _ = try run("""
            local n = 100000
            local a, b = {}, {}
            for i = 1, n do a[i] = i / 2; b[i] = i end
            df = cl.frame{a = a, b = b}
            """, in: ctx, state: L)
        XCTAssertEqual(ctx.budget.charged, 1_600_000)
        _ = try run("col = df.a", in: ctx, state: L)
        XCTAssertEqual(ctx.budget.charged, 2_400_000, "a column object is charged for what it holds")
        _ = try run("df = nil; col = nil; collectgarbage(); collectgarbage()", in: ctx, state: L)
        XCTAssertEqual(ctx.budget.charged, 0, "__gc releases exactly what was charged")
    }

    func testPushingAFrameOverTheLimitIsALuaError() throws {
        // The Lua table of 300 000 numbers fits a 64 MB heap; the frame made
        // from it (2.4 MB) does not fit a budget with 2 MB left.
        let ctx = ExecutionContext(budget: MemoryBudget(limit: 64 << 20))
        try ctx.budget.reserve((64 << 20) - (2 << 20))
        let L = try ChurnLab.newState()
        let r = try run("""
            local t = {}
            for i = 1, 300000 do t[i] = i end
            local ok, err = pcall(cl.frame, {x = t})
            return ok, err
            """, in: ctx, state: L)
        XCTAssertEqual(r.first, .bool(false))
        guard case .string(let msg)? = r.dropFirst().first else { return XCTFail("\(r)") }
        XCTAssertTrue(msg.contains("memory limit exceeded (64 MB) allocating cl.Frame (2.2 MB)"), msg)
        _ = try run("collectgarbage()", in: ctx, state: L)
        XCTAssertEqual(ctx.budget.charged, (64 << 20) - (2 << 20), "the uncharged frame released nothing")
    }

    func testGarbageFramesAreCollectedBeforeAPushFails() throws {
        // Each iteration makes a 0.8 MB column and drops it; 50 of them (40 MB)
        // fit a 16 MB budget only because a failed charge collects garbage first.
        let ctx = ExecutionContext(budget: MemoryBudget(limit: 16 << 20))
        let r = try run("""
            local t = {}
            for i = 1, 100000 do t[i] = i end
            local df = cl.frame{x = t}
            local s = 0
            for i = 1, 50 do s = s + df.x:sum() end
            return s
            """, in: ctx)
        XCTAssertEqual(r.first, .integer(50 * 5_000_050_000))
    }

    func testNativeWorkStopsWithTheTokensMessage() throws {
        let ctx = ExecutionContext()
        ctx.token.cancel(.interrupted)
        XCTAssertThrowsError(try run("cl.simulate.platform{users = 1000, days = 100}", in: ctx)) { e in
            XCTAssertTrue((e as? LuaError)?.message.hasSuffix("interrupted") ?? false, "\(e)")
        }
        let timed = ExecutionContext()
        timed.token.arm(timeout: 0.2)
        let t0 = CancellationToken.monotonicNow()
        XCTAssertThrowsError(try run("""
            local sim = cl.simulate.platform{users = 20000, days = 365}
            """, in: timed)) { e in
            XCTAssertTrue("\(e)".contains("time limit exceeded (0.2 s)"), "\(e)")
        }
        XCTAssertLessThan(CancellationToken.monotonicNow() - t0, 0.7)
    }
}
