import ChurnCore
@testable import ChurnServe
import Foundation
import XCTest

/// The fast request readers (`FastScoreDecoding`, `FastEventDecoding`,
/// `FastJSONScanner.number`) against the strict path they short-cut
/// (`StrictJSON` + `RequestDecoding`, `Double(String)`, `TimeUnit.parse`):
/// on every body the fast path accepts, the strict path accepts too and gives
/// the same values bit for bit; every body the strict path refuses, the fast
/// path refuses too (so the strict path's error answers).
final class FastDecodingTests: XCTestCase {
    static func fastNumber(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { b -> Double? in
            var s = FastJSONScanner(b)
            guard let v = s.number(), s.atEnd else { return nil }
            return v
        }
    }

    func testNumbersAreTheStandardLibrarysDoubles() {
        var fixed = ["0", "-0", "1", "-1", "0.1", "0.3", "1e22", "1e23", "-1e-22", "1e-23", "9007199254740992", "9007199254740993",
                     "123456789012345678901234", "0.000001", "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308",
                     "1E5", "1e+5", "1.5e-0", "0.0000000000000000000000000001", "12345678901234567890.5", "3.14159265358979323846"]
        var rng = SplitMix(5)
        for _ in 0..<20_000 {
            let x = Double(bitPattern: rng.next())
            guard x.isFinite else { continue }
            fixed.append("\(x)")
            fixed.append(String(format: "%.6f", Double(Int64(bitPattern: rng.next()) % 10_000_000) / 1e4))
            fixed.append(String(format: "%.*e", Int(rng.next() % 17), x))
            fixed.append(String(Int64(bitPattern: rng.next()) >> Int(rng.next() % 64)))
        }
        for t in fixed {
            let ref = Double(t)!
            guard let v = Self.fastNumber(t) else { XCTFail("fast path refused \(t)"); continue }
            XCTAssertEqual(v.bitPattern, ref.bitPattern, t)
        }
        // What RFC 8259 (and StrictJSON) refuses, the fast path refuses.
        for bad in ["01", "1.", ".5", "+1", "1e", "1e+", "-", "--1", "0x10", "NaN", "Infinity", "1e400", "-1e400", String(repeating: "1", count: 65)] {
            XCTAssertNil(Self.fastNumber(bad), bad)
            XCTAssertThrowsError(try StrictJSON.parse(Array(bad.utf8)), bad)
        }
    }

    func testTimesAreTimeUnitParse() {
        var rng = SplitMix(9)
        for _ in 0..<5000 {
            let t = Int64(rng.next() % (200 * 365 * 86_400)) * 1_000_000   // 1970…2169, whole seconds
            let text = DateText.format(micros: t).replacingOccurrences(of: " ", with: "T") + "Z"
            let fast = Array(text.utf8).withUnsafeBufferPointer { FastEventDecoding.parseTime($0) }
            XCTAssertEqual(fast, TimeUnit.parse(text), text)
            XCTAssertEqual(fast, t, text)
        }
        for bad in ["2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z",
                    "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z", "2024-01-0aT00:00:00Z"] {
            XCTAssertNil(Array(bad.utf8).withUnsafeBufferPointer { FastEventDecoding.parseTime($0) }, bad)
            XCTAssertNil(TimeUnit.parse(bad), bad)
        }
        XCTAssertEqual(Array("2024-06-01".utf8).withUnsafeBufferPointer { FastEventDecoding.parseTime($0) }, TimeUnit.parse("2024-06-01"))
    }

