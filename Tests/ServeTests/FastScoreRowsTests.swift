import ChurnCore
@testable import ChurnServe
import Foundation
import XCTest

/// `FastScoreDecoding.decode` on bodies shaped like real batches — every row
/// written the same way, so the first row's gaps (`, "name": `) are used for
/// the rows after it — with one deviation in a later row (other spacing, keys
/// out of order, a key missing, repeated (added, or in place of another),
/// unknown, escaped or sharing a prefix, a null, a string) and then random
/// byte mutations: every body the fast path
/// accepts, the strict path (`StrictJSON` + `RequestDecoding`) accepts with the
/// same values bit for bit, and the benign deviations are accepted (the gaps
/// fall back to the general reading rather than refusing).
final class FastScoreRowsTests: XCTestCase {
    /// Names with shared prefixes (f1 / f10 / f11), one 1 byte long, and long ones (gaps over 16 bytes).
    static let names = ["f1", "f10", "f11", "x", "a_rather_long_feature_name_for_gaps", "events_30d", "f2"]

    /// A logistic regression over `names` (only the feature list matters here).
    static func model(at path: String) throws {
        var rng = SplitMix(31)
        var cols = [[Double]](repeating: [], count: names.count)
        var y: [Double] = []
        for _ in 0..<300 {
            let v = names.indices.map { _ in Double(rng.next() % 1000) / 50 }
            for k in names.indices { cols[k].append(v[k]) }
            y.append(v[0] - v[1] + Double(rng.next() % 100) / 10 > 5 ? 1 : 0)
        }
        let X = try FeatureMatrix(names: names, features: cols.map { .numeric($0) })
        try LogisticRegression.fit(X, y, weights: nil, eval: nil, options: LogisticRegression.Options(), progress: nil).save(to: path)
    }

    /// `model(at:)` fitted in a fresh directory (the caller removes it) and loaded for scoring.
    private static func loadedModel() throws -> (dir: URL, model: ScoringModel, names: [[UInt8]]) {
        let dir = try ServeFixtures.tempDir()
        let path = dir.appendingPathComponent("m.clm").path
        try model(at: path)
        let m = try ScoringModel(path: path)
        return (dir, m, try XCTUnwrap(m.numericFeatureBytes))
    }

