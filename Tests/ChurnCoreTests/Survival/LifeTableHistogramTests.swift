import XCTest
@testable import ChurnCore

/// The counting path (`LifeTableHistogram`, whole-number durations read straight
/// from the columns) must give the life tables of the ranking path
/// (`LifeTable.byGroup`) exactly — counts, and weighted sums up to rounding —
/// for every column type it reads, and must leave everything else to the general path.
final class LifeTableHistogramTests: XCTestCase {
    func frame(n: Int, seed: UInt64, zeroTimes: Bool) throws -> Frame {
        var rng = SeededRandom(seed: seed)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        let d = (0..<n).map { _ in (zeroTimes ? 0 : 1) + (u() * 40).rounded(.down) }
        let e = (0..<n).map { _ in Int64(u() < 0.6 ? 1 : 0) }
        let g = (0..<n).map { _ in Int64(3 + Int((u() * 5).rounded(.down)) * 7) }   // sparse int values
        let w = (0..<n).map { _ in 0.25 + u() }
        return try Frame([.float("t", d), .int("ti", d.map { Int64($0) }), .int("e", e), .float("ef", e.map(Double.init)),
                          .bool("eb", e.map { $0 == 1 }), .int("g", g), .string("gs", g.map { "tier\($0)" }), .float("w", w)])
    }

    func reference(_ f: Frame, _ cols: SurvivalColumns) throws -> (tables: [LifeTable], sizes: [Int], labels: Column?) {
        let data = try cols.data(f)
        let g = try cols.groups(f)
        let k = g?.count ?? 1
        var sizes = [Int](repeating: 0, count: k)
        if let g { for c in g.codes { sizes[c] += 1 } } else { sizes[0] = data.count }
        return (try LifeTable.byGroup(data, codes: g?.codes, groups: k), sizes, g?.labels)
    }

    func check(_ f: Frame, _ cols: SurvivalColumns, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let got = try LifeTableHistogram.tables(f, cols) else { return XCTFail("counting path not taken", file: file, line: line) }
        let want = try reference(f, cols)
        XCTAssertEqual(got.sizes, want.sizes, file: file, line: line)
        XCTAssertEqual(got.labels.map { c in (0..<c.count).map { c.value(at: $0) } }, want.labels.map { c in (0..<c.count).map { c.value(at: $0) } }, file: file, line: line)
        XCTAssertEqual(got.tables.count, want.tables.count, file: file, line: line)
        for (a, b) in zip(got.tables, want.tables) {
            XCTAssertEqual(a.times, b.times, file: file, line: line)
            for (x, y) in [(a.atRisk, b.atRisk), (a.observed, b.observed), (a.censored, b.censored), (a.entrance, b.entrance)] {
                XCTAssertEqual(x.count, y.count, file: file, line: line)
                for (u, v) in zip(x, y) { XCTAssertEqual(u, v, accuracy: 1e-12 * max(1, abs(v)), file: file, line: line) }
            }
        }
    }

    func testSameTablesAsTheRankingPath() throws {
        for (seed, zero) in [(1 as UInt64, false), (2, true)] {
            let f = try frame(n: 5000, seed: seed, zeroTimes: zero)
            for d in ["t", "ti"] {
                for e in [nil, "e", "ef", "eb"] as [String?] {
                    for g in [nil, "g", "gs"] as [String?] {
                        try check(f, SurvivalColumns(duration: d, event: e, group: g))
                        try check(f, SurvivalColumns(duration: d, event: e, weights: "w", group: g))
                    }
                }
            }
        }
    }

    func testLeavesOtherInputToTheGeneralPath() throws {
        let f = try Frame([.float("t", [1, 2.5, 3]), .float("u", [1, 2, -3]), .int("e", [1, 0, 2]), .int("ok", [1, 0, 1]),
                           .float("big", [1, 2, 1e12])])
        XCTAssertNil(try LifeTableHistogram.tables(f, SurvivalColumns(duration: "t")))                    // fractional
        XCTAssertNil(try LifeTableHistogram.tables(f, SurvivalColumns(duration: "u")))                    // negative
        XCTAssertNil(try LifeTableHistogram.tables(f, SurvivalColumns(duration: "u", event: "e")))        // event 2
        XCTAssertNil(try LifeTableHistogram.tables(f, SurvivalColumns(duration: "big", event: "ok")))     // span too wide
        XCTAssertNil(try LifeTableHistogram.tables(f, SurvivalColumns(duration: "u", event: "ok", entry: "u")))
        // Through the public entry the general path then reports the row.
        XCTAssertThrowsError(try KaplanMeier.table(f, SurvivalColumns(duration: "u"))) { XCTAssertTrue("\($0)".contains("row 3"), "\($0)") }
        XCTAssertThrowsError(try KaplanMeier.table(f, SurvivalColumns(duration: "t", event: "e"))) { XCTAssertTrue("\($0)".contains("row 3"), "\($0)") }
    }
}
