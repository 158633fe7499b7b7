import XCTest
@testable import ChurnCore

/// Core-level checks of the expression functions, window functions and the
/// analysis frames (the Lua tests cover the bindings). Reference values:
/// scripts/reference/frame_reference.py (pandas 3.1.1).
final class ExprFunctionTests: XCTestCase {
    func values(_ c: Column) -> [Double?] { (0..<c.count).map { c.double(at: $0) } }

    func testRankMethodsMatchPandas() throws {
        let f = try Frame([.float("x", [3, 1, 0, 4, 1, 5, 9, 2, 6], nulls: [false, false, true, false, false, false, false, false, false])])
        func rank(_ m: Expr.RankMethod, desc: Bool = false) throws -> [Double?] {
            values(try Expr.col("x").window(.rank(m, descending: desc)).evaluate(on: f))
        }
        // pandas Series.rank
        XCTAssertEqual(try rank(.average), [4, 1.5, nil, 5, 1.5, 6, 8, 3, 7])
        XCTAssertEqual(try rank(.dense), [3, 1, nil, 4, 1, 5, 7, 2, 6])
        XCTAssertEqual(try rank(.first), [4, 1, nil, 5, 2, 6, 8, 3, 7])
        XCTAssertEqual(try rank(.min, desc: true), [5, 7, nil, 4, 7, 3, 1, 6, 2])
    }

    func testShiftAndCumsumOverGroupsOrderedByDate() throws {
        let days: [Int32] = [19725, 19723, 19723, 19727, 19724, 19723]   // 2024-01-03, 01-01, 01-01, 01-05, 01-02, 01-01
        let f = try Frame([.int("user", [1, 2, 1, 2, 1, 3]), Column(name: "day", data: .date(days)), .float("x", [10, 20, 30, 40, 50, 60])])
        let prev = try Expr.col("x").window(.shift(1)).over(["user"], orderBy: ["day"]).evaluate(on: f)
        XCTAssertEqual(values(prev), [50, nil, nil, 20, 30, nil])   // pandas groupby().shift(1)
        let cs = try Expr.col("x").window(.cumsum).over(["user"], orderBy: ["day"]).evaluate(on: f)
        XCTAssertEqual(values(cs), [90, 20, 30, 60, 80, 60])         // pandas groupby().cumsum()
    }

    func testAddMonthsClampsToMonthEnd() throws {
        let d = ["2024-01-31", "2023-01-31", "2024-02-29", "2020-03-31"].map { DateText.parseDate($0)! }
        let f = try Frame([Column(name: "d", data: .date(d))])
        let r = try Expr.col("d").addMonths(1).evaluate(on: f)
        guard case .date(let out) = r.data else { return XCTFail("date expected") }
        // pandas + DateOffset(months=1)
        XCTAssertEqual(out.map { DateText.format(days: $0) }, ["2024-02-29", "2023-02-28", "2024-03-29", "2020-04-30"])
        let wd = try Expr.col("d").datePart(.weekday).evaluate(on: f)
        XCTAssertEqual(values(wd), [2, 1, 3, 1])                      // pandas dt.day_of_week
    }

    func testFloorDivisionRoundAndCast() throws {
        let f = try Frame([.int("a", [7, -7, 7, -7, 1]), .int("b", [2, 2, -2, -2, 0]), .float("v", [0.5, 1.5, 2.5, -0.5, 2.675])])
        XCTAssertEqual(values(try (Expr.binary(.floorDiv, .col("a"), .col("b"))).evaluate(on: f)), [3, -4, -4, 3, nil])
        XCTAssertEqual(values(try Expr.col("v").round().evaluate(on: f)), [0, 2, 2, -0, 3])   // numpy around
        XCTAssertThrowsError(try Frame([.string("s", ["1", "x"])]).column("s").cast(to: .int64)) {
            XCTAssertTrue("\($0)".contains("row 2 'x' is not a valid int"), "\($0)")
        }
        XCTAssertEqual(try Column.constant("n", .null, count: 2, dtype: .float64).cast(to: .string).dtype, .string)
    }

    func testMomentsAndCorrelationMatchPandas() throws {
        let x = Column.float("x", [3, 1, 0, 4, 1, 5, 9, 2, 6], nulls: [false, false, true, false, false, false, false, false, false])
        XCTAssertEqual(try x.skew(), 0.8335031385336661, accuracy: 1e-12)
        XCTAssertEqual(try x.kurtosis(), 0.276605804536995, accuracy: 1e-12)
        let a = [1.0, 2, 3, 4, 5, .nan], b = [2.0, 1, 4, 3, 7, 1]
        XCTAssertEqual(Frame.correlation(a, b, method: .pearson), 0.824163383692134, accuracy: 1e-12)
        XCTAssertEqual(Frame.correlation(a, b, method: .spearman), 0.8, accuracy: 1e-12)
    }

    func testJoinAsofDirectionsMatchMergeAsof() throws {
        let left = try Frame([.int("t", [1, 5, 10, 12]), .string("k", ["a", "a", "b", "a"])])
        let right = try Frame([.int("t", [6, 1, 2, 3, 7, 11]), .string("k", ["a", "a", "a", "b", "b", "b"]), .int("v", [60, 10, 20, 30, 70, 110])])
        func v(_ d: AsofDirection, tol: Double? = nil) throws -> [Double?] {
            values(try left.joinAsof(right, on: "t", by: ["k"], direction: d, tolerance: tol).column("v"))
        }
        XCTAssertEqual(try v(.backward), [10, 20, 70, 60])       // pandas merge_asof
        XCTAssertEqual(try v(.forward), [10, 60, 110, nil])
        XCTAssertEqual(try v(.nearest), [10, 60, 110, 60])
        XCTAssertEqual(try v(.backward, tol: 2), [10, nil, nil, nil])
    }
}