    func testBatchesWithTheFirstRowsLayoutAgreeWithTheStrictPath() throws {
        let (dir, m, names) = try Self.loadedModel()
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(m.featureNames, Self.names)
        var limits = ServeLimits()
        limits.maxRows = 40
        var rng = SplitMix(32)
        var accepted = 0, benignRefused = 0
        func check(_ body: String, benign: Bool) {
            let bytes = Array(body.utf8)
            let fast = bytes.withUnsafeBufferPointer { FastScoreDecoding.decode($0, names: names, maxRows: limits.maxRows) }
            let strict = try? RequestDecoding.score(StrictJSON.parse(bytes), model: m, limits: limits)
            guard let fast else {
                if benign { benignRefused += 1; XCTAssertNotNil(strict, body) }
                return
            }
            guard let strict else { return XCTFail("fast path accepted what the strict path refuses: \(body)") }
            accepted += 1
            XCTAssertEqual(fast.nrow, strict.rows, body)
            XCTAssertEqual(fast.reasons, strict.reasons, body)
            for (c, name) in m.featureNames.enumerated() {
                let ref = try! strict.frame.column(name).toDoubles()!
                XCTAssertEqual(fast.columns[c].map(\.bitPattern), ref.map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern }, body)
            }
        }
        let layouts: [(colon: String, comma: String, open: String, close: String)] = [
            (": ", ", ", "{", "}"),            // Python json.dump
            (":", ",", "{", "}"),              // compact
            (" : ", " , ", "{ ", " }"),
            (": ", ",\n      ", "{\n      ", "\n    }"),   // indented
        ]
        func value(_ rng: inout SplitMix) -> String {
            switch rng.next() % 8 {
            case 0: return "null"
            case 1: return String(Int64(bitPattern: rng.next()) % 1000)
            case 2: return String(format: "%.3e", Double(Int64(bitPattern: rng.next()) % 100_000) / 7)
            case 3: return "\(Double(bitPattern: rng.next() >> 2))"
            default: return "\((Double(Int64(bitPattern: rng.next()) % 4_000_000) / 1e6 * 1e6).rounded() / 1e6)"
            }
        }
        for round in 0..<500 {
            let L = layouts[round % layouts.count]
            let nrow = 2 + Int(rng.next() % 7)
            var rows: [[(key: String, value: String)]] = (0..<nrow).map { _ in Self.names.map { ("\"\($0)\"", value(&rng)) } }
            // One deviation in one later row.
            let r = 1 + Int(rng.next() % UInt64(nrow - 1)), k = Int(rng.next() % UInt64(Self.names.count))
            var benign = true
            var spacing: (Int, String)?
            switch rng.next() % 11 {
            case 0: rows[r].shuffle(using: &rng)
            case 1: rows[r].swapAt(k, (k + 1) % Self.names.count)
            case 2: rows[r][k].value = "null"
            case 3: spacing = (k, ":   ")
            case 4: rows[r].remove(at: k); benign = false                            // missing key
            case 5: rows[r].append(rows[r][k]); benign = false                       // repeated key
            case 6: rows[r][k].key = "\"f12\""; benign = false                       // unknown (prefix of none, f1's sibling)
            case 7: rows[r][k].key = "\"\\u0066\(Self.names[k].dropFirst())\""; benign = false   // escaped: the strict path's
            case 8: rows[r][k].value = "\"1.5\""; benign = false                      // a string
            case 9: rows[r][max(k, 1)].key = rows[r][max(k, 1) - 1].key; benign = false   // a repeat in place of a key
            default: break                                                           // none
            }
            let text = rows.enumerated().map { i, fields in
                L.open + fields.enumerated().map { j, f in
                    f.key + (i == r && spacing?.0 == j ? spacing!.1 : L.colon) + f.value
                }.joined(separator: L.comma) + L.close
            }
            var top = ["\"rows\": [" + text.joined(separator: ", ") + "]"]
            if rng.next() % 2 == 0 { top.append("\"reasons\": \(rng.next() % 2 == 0)") }
            let body = "{" + top.joined(separator: ", ") + "}"
            check(body, benign: benign)
            for mb in FastDecodingTests.mutations(body, &rng) { check(mb, benign: false) }
        }
        XCTAssertEqual(benignRefused, 0)
        XCTAssertGreaterThan(accepted, 350)
    }

    /// The bench's shape, bit for bit against the strict path on 300 rows (the row reservation
    /// estimate, the gaps over many rows, numbers right before the body's end).
    func testALongBatchIsTheStrictPathsBatch() throws {
        let (dir, m, names) = try Self.loadedModel()
        defer { try? FileManager.default.removeItem(at: dir) }
        var limits = ServeLimits()
        limits.maxRows = 1000
        var rng = SplitMix(33)
        for shortFirst in [false, true] {
            // A short first row (all zeros) under-estimates the rows: the array then grows.
            let rows = (0..<300).map { i in
                "{" + Self.names.map { n in
                    "\"\(n)\": " + (shortFirst && i == 0 ? "0" : "\((Double(Int64(bitPattern: rng.next()) % 4_000_000) / 1e6 * 1e6).rounded() / 1e6)")
                }.joined(separator: ", ") + "}"
            }
            let bytes = Array(("{\"rows\": [" + rows.joined(separator: ", ") + "]}").utf8)
            let fast = try XCTUnwrap(bytes.withUnsafeBufferPointer { FastScoreDecoding.decode($0, names: names, maxRows: limits.maxRows) })
            let strict = try RequestDecoding.score(StrictJSON.parse(bytes), model: m, limits: limits)
            XCTAssertEqual(fast.nrow, 300)
            for (c, name) in m.featureNames.enumerated() {
                XCTAssertEqual(fast.columns[c].map(\.bitPattern), try strict.frame.column(name).toDoubles()!.map(\.bitPattern))
            }
            // maxRows still holds.
            XCTAssertNil(bytes.withUnsafeBufferPointer { FastScoreDecoding.decode($0, names: names, maxRows: 299) })
        }
    }
}
