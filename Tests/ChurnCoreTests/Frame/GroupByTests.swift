import XCTest
@testable import ChurnCore

/// Expected numbers from Tests/ChurnCoreTests/References/prep_frame_ref.py (pandas 2.x).
final class GroupByTests: XCTestCase {
    func testAggregatesMatchPandas() throws {
        let g = try PrepTestData.small().groupBy(["user"]).agg([
            AggSpec("amount", .count, as: "count"), AggSpec("amount", .sum, as: "sum"),
            AggSpec("amount", .mean, as: "mean"), AggSpec("amount", .min, as: "min"),
            AggSpec("amount", .max, as: "max"), AggSpec("amount", .std, as: "std"),
            AggSpec("plan", .nunique, as: "nunique"), AggSpec("amount", .first, as: "first"),
            AggSpec("amount", .last, as: "last"), AggSpec("amount", .quantile(0.25), as: "q25"),
            AggSpec(nil, .count, as: "size"), AggSpec("n", .sum, as: "nsum"),
        ])
        XCTAssertEqual(try g.column("user").strings, ["a", "b", "c", "d"])
        XCTAssertEqual(try g.column("count").ints, [3, 3, 2, 2])
        XCTAssertEqual(try g.column("sum").doubles, [18.0, 13.5, 10.75, 13.75])
        XCTAssertEqual(try g.column("mean").doubles, [6.0, 4.5, 5.375, 6.875])
        XCTAssertEqual(try g.column("min").doubles, [1.5, 2.5, 3.5, 4.0])
        XCTAssertEqual(try g.column("max").doubles, [10.5, 8.0, 7.25, 9.75])
        let std = [4.5, 3.0413812651491097, 2.6516504294495533, 4.065863991822648]
        for (a, e) in zip(try g.column("std").doubles, std) { XCTAssertEqual(a!, e, accuracy: 1e-12) }
        XCTAssertEqual(try g.column("nunique").ints, [2, 1, 1, 1])
        XCTAssertEqual(try g.column("first").doubles, [10.5, 3.0, 7.25, 4.0])
        XCTAssertEqual(try g.column("last").doubles, [6.0, 2.5, 3.5, 9.75])
        XCTAssertEqual(try g.column("q25").doubles, [3.75, 2.75, 4.4375, 5.4375])
        XCTAssertEqual(try g.column("size").ints, [4, 3, 3, 2])
        XCTAssertEqual(try g.column("nsum").ints, [19, 11, 11, 11])
        XCTAssertEqual(try g.column("nsum").dtype, .int64)
    }

    func testTwoKeysSortedByKey() throws {
        let g = try PrepTestData.small().groupBy(["user", "plan"]).agg([
            AggSpec("n", .sum, as: "nsum"), AggSpec("amount", .mean, as: "amean")])
        XCTAssertEqual(try g.column("user").strings, ["a", "a", "b", "c", "d"])
        XCTAssertEqual(try g.column("plan").ints, [1, 2, 2, 1, 3])
        XCTAssertEqual(try g.column("nsum").ints, [10, 9, 11, 11, 11])
        XCTAssertEqual(try g.column("amean").doubles, [8.25, 1.5, 4.5, 5.375, 6.875])
    }

    func testFirstAppearanceOrderAndNullKeyGroup() throws {
        let f = try Frame([.string("k", ["z", nil, "y", "z", nil]), .int("v", [1, 2, 3, 4, 5])])
        let unsorted = try f.groupBy(["k"]).agg([AggSpec("v", .sum)], sort: false)
        XCTAssertEqual(try unsorted.column("k").strings, ["z", nil, "y"])
        XCTAssertEqual(try unsorted.column("v_sum").ints, [5, 7, 3])
        let sorted = try f.groupBy(["k"]).agg([AggSpec("v", .sum)])
        XCTAssertEqual(try sorted.column("k").strings, ["y", "z", nil])   // nulls last
        XCTAssertEqual(try sorted.column("v_sum").ints, [3, 5, 7])
    }

    func testEmptyGroupsGiveNullOrZero() throws {
        let f = try Frame([.int("k", [1, 1, 2]), .float("x", [0, 0, 5], nulls: [true, true, false])])
        let g = try f.groupBy(["k"]).agg([AggSpec("x", .sum), AggSpec("x", .mean), AggSpec("x", .std),
                                          AggSpec("x", .max), AggSpec("x", .first), AggSpec("x", .count)])
        XCTAssertEqual(try g.column("x_sum").doubles, [0, 5])        // pandas: sum of nothing is 0
        XCTAssertEqual(try g.column("x_mean").doubles, [nil, 5])
        XCTAssertEqual(try g.column("x_std").doubles, [nil, nil])    // ddof=1 needs two values
        XCTAssertEqual(try g.column("x_max").doubles, [nil, 5])
        XCTAssertEqual(try g.column("x_first").doubles, [nil, 5])
        XCTAssertEqual(try g.column("x_count").ints, [0, 1])
    }

    func testStringMinMaxAndTypeErrors() throws {
        let f = try Frame([.int("k", [1, 1, 2]), .string("s", ["pear", "apple", "fig"])])
        let g = try f.groupBy(["k"]).agg([AggSpec("s", .min), AggSpec("s", .max)])
        XCTAssertEqual(try g.column("s_min").strings, ["apple", "fig"])
        XCTAssertEqual(try g.column("s_max").strings, ["pear", "fig"])
        XCTAssertThrowsError(try f.groupBy(["k"]).agg([AggSpec("s", .mean)])) { e in
            XCTAssertEqual("\(e)", "column 's' is string, expected a numeric column for mean")
        }
        XCTAssertThrowsError(try f.groupBy(["kk"])) { e in XCTAssertTrue("\(e)".hasPrefix("no column 'kk'; did you mean 'k'")) }
    }

