@testable import ChurnServe
import Foundation
import XCTest

/// The word-at-a-time number reading (`DigitRun`, `FastJSONScanner.number`'s
/// short path) against plain references: a byte loop for the digit runs, and
/// `Double(String)` (the Swift standard library's correctly rounded parser)
/// for every number, bit for bit, in both places a number can sit — with 18 or
/// more bytes after it (the short path) and at the very end of the body (the
/// byte loop).
final class FastNumberTests: XCTestCase {
    /// The number read at the start of `text + tail`: its bits and how many bytes it took.
    static func read(_ text: String, tail: String) -> (Double, Int)? {
        Array((text + tail).utf8).withUnsafeBufferPointer { b -> (Double, Int)? in
            var s = FastJSONScanner(b)
            guard let v = s.number() else { return nil }
            return (v, s.i)
        }
    }

    func testDigitRunsAreTheByteLoops() {
        var rng = SplitMix(21)
        let others: [UInt8] = [0x2F, 0x3A, 0x2E, 0x2C, 0x7D, 0x20, 0x65, 0x45, 0x2D, 0x00, 0x7F, 0x80, 0xB0, 0xBA, 0xFF, 0xC6, 0x8A, 0x89]
        for _ in 0..<200_000 {
            // A run of 0-8 digits, then random bytes (digits or not) — every position and byte class.
            let run = Int(rng.next() % 9)
            var bytes = (0..<8).map { _ in UInt8(0x30 + rng.next() % 10) }
            if run < 8 {
                bytes[run] = rng.next() % 2 == 0 ? others[Int(rng.next() % UInt64(others.count))] : UInt8(truncatingIfNeeded: rng.next())
                if bytes[run] &- 0x30 <= 9 { bytes[run] = 0x2F }
            }
            for k in (run + 1)..<max(run + 1, 8) where rng.next() % 2 == 0 { bytes[k] = UInt8(truncatingIfNeeded: rng.next()) }
            let w = bytes.withUnsafeBufferPointer { DigitRun.load($0.baseAddress!) }
            XCTAssertEqual(DigitRun.count(w), run, "\(bytes)")
            var ref: UInt64 = 0
            for k in 0..<run { ref = ref * 10 + UInt64(bytes[k] - 0x30) }
            if run > 0 { XCTAssertEqual(DigitRun.value(w, run), ref, "\(bytes)") }
        }
        // Every eight-digit value's edges, and 10^n.
        for text in ["00000000", "99999999", "12345678", "10000000", "00000001", "90000009"] {
            let w = Array(text.utf8).withUnsafeBufferPointer { DigitRun.load($0.baseAddress!) }
            XCTAssertEqual(DigitRun.count(w), 8)
            XCTAssertEqual(DigitRun.value(w, 8), UInt64(text)!)
            for n in 1...8 { XCTAssertEqual(DigitRun.value(w, n), UInt64(text.prefix(n))!, text) }
        }
        for n in 0...8 { XCTAssertEqual(DigitRun.power(n), UInt64(pow(10, Double(n)))) }
    }

    /// Texts of every shape the brief lists: random doubles printed with 1-17 significant
    /// digits (plain and with exponents), the benchmark's `round(x, 6)` shapes, -0 and 0.0,
    /// leading zeros, 19- and 20-digit mantissas, the 2^53 boundary, 7- and 8-digit runs
    /// (the short path's limit), exponents on short mantissas.
    static func texts(_ count: Int, seed: UInt64) -> [String] {
        var out = ["0", "-0", "0.0", "-0.0", "0.5", "-0.52", "1", "-1.234567", "7.0000001", "1234567", "12345678",
                   "1234567.1234567", "1234567.12345678", "12345678.1234567", "0.0000001", "0.00000001", "-0.0000000",
                   "9007199254740992", "9007199254740993", "9007199254740994", "9007199254740991.5", "900719925474099.3",
                   "1234567890123456789", "12345678901234567890", "-98765432109876543210.5", "0.12345678901234567890",
                   "1e5", "1.5e-7", "-2.5E+3", "0.1e22", "1.2345e-22", "7e23", "1.0e0", "0e0", "-0e-5", "1.7976931348623157e308",
                   "4.9e-324", "2.2250738585072014e-308", "123456.7e10", "1.2345678e1"]
        var rng = SplitMix(seed)
        for _ in 0..<count {
            let x = Double(bitPattern: rng.next())
            guard x.isFinite else { continue }
            let digits = 1 + Int(rng.next() % 17)
            out.append(String(format: "%.\(digits)g", x))
            out.append(String(format: "%.\(digits - 1)e", x))
            // Moderate magnitudes, plain notation: the short path's shapes and just past them.
            let m = Double(Int64(bitPattern: rng.next()) % 100_000_000_000) / pow(10, Double(rng.next() % 12))
            out.append(String(format: "%.\(rng.next() % 10)f", m))
            let z = (Double(Int64(bitPattern: rng.next()) % 4_000_000) / 1e6 * 1e6).rounded() / 1e6
            out.append("\(z)")                                  // like Python's round(x, 6) printed shortest
            out.append(String(format: "%.6f", Double(Int64(bitPattern: rng.next()) % 10_000_000) / 1e4))
            out.append("\(UInt64(1 << 53) &+ rng.next() % 4 &- 2)")
            out.append((rng.next() % 2 == 0 ? "-" : "") + "0." + String(repeating: "0", count: Int(rng.next() % 9)) + "\(rng.next() % 10_000)")
        }
        return out
    }

