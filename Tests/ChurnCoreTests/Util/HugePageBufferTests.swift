@testable import ChurnCore
import ExecutionControl
import XCTest

final class HugePageBufferTests: XCTestCase {
    /// A size that is not a whole number of 2 MB pages holds and returns every value.
    func testHoldsEveryValue() throws {
        let n = 300_001
        let b = try HugePageBuffer(count: n, for: "test")
        for i in 0..<n { b.pointer[i] = Double(i) * 0.5 }
        var sum = 0.0
        for i in 0..<n { sum += b[i] }
        XCTAssertEqual(b.count, n)
        XCTAssertEqual(sum, 0.5 * Double(n - 1) * Double(n) / 2)   // 0.5 · Σ i
    }

    /// The script's memory budget is checked before the allocation, naming its purpose.
    func testRefusedBeyondTheBudget() throws {
        let ctx = ExecutionContext(budget: MemoryBudget(limit: 1 << 20))
        try ExecutionContext.run(in: ctx) {
            XCTAssertThrowsError(try HugePageBuffer(count: 1 << 20, for: "cox risk sets")) { e in
                XCTAssertTrue(e is MemoryLimitError, "\(e)")
                XCTAssertTrue("\(e)".hasSuffix("allocating cox risk sets"), "\(e)")
            }
            XCTAssertEqual(try HugePageBuffer(count: 1000, for: "small").count, 1000)
        }
    }
}
