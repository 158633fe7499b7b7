import XCTest
@testable import ChurnCore

/// k-means++ seeding of several starts together (`KMeansPlusPlus`).
final class KMeansPlusPlusTests: XCTestCase {
    func rows(_ values: [[Double]]) throws -> ClusterData {
        try ClusterData(n: values.count, d: values[0].count, x: values.flatMap { $0 }, names: (1...values[0].count).map { "x\($0)" })
    }

    /// Rows 0, 0 and 10 on a line, k = 2. Whichever row comes first, the second centre is
    /// drawn ∝ squared distance: after a 0 only row 2 has weight (100), after the 10 only
    /// rows 0 and 1 (both 100, the same point); never a copy of the first centre.
    func testSecondCentreIsNeverAZeroWeightRow() throws {
        let data = try rows([[0], [0], [10]])
        for seed in 0..<20 {
            var rng = SeededRandom(seed: UInt64(seed))
            let c = try KMeansPlusPlus.centres(data, k: 2, rng: &rng)
            XCTAssertEqual(c.sorted(), [0, 10], "seed \(seed)")
        }
    }

    /// 10,000 rows at the origin but row 7,777 at (3, 4), over several row chunks: the
    /// only row of positive weight after a first centre at the origin is 7,777, found
    /// through the chunk totals and that chunk's running sums; its squared distance is
    /// 25 exactly (‖x‖² − 2x·c + ‖c‖² on small integers is exact).
    func testDrawFindsTheOnlyWeightedRowAcrossChunks() throws {
        var values = [[Double]](repeating: [0, 0], count: 10_000)
        values[7_777] = [3, 4]
        let data = try rows(values)
        XCTAssertGreaterThan(ClusterData.chunks(data.n), 1)
        var probe = SeededRandom(seed: 5, stream: 0)
        XCTAssertNotEqual(probe.below(data.n), 7_777)   // the first centre is at the origin
        var rng = SeededRandom(seed: 5, stream: 0)
        XCTAssertEqual(try KMeansPlusPlus.centres(data, k: 2, rng: &rng), [0, 0, 3, 4])
    }

    /// Three tight pairs far apart, k = 3: every start takes one row of each pair
    /// (a second row of a covered pair has potential ≥ 2 · 100² − 1 more than any row of an
    /// uncovered one, so the greedy choice among candidates never takes it, and a
    /// draw lands in a covered pair with probability below 1e-4 per candidate).
    func testEveryStartCoversTheThreePairs() throws {
        let data = try rows([[0, 0], [0, 0.01], [100, 0], [100, 0.01], [0, 100], [0.01, 100]])
        var rngs = (0..<8).map { SeededRandom(seed: 11, stream: UInt64($0)) }
        for c in try KMeansPlusPlus.centres(data, k: 3, rngs: &rngs) {
            let pairs = Set((0..<3).map { j in (c[2 * j] > 50 ? 1 : 0) + (c[2 * j + 1] > 50 ? 2 : 0) })
            XCTAssertEqual(pairs, [0, 1, 2], "\(c)")
        }
    }

    /// Seeding n starts together gives each start exactly the centres it gets alone,
    /// for any thread count, and consumes each generator as seeding it alone does.
    func testStartsTogetherEqualEachStartAlone() throws {
        let data = try ClusterTests.data(5_000, 5)
        let together = try Parallel.withThreads(3) { () throws -> [[Double]] in
            var rngs = (0..<6).map { SeededRandom(seed: 42, stream: UInt64($0)) }
            return try KMeansPlusPlus.centres(data, k: 7, rngs: &rngs)
        }
        XCTAssertEqual(together.count, 6)
        for s in 0..<6 {
            var rng = SeededRandom(seed: 42, stream: UInt64(s))
            let alone = try Parallel.withThreads(1) { try KMeansPlusPlus.centres(data, k: 7, rng: &rng) }
            XCTAssertEqual(alone, together[s], "start \(s)")
        }
        XCTAssertNotEqual(together[0], together[1])
        // Every centre is a row of the data.
        let rowsSet = Set((0..<data.n).map { Array(data.x[$0 * 5 ..< $0 * 5 + 5]) })
        for c in together { for j in 0..<7 { XCTAssertTrue(rowsSet.contains(Array(c[j * 5 ..< j * 5 + 5]))) } }
    }
}
