import XCTest
@testable import ChurnCore

/// Issue 11, item 12: `cl.col("a") + 1` wrapped at maxinteger. Every Int64 operation in
/// expressions and group sums now reports overflow (NumPy/pandas int64 would wrap
/// silently: np.int64(2**63 - 1) + 1 == -2**63), naming the expression and the row.
final class IntegerOverflowTests: XCTestCase {
    let f: Frame = try! Frame([
        .int("a", [1, Int64.max, 0, Int64.min], nulls: [false, false, true, false]),
        .int("b", [2, 1, Int64.max, -1]),
    ])

    func assertOverflow(_ e: Expr, row: Int, _ operands: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try e.evaluate(on: f), file: file, line: line) { err in
            let m = "\(err)"
            XCTAssertTrue(m.contains("integer overflow at row \(row): \(operands) does not fit"), m, file: file, line: line)
            XCTAssertTrue(m.contains("col(\"a\")") || m.contains("a"), m, file: file, line: line)
        }
    }

    func testArithmeticOverflowIsAnErrorNamingExpressionAndRow() throws {
        assertOverflow(Expr.col("a") + 1, row: 2, "9223372036854775807 + 1")
        assertOverflow(Expr.col("a") - 1, row: 4, "-9223372036854775808 - 1")
        assertOverflow(Expr.col("a") * 2, row: 2, "9223372036854775807 * 2")
        assertOverflow(-Expr.col("a"), row: 4, "-(-9223372036854775808)")
        assertOverflow(Expr.col("a") * Expr.col("b"), row: 4, "-9223372036854775808 * -1")
        // Row 3 is null: its placeholder (0) − Int64.min would overflow, but a null row never raises.
        XCTAssertEqual(try (Expr.lit(.int(0)) - Expr.col("a")).evaluate(on: try Frame([.int("a", [Int64.min, 5], nulls: [true, false])])).ints, [nil, -5])
        // In range: exact values at the edges; % of mininteger by −1 is 0 (no overflow).
        XCTAssertEqual(try (Expr.col("a") + 0).evaluate(on: f).ints, [1, Int64.max, nil, Int64.min])
        XCTAssertEqual(try (Expr.col("a") % Expr.col("b")).evaluate(on: f).ints, [1, 0, nil, 0])
    }

    func testDateShiftsOutOfRangeAreErrors() throws {
        let d = try Frame([.init(name: "d", data: .date([19_723])), .int("k", [Int64(Int32.max)])])
        XCTAssertThrowsError(try (Expr.col("d") + Expr.col("k")).evaluate(on: d)) { e in
            XCTAssertTrue("\(e)".contains("date 2024-01-01 + 2147483647 days does not fit the date range"), "\(e)")
        }
        XCTAssertEqual(try (Expr.col("d") + 1).evaluate(on: d).doubles, [19_724])
    }

    /// Group sums accumulate exactly (128-bit) and refuse a total past Int64 instead of wrapping
    /// (or trapping when per-thread partial sums are combined).
    func testGroupSumOverflowIsAnError() throws {
        let g = try Frame([.string("k", ["x", "x", "y", "y"]), .int("v", [Int64.max, 1, Int64.max, -1])])
        XCTAssertThrowsError(try g.groupBy(["k"]).agg([AggSpec("v", .sum)])) { e in
            XCTAssertTrue("\(e)".contains("sum of int column 'v' overflows a 64-bit integer in group 1 (the group of row 1): 9223372036854775808"), "\(e)")
        }
        // Partial sums that overflow but whose total fits are exact.
        let h = try Frame([.string("k", ["x", "x", "x"]), .int("v", [Int64.max, 1, -2])])
        XCTAssertEqual(try h.groupBy(["k"]).agg([AggSpec("v", .sum)]).column("v_sum").ints, [Int64.max - 1])
    }
}