    /// Random valid bodies, then random one-byte and structural mutations of them.
    static func mutations(_ body: String, _ rng: inout SplitMix) -> [String] {
        var out: [String] = []
        let b = Array(body.utf8)
        let alphabet = Array("{}[],:\"\\ 0123456789.-eEnulltruefalsx\u{7f}".utf8) + [0xC3, 0xA9]
        for _ in 0..<12 {
            var m = b
            let k = Int(rng.next() % UInt64(m.count))
            switch rng.next() % 3 {
            case 0: m.remove(at: k)
            case 1: m.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: k)
            default: m[k] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            }
            out.append(String(decoding: m, as: UTF8.self))
        }
        return out
    }

    func testScoreBodiesAgreeWithTheStrictPath() throws {
        let dir = try ServeFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.clm").path
        try ServeFixtures.model(at: path)
        let m = try ScoringModel(path: path)
        let names = try XCTUnwrap(m.numericFeatureBytes)
        var limits = ServeLimits()
        limits.maxRows = 6
        var rng = SplitMix(3)
        var accepted = 0, refused = 0
        func check(_ body: String) {
            let bytes = Array(body.utf8)
            let fast = bytes.withUnsafeBufferPointer { FastScoreDecoding.decode($0, names: names, maxRows: limits.maxRows) }
            let strict = try? RequestDecoding.score(StrictJSON.parse(bytes), model: m, limits: limits)
            guard let fast else { if strict != nil { refused += 1 }; return }
            guard let strict else { return XCTFail("fast path accepted what the strict path refuses: \(body)") }
            accepted += 1
            XCTAssertEqual(fast.reasons, strict.reasons, body)
            XCTAssertEqual(fast.nrow, strict.rows, body)
            for (c, name) in m.featureNames.enumerated() {
                let ref = try! strict.frame.column(name).toDoubles()!
                XCTAssertEqual(fast.columns[c].map(\.bitPattern), ref.map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern }, body)
            }
        }
        for _ in 0..<400 {
            let nrow = 1 + Int(rng.next() % 7)
            let rows = (0..<nrow).map { _ -> String in
                var keys = Array(m.featureNames.enumerated())
                if rng.next() % 3 == 0 { keys.shuffle(using: &rng) }
                return "{" + keys.map { _, n in
                    let v: String
                    switch rng.next() % 5 {
                    case 0: v = "null"
                    case 1: v = "\(Double(Int64(bitPattern: rng.next()) % 100_000) / 1000)"
                    case 2: v = String(Int64(bitPattern: rng.next()) % 1000)
                    case 3: v = String(format: "%.3e", Double(Int64(bitPattern: rng.next()) % 100_000) / 7)
                    default: v = "\(Double(bitPattern: rng.next() >> 2))"
                    }
                    return "\"\(n)\"" + (rng.next() % 4 == 0 ? " : " : ":") + v
                }.joined(separator: rng.next() % 2 == 0 ? "," : ", ") + "}"
            }
            var top = ["\"rows\": [" + rows.joined(separator: ",\n") + "]"]
            if rng.next() % 2 == 0 { top.append("\"reasons\": \(rng.next() % 2 == 0)") }
            if rng.next() % 2 == 0 { top.reverse() }
            let body = "{" + top.joined(separator: ",") + "}"
            check(body)
            for mb in Self.mutations(body, &rng) { check(mb) }
        }
        check("{\"rows\": []}")
        check("{\"rows\": [{}]}")
        check("{\"rows\": [\(String(repeating: "{\"events_7d\":1},", count: 3))]}")
        XCTAssertGreaterThan(accepted, 400)
        // The strict path accepts a few bodies the fast one leaves to it (e.g. rows beyond
        // the numbers the fast path reads); most valid bodies go the fast way.
        XCTAssertLessThan(refused, accepted / 10)
    }

    func testEventBodiesAgreeWithTheStrictPath() throws {
        var limits = ServeLimits()
        limits.maxEvents = 8
        limits.maxIdBytes = 24   // a time text is 20 bytes
        var rng = SplitMix(4)
        var accepted = 0
        func check(_ body: String) {
            let bytes = Array(body.utf8)
            let fast = bytes.withUnsafeBufferPointer { FastEventDecoding.decode($0, limits: limits) }
            let strict = try? RequestDecoding.events(StrictJSON.parse(bytes), limits: limits)
            guard let fast else { return }
            guard let strict else { return XCTFail("fast path accepted what the strict path refuses: \(body)") }
            accepted += 1
            XCTAssertEqual(fast, strict, body)
        }
        for _ in 0..<600 {
            let n = 1 + Int(rng.next() % 9)
            let events = (0..<n).map { k -> String in
                var fields = ["\"user\": \"u\(rng.next() % 1000)\"", "\"type\": \"\(["login", "view", "buy"][k % 3])\"",
                              "\"time\": \"2026-\(String(format: "%02d", 1 + rng.next() % 12))-\(String(format: "%02d", 1 + rng.next() % 28))T0\(rng.next() % 10):1\(rng.next() % 6):0\(rng.next() % 10)Z\""]
                switch rng.next() % 3 {
                case 0: fields.append("\"amount\": \(Double(rng.next() % 10_000) / 100)")
                case 1: fields.append("\"amount\": null")
                default: break
                }
                if rng.next() % 3 == 0 { fields.shuffle(using: &rng) }
                return "{" + fields.joined(separator: ",") + "}"
            }
            let body = "{\"events\": [" + events.joined(separator: ", ") + "]}"
            check(body)
            for mb in Self.mutations(body, &rng) { check(mb) }
        }
        check("{\"events\": []}")
        check("{\"events\": [{\"user\": \"\", \"type\": \"a\", \"time\": \"2026-01-01\"}]}")
        check("{\"events\": [{\"user\": \"a-very-long-user-id-beyond-24\", \"type\": \"a\", \"time\": \"2026-01-01\"}]}")
        check("{\"events\": [{\"user\": \"u\", \"user\": \"v\", \"type\": \"a\", \"time\": \"2026-01-01\"}]}")
        XCTAssertGreaterThan(accepted, 500)
    }
}
