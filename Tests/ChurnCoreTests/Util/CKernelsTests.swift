import CKernels
import XCTest

/// The multi-versioned C kernels against plain Swift sums (whichever width the
/// machine's CPU picks: the association differs, so the tolerance is relative 1e-13).
final class CKernelsTests: XCTestCase {
    /// Deterministic test values in [−2, 2).
    private func values(_ count: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 4 - 2
        }
    }

    private func assertClose(_ a: [Double], _ b: [Double], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() where abs(x - y) > 1e-13 * max(1, abs(y)) {
            XCTFail("\(message): entry \(i) is \(x), expected \(y)", file: file, line: line); return
        }
    }

    /// Every p around the 8-lane padding and row counts around the 4-row step, on a range
    /// that ends at the last row (the padding after X is read there).
    func testGramPackedMatchesPlainSums() {
        for p in [1, 2, 3, 7, 8, 9, 16, 20, 33] {
            for rows in [0, 1, 3, 4, 5, 11, 64] {
                let n = rows + 2
                let X = values(n * p, seed: UInt64(p * 100 + rows)) + [Double](repeating: 0, count: 7)
                let w = values(n, seed: 9).map { $0 + 3 }
                let lo = 2, hi = n
                var expected = [Double](repeating: 0.5, count: p * (p + 1) / 2)
                var t = 0
                for a in 0..<p { for b in 0...a {
                    for r in lo..<hi { expected[t] += w[r] * X[r * p + a] * X[r * p + b] }
                    t += 1
                } }
                var acc = [Double](repeating: 0.5, count: p * (p + 1) / 2)
                var tile = [Double](repeating: .nan, count: Int(ck_gram_tile_size(Int64(p))))
                ck_gram_packed(&acc, X, w, Int64(lo), Int64(hi), Int64(p), &tile)
                assertClose(acc, expected, "p \(p), rows \(rows)")
            }
        }
    }

    /// Two groups (censored rows then events), weighted and not: e, the sums and both Gram matrices.
    func testCoxGroupsMatchesPlainSums() {
        let p = 5, n = 13
        let X = values(n * p, seed: 3).map { $0 / 2 } + [Double](repeating: 0, count: 7)
        let beta = values(p, seed: 4).map { $0 / 4 }
        let start: [Int64] = [0, 6, 13], eventStart: [Int64] = [4, 9]
        for weights in [nil, values(n, seed: 5).map { $0 + 3 }] {
            let stride = 3 + 2 * p, T = p * (p + 1) / 2
            var sums = [Double](repeating: 0, count: 2 * stride), grams = [Double](repeating: 0, count: 2 * 2 * T)
            var e = [Double](repeating: 0, count: n)
            var tile = [Double](repeating: 0, count: Int(ck_gram_tile_size(Int64(p))))
            if let weights {
                ck_cox_groups(X, Int64(p), beta, weights, start, eventStart, 0, 2, &sums, &grams, &e, &tile)
            } else {
                ck_cox_groups(X, Int64(p), beta, nil, start, eventStart, 0, 2, &sums, &grams, &e, &tile)
            }
            var eSwift = [Double](repeating: 0, count: n)
            var sumsSwift = [Double](repeating: 0, count: 2 * stride), gramsSwift = [Double](repeating: 0, count: 2 * 2 * T)
            for g in 0..<2 {
                for r in Int(start[g])..<Int(start[g + 1]) {
                    let x = Array(X[(r * p)..<(r * p + p)])
                    let eta = zip(x, beta).reduce(0) { $0 + $1.0 * $1.1 }
                    let w = weights?[r] ?? 1, er = w * exp(eta)
                    eSwift[r] = er
                    let isEvent = r >= Int(eventStart[g])
                    sumsSwift[g * stride] += er
                    if isEvent { sumsSwift[g * stride + 1] += er; sumsSwift[g * stride + 2] += w * eta }
                    let z = g * stride + 3 + (isEvent ? p : 0), m = g * 2 * T + (isEvent ? T : 0)
                    var t = 0
                    for a in 0..<p {
                        sumsSwift[z + a] += er * x[a]
                        for b in 0...a { gramsSwift[m + t] += er * x[a] * x[b]; t += 1 }
                    }
                }
            }
            let label = weights == nil ? "unweighted" : "weighted"
            assertClose(e, eSwift, "\(label) e")
            assertClose(sums, sumsSwift, "\(label) sums")
            assertClose(grams, gramsSwift, "\(label) grams")
        }
    }
}