    func testNumbersAreTheStandardLibrarysDoublesInEveryPosition() {
        let texts = Self.texts(40_000, seed: 22)
        for t in texts {
            let ref = Double(t)!
            guard ref.isFinite else {   // e.g. %.1g of 1.8e308 = 2e+308: JSON numbers must be finite here
                XCTAssertNil(Self.read(t, tail: ","), t)
                continue
            }
            for tail in ["", ",", "}", " ", "\n", ", \"f2\": 0.1234567890}", "]}                    "] {
                guard let (v, used) = Self.read(t, tail: tail) else { XCTFail("refused \(t) + \(tail)"); continue }
                XCTAssertEqual(v.bitPattern, ref.bitPattern, "\(t) + \(tail)")
                XCTAssertEqual(used, t.utf8.count, "\(t) + \(tail)")
            }
        }
    }

    /// The short path alone: where it answers, it is the general path's answer (bits and length);
    /// it answers every shape it is meant for; it leaves the rest (nothing consumed).
    func testTheShortPathIsTheGeneralPath() {
        let pad = ", \"f2\": 1}                  "
        func both(_ t: String) -> (short: (Double, Int)?, any: (Double, Int)?) {
            Array((t + pad).utf8).withUnsafeBufferPointer { b in
                var s1 = FastJSONScanner(b), s2 = FastJSONScanner(b)
                let a = s1.shortNumber().map { ($0, s1.i) }
                if a == nil { XCTAssertEqual(s1.i, 0, t) }
                return (a, s2.anyNumber().map { ($0, s2.i) })
            }
        }
        var answered = 0
        for t in Self.texts(20_000, seed: 23) {
            let (short, any) = both(t)
            guard Double(t)!.isFinite else { XCTAssertNil(any, t); XCTAssertNil(short, t); continue }
            guard let any else { XCTFail("general path refused \(t)"); continue }
            let plain = !t.contains { $0 == "e" || $0 == "E" }
            let parts = t.drop { $0 == "-" }.split(separator: ".", omittingEmptySubsequences: false)
            let meant = plain && parts[0].count < 8 && (parts.count == 1 || parts[1].count < 8)
            XCTAssertEqual(short != nil, meant, t)
            guard let short else { continue }
            answered += 1
            XCTAssertEqual(short.0.bitPattern, any.0.bitPattern, t)
            XCTAssertEqual(short.1, any.1, t)
        }
        XCTAssertGreaterThan(answered, 20_000)
        // Malformed numbers: the short path hands them on, the general one refuses them (or, for a
        // leading 0 followed by a digit, reads the 0 alone and the caller refuses the digit).
        for bad in ["01", "-01", "1.", "-1.", ".5", "+1", "1e", "1e+", "-", "--1", "0x10", "NaN", "-.5", "1.e5", "00.5"] {
            let (short, any) = both(bad)
            if let any {
                XCTAssertEqual(any.1, bad.hasPrefix("-") ? 2 : 1, bad)
                XCTAssertEqual(any.0, 0, bad)
                XCTAssertEqual(short?.0.bitPattern, any.0.bitPattern, bad)
                XCTAssertEqual(short?.1, any.1, bad)
            } else {
                XCTAssertNil(short, bad)
            }
            XCTAssertThrowsError(try StrictJSON.parse(Array(bad.utf8)), bad)
            XCTAssertNil(FastDecodingTests.fastNumber(bad), bad)
        }
        // -0 keeps its sign on both paths.
        XCTAssertEqual(both("-0").short?.0.sign, .minus)
        XCTAssertEqual(both("-0.000").short?.0.sign, .minus)
        XCTAssertEqual(both("-0.000").any?.0.sign, .minus)
    }
}
