import XCTest
@testable import ChurnCore

/// Harrell's concordance (`Concordance`) against its definition counted pair by pair
/// (lifelines' `concordance_index`: pairs whose shorter time is an event; a censoring at
/// the same time counts as longer; score ties ½), on data with tied times and tied scores,
/// with few distinct times (the score order is cut into chunks counted in parallel) and many.
final class ConcordanceTests: XCTestCase {
    func bruteForce(_ d: [Double], _ s: [Double], _ e: [Bool]) -> (Double, Double) {
        var num = 0.0, den = 0.0
        for i in d.indices where e[i] {
            for j in d.indices where j != i && (d[j] > d[i] || (d[j] == d[i] && !e[j])) {
                den += 1
                if s[j] > s[i] { num += 1 } else if s[j] == s[i] { num += 0.5 }
            }
        }
        return (num, den)
    }

    func testMatchesThePairwiseDefinition() throws {
        var rng = SeededRandom(seed: 11)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        for (n, times, tiedScores) in [(40, 3, true), (600, 4, true), (600, 4, false), (3000, 5, false), (3000, 5, true),
                                       (2000, 2000, false), (2000, 30, true)] {
            let d = (0..<n).map { _ in 1 + (u() * Double(times)).rounded(.down) }
            let s = (0..<n).map { _ in tiedScores ? (u() * 6).rounded(.down) : u() - 0.5 }
            let e = (0..<n).map { _ in u() < 0.6 }
            let got = try Concordance.counts(durations: d, scores: s, events: e)
            let want = bruteForce(d, s, e)
            XCTAssertEqual(got.concordant, want.0, "n \(n), \(times) times")
            XCTAssertEqual(got.pairs, want.1, "n \(n), \(times) times")
            // The thread count never changes the count.
            let one = try Parallel.withThreads(1) { try Concordance.counts(durations: d, scores: s, events: e) }
            XCTAssertEqual(one.concordant, got.concordant); XCTAssertEqual(one.pairs, got.pairs)
        }
    }
}
