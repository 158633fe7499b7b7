import XCTest
@testable import ChurnCore

/// Expected orders and values from Tests/ChurnCoreTests/References/prep_frame_ref.py (pandas).
final class SortJoinPivotTests: XCTestCase {
    func testSortMatchesPandasStableWithNullsLast() throws {
        let f = try PrepTestData.small()
        XCTAssertEqual(try f.argsort([SortKey("plan"), SortKey("amount", descending: true)]),
                       [0, 3, 9, 11, 2, 6, 4, 1, 8, 5, 10, 7])
        XCTAssertEqual(try f.argsort([SortKey("user", descending: true), SortKey("n")]),
                       [10, 7, 3, 6, 11, 1, 4, 8, 0, 9, 2, 5])
        let sorted = try f.sortBy([SortKey("amount")], nullsLast: false)
        XCTAssertEqual(try sorted.column("amount").doubles.prefix(3), [nil, nil, 1.5])
    }

    func testSortIsStableOnLargeInputAndOrdersFloatsWithNaN() throws {
        // 3000 rows uses the radix path; equal keys must keep input order.
        let n = 3000
        let f = try Frame([.int("k", (0..<n).map { Int64($0 % 7) - 3 }), .int("i", (0..<n).map(Int64.init))])
        let p = try f.argsort([SortKey("k", descending: true)])
        for j in 1..<n {
            let (a, b) = (p[j - 1], p[j])
            XCTAssertTrue(a % 7 > b % 7 || (a % 7 == b % 7 && a < b))
        }
        let g = try Frame([.float("x", [2, .nan, -1, -0.0, 0, .infinity, -.infinity])])
        XCTAssertEqual(try g.argsort([SortKey("x")]), [6, 2, 3, 4, 0, 5, 1])
    }

    func testJoinsMatchPandas() throws {
        let left = try PrepTestData.small().select(["user", "plan"]).take(rows: Array(0..<6))
        let right = try Frame([.string("user", ["a", "b", "b", "e"]), .string("region", ["N", "S", "W", "E"]),
                               .int("n", [100, 200, 300, 400])])
        let inner = try left.join(right, on: ["user"])
        XCTAssertEqual(inner.names, ["user", "plan", "region", "n"])
        XCTAssertEqual(try inner.column("user").strings, ["a", "b", "b", "a", "b", "b", "a"])
        XCTAssertEqual(try inner.column("region").strings, ["N", "S", "W", "N", "S", "W", "N"])
        XCTAssertEqual(try inner.column("plan").ints, [1, 2, 2, 1, 2, 2, 2])
        let lj = try left.join(right, on: ["user"], how: .left)
        XCTAssertEqual(lj.nrow, 8)
        XCTAssertEqual(try lj.column("n").ints, [100, 200, 300, 100, nil, 200, 300, 100])
        let outer = try left.join(right, on: ["user"], how: .outer)
        XCTAssertEqual(outer.nrow, 9)
        // pandas sorts outer joins by key; compare as sorted (user, region, n) triples.
        let rows = (0..<9).map { i in "\(outer.columns[0].string(at: i)!)|\(outer.columns[2].string(at: i) ?? "-")|\(outer.columns[3].double(at: i) ?? -1)" }
        XCTAssertEqual(rows.sorted(), ["a|N|100.0", "a|N|100.0", "a|N|100.0", "b|S|200.0", "b|S|200.0", "b|W|300.0", "b|W|300.0", "c|-|-1.0", "e|E|400.0"])
        XCTAssertEqual(try outer.column("plan").doubles.last!, nil)
        XCTAssertEqual(try left.join(right, on: ["user"], how: .semi).column("user").strings, ["a", "b", "a", "b", "a"])
        XCTAssertEqual(try left.join(right, on: ["user"], how: .anti).column("user").strings, ["c"])
    }

    func testMultiKeyJoinAndSuffixes() throws {
        let f = try PrepTestData.small()
        let tot = try f.groupBy(["user", "plan"]).agg([AggSpec("n", .sum, as: "tot")])
        let j = try f.join(tot, on: ["user", "plan"], how: .left)
        XCTAssertEqual(try j.column("tot").ints, [10, 11, 10, 11, 11, 9, 11, 11, 11, 10, 11, 11])
        let clash = try f.join(try f.select(["user", "n"]).distinct(subset: ["user"]), on: ["user"])
        XCTAssertEqual(clash.names, ["user", "plan", "amount", "n", "n_right"])
        XCTAssertEqual(try clash.column("n_right").ints.prefix(3), [3, 1, 3])
    }

    func testJoinNullKeysNeverMatchAndTypeMismatchIsReported() throws {
        let l = try Frame([.string("k", ["x", nil]), .int("a", [1, 2])])
        let r = try Frame([.string("k", [nil, "x"]), .int("b", [3, 4])])
        XCTAssertEqual(try l.join(r, on: ["k"]).column("b").ints, [4])
        XCTAssertEqual(try l.join(r, on: ["k"], how: .outer).nrow, 3)
        let bad = try Frame([.float("k", [1]), .int("b", [1])])
        XCTAssertThrowsError(try l.join(bad, on: ["k"])) { e in
            XCTAssertEqual("\(e)", "join: key 'k' is string on the left but 'k' is float on the right")
        }
    }

    func testPivotMatchesPandas() throws {
        let p = try PrepTestData.small().pivot(index: "user", columns: "plan", values: "amount", agg: .mean)
        XCTAssertEqual(p.names, ["user", "1", "2", "3"])
        XCTAssertEqual(try p.column("user").strings, ["a", "b", "c", "d"])
        XCTAssertEqual(try p.column("1").doubles, [8.25, nil, 5.375, nil])
        XCTAssertEqual(try p.column("2").doubles, [1.5, 4.5, nil, nil])
        XCTAssertEqual(try p.column("3").doubles, [nil, nil, nil, 6.875])
    }

    func testMlcSortMatchesPandas() throws {
        let mlc = try PrepTestData.mlcChurn()
        let p = try mlc.argsort([SortKey("total_day_minutes", descending: true), SortKey("account_length")])
        XCTAssertEqual(Array(p.prefix(5)), [3993, 365, 985, 2594, 3442])
    }
}
