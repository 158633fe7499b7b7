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

    func testPackedAndPerKeySortsAgreeWithComparatorSort() throws {
        var rng = SeededRandom(seed: 11)
        let n = 2000
        let a = (0..<n).map { _ in Int64(rng.below(5)) - 2 }, aNull = (0..<n).map { _ in rng.below(10) == 0 }
        let b = (0..<n).map { _ in Int64(rng.below(1000)) }
        let big = (0..<n).map { _ in Int64(bitPattern: rng.next()) }   // 64-bit range: forces the per-key path
        let f = try Frame([.int("a", a, nulls: aNull), .int("b", b), .int("big", big)])
        for (second, vals) in [("b", b), ("big", big)] {
            for nullsLast in [true, false] {
                let got = try f.argsort([SortKey("a", descending: true), SortKey(second)], nullsLast: nullsLast)
                let want = (0..<n).sorted { i, j in
                    if aNull[i] != aNull[j] { return nullsLast ? !aNull[i] : aNull[i] }
                    if !aNull[i] && a[i] != a[j] { return a[i] > a[j] }
                    if vals[i] != vals[j] { return vals[i] < vals[j] }
                    return i < j
                }
                XCTAssertEqual(got, want, "\(second) nullsLast=\(nullsLast)")
            }
        }
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

    func testIntegerKeyJoinsDirectAndHashed() throws {
        for scale: Int64 in [1, 1_000_000_007] {    // compact keys use a direct table, sparse ones a hash index
            let l = try Frame([.int("id", [1, 2, 3, 0, 2].map { $0 * scale }, nulls: [false, false, false, true, false]),
                               .string("tag", ["a", "b", "c", "d", "e"])])
            let r = try Frame([.int("id", [2, 2, 9, 0, 1].map { $0 * scale }, nulls: [false, false, false, true, false]),
                               .int("v", [20, 21, 90, 0, 10])])
            let left = try l.join(r, on: ["id"], how: .left)
            XCTAssertEqual(try left.column("tag").strings, ["a", "b", "b", "c", "d", "e", "e"])
            XCTAssertEqual(try left.column("v").ints, [10, 20, 21, nil, nil, 20, 21])
            let outer = try l.join(r, on: ["id"], how: .outer)
            XCTAssertEqual(try outer.column("v").ints, [10, 20, 21, nil, nil, 20, 21, 90, 0])
            XCTAssertEqual(try outer.column("id").ints, ([1, 2, 2, 3, nil, 2, 2, 9, nil] as [Int64?]).map { $0.map { $0 * scale } })
            XCTAssertEqual(try l.join(r, on: ["id"], how: .anti).column("tag").strings, ["c", "d"])
            // A left join on a unique key keeps and shares the left columns.
            let u = try l.join(r.distinct(subset: ["id"]), on: ["id"], how: .left)
            XCTAssertEqual(u.nrow, 5)
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
