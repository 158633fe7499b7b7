import XCTest
@testable import ChurnCore
#if canImport(Glibc)
import Glibc
#endif

/// The word-at-a-time number parsers against the byte-loop parsers they shortcut (which
/// `CSVReaderTests.testFloatParsingMatchesStrtod` checks against glibc's strtod): on every
/// input the fast path either declines (nil) or gives the same value, bit for bit, and it
/// never declines a plain decimal of at most 8 bytes. Inputs come from the test target's seeded
/// `SplitMix64` (ParquetTests.swift).
final class FieldParsingTests: XCTestCase {
    /// Runs `body` with the bytes of `s` followed by 8 readable bytes of junk (as in a file).
    private func withField<R>(_ s: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        let padded = s + Array("9.,\"e-\n7".utf8)
        return padded.withUnsafeBufferPointer { body($0.baseAddress!, s.count) }
    }

    /// Compares both parsers on one field; returns whether the fast double path accepted it.
    @discardableResult
    private func check(_ s: [UInt8], line: UInt = #line) -> Bool {
        withField(s) { p, n in
            guard n <= 8 else { return false }
            let w = FieldParse.word(p, n)
            let fastD = FieldParse.double(word: w, n), slowD = FieldParse.double(p, n)
            if let f = fastD {
                guard let sl = slowD, f.bitPattern == sl.bitPattern else {
                    XCTFail("double \(String(decoding: s, as: UTF8.self)): fast \(f) slow \(String(describing: slowD))", line: line)
                    return false
                }
            }
            let fastI = FieldParse.int64(word: w, n), slowI = FieldParse.int64(p, n)
            if let f = fastI, f != slowI {
                XCTFail("int64 \(String(decoding: s, as: UTF8.self)): fast \(f) slow \(String(describing: slowI))", line: line)
            }
            // Never a decline on the plain forms.
            let body = s.first == 45 || s.first == 43 ? Array(s.dropFirst()) : s
            let digits = body.filter { $0 >= 48 && $0 <= 57 }.count
            let dots = body.filter { $0 == 46 }.count
            if digits >= 1, digits + dots == body.count, dots <= 1, fastD == nil {
                XCTFail("double fast path declined \(String(decoding: s, as: UTF8.self))", line: line)
            }
            if digits >= 1, digits == body.count, fastI == nil {
                XCTFail("int64 fast path declined \(String(decoding: s, as: UTF8.self))", line: line)
            }
            return fastD != nil
        }
    }

    func testEdgeCases() {
        let accepted = ["0", "-0", "+0", "7", "-7", "+7", "12345678", "-1234567", "99999999", "0.5", ".5", "-.5",
                        "5.", "-5.", "104.85", "-0.5457", "0.000001", "1234567.", ".1234567", "00000001", "0001.000",
                        "-9999999", "1.0", "9.999999"]
        for s in accepted { XCTAssertTrue(check(Array(s.utf8)), s) }
        let declined = ["", "-", "+", ".", "-.", "+.", "1e5", "1E-5", "1.2.3", "..1", "1..", "inf", "nan", "NaN", "-inf",
                        "123456789", "1.2345678", "--1", "+-1", "1-", "1 ", " 1", "0x10", "1,5", "1\"", "١٢", "1\u{0}"]
        for s in declined { XCTAssertFalse(check(Array(s.utf8)), s) }
        // Hand-checked values (the decimal nearest each; -0.0 keeps its sign).
        withField(Array("-0".utf8)) { p, n in
            XCTAssertEqual(FieldParse.double(word: FieldParse.word(p, n), n)?.bitPattern, (-0.0).bitPattern)
        }
        withField(Array("104.85".utf8)) { p, n in XCTAssertEqual(FieldParse.double(word: FieldParse.word(p, n), n), 104.85) }
        withField(Array("-1234567".utf8)) { p, n in XCTAssertEqual(FieldParse.int64(word: FieldParse.word(p, n), n), -1_234_567) }
    }

    /// Every string of length ≤ 5 over digits, sign, dot, `e` and space (66,430 strings),
    /// then 2,000,000 seeded random strings of length ≤ 8 (decimal-looking and arbitrary bytes).
    func testFastPathsAgreeWithByteLoopParsers() {
        let alphabet = Array("0159.-+e ".utf8)
        var total = 0
        var accepted = 0
        func all(_ prefix: [UInt8], _ left: Int) {
            if check(prefix) { accepted += 1 }
            total += 1
            if left == 0 { return }
            for c in alphabet { all(prefix + [c], left - 1) }
        }
        all([], 5)
        XCTAssertGreaterThan(accepted, 4_000)

        var rng = SplitMix64(seed: 20261204)
        let decimalish = Array("0123456789012345678901234567890123456789..-+eE".utf8)
        var buf = [UInt8](repeating: 0, count: 8)
        accepted = 0
        for i in 0..<2_000_000 {
            let n = Int(rng.next() % 9)
            for k in 0..<n {
                let r = rng.next()
                buf[k] = i % 8 == 7 ? UInt8(truncatingIfNeeded: r) : decimalish[Int(r % UInt64(decimalish.count))]
            }
            if check(Array(buf[0..<n])) { accepted += 1 }
        }
        XCTAssertGreaterThan(accepted, 200_000)
    }

    /// Random values written with 1–7 significant digits at every decimal position, as a CSV writer would.
    func testFastPathsOnPrintedNumbers() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<500_000 {
            let digits = Int(rng.next() % 7) + 1
            var m = rng.next() % 10_000_000
            for _ in digits..<7 { m /= 10 }
            var s = Array(String(m).utf8)
            let dot = Int(rng.next() % UInt64(s.count + 1))
            s.insert(46, at: dot)
            if rng.next() & 1 == 0 { s.insert(45, at: 0) }
            if s.count <= 8 { XCTAssertTrue(check(s)) }
        }
    }
}
