import ExecutionControl
import XCTest

final class ExecutionControlTests: XCTestCase {
    func testNoContextNeverCancels() throws {
        XCTAssertNil(ExecutionContext.current)
        XCTAssertNoThrow(try ExecutionContext.check())
        XCTAssertNoThrow(try ExecutionContext.reserve(1 << 40))
    }

    func testCancelAndReset() throws {
        let ctx = ExecutionContext()
        try ExecutionContext.run(in: ctx) {
            try ExecutionContext.check()
            ctx.token.cancel(.interrupted)
            XCTAssertThrowsError(try ExecutionContext.check()) { e in
                XCTAssertEqual("\(e)", "interrupted")
            }
            ctx.token.reset()
            try ExecutionContext.check()
        }
        XCTAssertNil(ExecutionContext.current, "the previous (absent) context is restored")
    }

    func testDeadline() throws {
        let t = CancellationToken()
        t.arm(timeout: 0.05)
        XCTAssertNoThrow(try t.check())
        Thread.sleep(forTimeInterval: 0.08)
        XCTAssertThrowsError(try t.check()) { e in
            XCTAssertEqual(e as? CancellationError, CancellationError(reason: .timeLimit, timeout: 0.05))
            XCTAssertEqual("\(e)", "time limit exceeded (0.05 s)")
        }
        t.arm(timeout: nil)
        XCTAssertNoThrow(try t.check())
        t.arm(timeout: .infinity)   // not finite: disarmed, not a trap
        XCTAssertNoThrow(try t.check())
    }

    func testBudgetCountsLuaHeapAndCharges() throws {
        let b = MemoryBudget(limit: 1000)
        var heap = 300
        b.luaHeapBytes = { heap }
        try b.reserve(600)
        XCTAssertEqual(b.charged, 600)
        XCTAssertThrowsError(try b.reserve(200, for: "column 'x'")) { e in
            XCTAssertEqual("\(e)", "memory limit exceeded (0 MB) allocating column 'x'")
        }
        XCTAssertEqual(b.charged, 600, "a refused reservation charges nothing")
        heap = 100
        try b.reserve(200)
        b.release(800)
        XCTAssertEqual(b.charged, 0)
        XCTAssertThrowsError(try b.reserve(Int.max), "overflow is a refusal, not a trap")
    }

    func testNesting() {
        let a = ExecutionContext(), b = ExecutionContext()
        ExecutionContext.run(in: a) {
            XCTAssertTrue(ExecutionContext.current === a)
            ExecutionContext.run(in: b) { XCTAssertTrue(ExecutionContext.current === b) }
            XCTAssertTrue(ExecutionContext.current === a)
        }
    }
}