    func testMlcChurnByStateMatchesPandas() throws {
        let mlc = try PrepTestData.mlcChurn()
        XCTAssertEqual(mlc.nrow, 5000)
        let g = try mlc.groupBy(["state"]).agg([
            AggSpec(nil, .count, as: "n"), AggSpec("total_day_minutes", .mean, as: "mean"),
            AggSpec("total_day_minutes", .std, as: "std"), AggSpec("total_day_charge", .max, as: "mx"),
            AggSpec("number_customer_service_calls", .sum, as: "calls"),
            AggSpec("total_eve_minutes", .quantile(0.9), as: "q90")])
        XCTAssertEqual(g.nrow, 51)
        let expected: [String: [Double]] = [
            "AK": [72.0, 180.95833333333334, 49.39130547310962, 51.48, 104.0, 251.45],
            "CA": [52.0, 172.93269230769232, 46.431736615792985, 47.6, 80.0, 253.70999999999998],
            "NY": [114.0, 177.5982456140351, 54.82449872649734, 58.96, 197.0, 268.99],
            "WY": [115.0, 180.9121739130435, 53.83103218343859, 51.24, 170.0, 266.76],
        ]
        let states = try g.column("state").strings
        for (st, exp) in expected {
            let r = states.firstIndex(of: st)!
            let got = try ["n", "mean", "std", "mx", "calls", "q90"].map { try g.column($0).double(at: r)! }
            for (a, e) in zip(got, exp) { XCTAssertEqual(a, e, accuracy: 1e-9 * max(1, abs(e)), st) }
        }
        let gc = try mlc.groupBy(["international_plan", "churn"]).agg([
            AggSpec(nil, .count, as: "n"), AggSpec("account_length", .mean, as: "acct")])
        XCTAssertEqual(try gc.column("n").ints, [4019, 508, 274, 199])
        let acct = [99.80393132620054, 102.17716535433071, 101.57664233576642, 102.7286432160804]
        for (a, e) in zip(try gc.column("acct").doubles, acct) { XCTAssertEqual(a!, e, accuracy: 1e-10) }
    }

    func testParallelChunksGiveSameResultAsSequential() throws {
        // 1.1M rows forces chunked accumulation; compare with a plain loop.
        let n = 1_100_000
        var rng = SeededRandom(seed: 7)
        let keys = (0..<n).map { _ in Int64(rng.below(50)) }
        let vals = (0..<n).map { _ in Double(rng.below(1000)) / 8 }
        let f = try Frame([.int("k", keys), .float("v", vals)])
        let g = try f.groupBy(["k"]).agg([AggSpec("v", .sum), AggSpec("v", .max), AggSpec(nil, .count)])
        var sums = [Double](repeating: 0, count: 50), maxs = [Double](repeating: -1, count: 50)
        var counts = [Int64](repeating: 0, count: 50)
        for i in 0..<n { let k = Int(keys[i]); sums[k] += vals[i]; maxs[k] = max(maxs[k], vals[i]); counts[k] += 1 }
        XCTAssertEqual(try g.column("k").ints, (0..<50).map { Int64($0) })
        XCTAssertEqual(try g.column("v_sum").doubles, sums)     // eighths: exact in any order
        XCTAssertEqual(try g.column("v_max").doubles, maxs)
        XCTAssertEqual(try g.column("count").ints, counts)
        // Same rows with some null keys, grouped in parallel passes: ids in first-appearance order.
        let nulls = (0..<n).map { $0 % 1000 == 999 }
        let fk = Factorizer.factorize(keys.withUnsafeBufferPointer { $0 }.map { UInt64(bitPattern: $0) },
                                      validity: Validity(nulls.map { !$0 }))
        var seen: [Int64: Int32] = [:], nullId: Int32 = -1, expected = [Int32](repeating: 0, count: n)
        var next: Int32 = 0
        for i in 0..<n {
            if nulls[i] {
                if nullId < 0 { nullId = next; next += 1 }
                expected[i] = nullId
            } else if let g = seen[keys[i]] { expected[i] = g } else { seen[keys[i]] = next; expected[i] = next; next += 1 }
        }
        XCTAssertEqual(fk.count, 51)
        XCTAssertTrue(fk.ids == expected)
        // Results must not depend on the thread count: bit-identical float sums and std with 1 thread.
        let fine = (0..<n).map { i in vals[i] / 3 + Double(i % 7) * 1e-9 }
        let h = try Frame([.int("k", keys), .float("v", fine)])
        let specs = [AggSpec("v", .sum), AggSpec("v", .std), AggSpec("v", .mean)]
        let many = try h.groupBy(["k"]).agg(specs)
        let saved = Parallel.threads
        Parallel.threads = 1
        defer { Parallel.threads = saved }
        let one = try h.groupBy(["k"]).agg(specs)
        for name in ["v_sum", "v_std", "v_mean"] {
            XCTAssertEqual(try many.column(name).doubles.map { $0!.bitPattern }, try one.column(name).doubles.map { $0!.bitPattern })
        }
    }
}
