import XCTest
@testable import ChurnCore

final class RandomTests: XCTestCase {
    func testSameSeedSameStream() {
        var a = SeededRandom(seed: 7), b = SeededRandom(seed: 7), c = SeededRandom(seed: 8)
        let xa = (0..<5).map { _ in a.next() }, xb = (0..<5).map { _ in b.next() }
        XCTAssertEqual(xa, xb)
        XCTAssertNotEqual(xa, (0..<5).map { _ in c.next() })
    }

    func testUniformMoments() {
        var r = SeededRandom(seed: 1)
        let n = 200_000
        var s = 0.0, s2 = 0.0
        for _ in 0..<n { let u = r.uniform(); XCTAssert(u >= 0 && u < 1); s += u; s2 += u * u }
        XCTAssertEqual(s / Double(n), 0.5, accuracy: 0.005)           // mean 1/2
        XCTAssertEqual(s2 / Double(n) - 0.25, 1.0 / 12, accuracy: 0.002) // var 1/12
    }

    func testBelowCoversRange() {
        var r = SeededRandom(seed: 3)
        var seen = Set<Int>()
        for _ in 0..<1000 { seen.insert(r.below(7)) }
        XCTAssertEqual(seen, Set(0..<7))
    }

    func testParallelChunksInOrder() {
        let sums = Parallel.mapChunks(1000, chunks: 7) { r in r.reduce(0, +) }
        XCTAssertEqual(sums.reduce(0, +), 999 * 1000 / 2)
        XCTAssertEqual(Parallel.ranges(10, chunks: 3), [0..<3, 3..<6, 6..<10])
    }
}
