import Foundation
import LuaRuntime
import XCTest

/// The numeric option helper (LuaOptionRanges.swift): every Lua number, however
/// extreme, is either accepted inside the range or refused with a message that
/// names the argument, the field and the range — never converted with a trap.
final class LuaOptionRangeTests: XCTestCase {
    /// Lua numbers a script can pass, as values (integer and float subtypes).
    static let extremes: [LuaValue] = [
        .integer(Int64.max), .integer(Int64.min), .integer(-1), .integer(0), .integer(1), .integer(1 << 31),
        .number(.nan), .number(.infinity), .number(-.infinity), .number(1e300), .number(-1e300), .number(0x1p63),
        .number(-0x1p63), .number(-0.0), .number(0.5), .number(2.0), .number(1e-300), .number(.ulpOfOne),
    ]

    func testIntegerRangesNeverTrapAndAcceptExactlyTheRange() {
        let r = 1...100_000
        for v in Self.extremes {
            let got = NumericOption.integer(v, in: r)
            switch v {
            case .integer(let i): XCTAssertEqual(got, r.contains(Int(i)) ? Int(i) : nil, "\(v)")
            case .number(let d):
                let expected: Int? = d == 1 || d == 2 ? Int(d) : nil    // only 1.0 and 2.0 are whole and in range
                XCTAssertEqual(got, expected, "\(v)")
            default: XCTFail()
            }
        }
        XCTAssertEqual(NumericOption.integer(.number(-0.0), in: 0...1), 0)
        XCTAssertEqual(NumericOption.integer(.integer(Int64.max), in: 0...Int.max), Int.max)
        XCTAssertNil(NumericOption.integer(.number(0x1p63), in: 0...Int.max))   // 2^63 is not an Int
        XCTAssertNil(NumericOption.integer(.string("3"), in: 0...10))
    }

    func testNumberRanges() {
        XCTAssertTrue(NumberRange.fraction.contains(1)); XCTAssertFalse(NumberRange.fraction.contains(0))
        XCTAssertFalse(NumberRange.finite.contains(.infinity)); XCTAssertTrue(NumberRange.any.contains(-.infinity))
        for r in [NumberRange.any, .finite, .positive, .nonNegative, .probability, .fraction, .closed(-1e300, 1e300)] {
            XCTAssertFalse(r.contains(.nan), "\(r)")
        }
        XCTAssertFalse(NumberRange.nonNegative.contains(.infinity))
        XCTAssertTrue(NumberRange.nonNegative.contains(-0.0))
        XCTAssertEqual(NumberRange.fraction.description, "a number in (0, 1]")
        XCTAssertEqual(NumberRange.nonNegative.description, "a finite number >= 0")
        XCTAssertEqual(NumberRange.positive.description, "a finite number > 0")
        XCTAssertEqual(NumberRange.finite.description, "a finite number")
        XCTAssertEqual(NumberRange.any.description, "a number (not NaN)")
        XCTAssertEqual(NumberRange.openClosed(0, 52_560_000).description, "a number in (0, 52560000]")
        XCTAssertEqual(NumericOption.describe(1...100_000), "an integer in 1...100000")
        XCTAssertEqual(NumericOption.describe(0...Int.max), "an integer >= 0")
    }

    func testErrorsNameArgumentFieldAndRange() throws {
        let s = try LuaState()
        s.register(global: "forest") { c in
            let o = try c.options(1)
            return c.push(try o.integer("n_trees", in: 1...100_000) ?? 100)
        }
        s.register(global: "rate") { c in c.push(try c.number(1, in: .fraction)) }
        s.register(global: "head") { c in c.push(try c.optInteger(2, in: -10...10) ?? 5) }
        func message(_ code: String) -> String? {
            do { _ = try s.run(code, name: "=t"); return nil } catch { return (error as? LuaError)?.message }
        }
        XCTAssertEqual(message("forest{n_trees = 2^63}"),
                       "t:1: bad argument #1 to 'forest' (field 'n_trees': must be an integer in 1...100000, got 9.2233720368548e+18)")
        XCTAssertEqual(message("forest{n_trees = math.maxinteger}"),
                       "t:1: bad argument #1 to 'forest' (field 'n_trees': must be an integer in 1...100000, got 9223372036854775807)")
        XCTAssertEqual(message("forest{n_trees = 0/0}"),
                       "t:1: bad argument #1 to 'forest' (field 'n_trees': must be an integer in 1...100000, got nan)")
        XCTAssertEqual(message("forest{n_trees = 'x'}"),
                       "t:1: bad argument #1 to 'forest' (field 'n_trees': number expected, got string)")
        XCTAssertEqual(message("rate(0)"), "t:1: bad argument #1 to 'rate' (must be a number in (0, 1], got 0)")
        XCTAssertEqual(message("rate(-math.huge)"), "t:1: bad argument #1 to 'rate' (must be a number in (0, 1], got -inf)")
        XCTAssertEqual(message("head(1, 11)"), "t:1: bad argument #2 to 'head' (must be an integer in -10...10, got 11)")
        XCTAssertEqual(try s.run("return forest{n_trees = 3.0}, forest{}, rate(1), head(1), head(1, -10)"),
                       [.integer(3), .integer(100), .number(1), .integer(5), .integer(-10)])
    }
}
