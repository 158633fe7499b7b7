@testable import ChurnCore
import XCTest

/// The core's own option checks (issue 11 item 10): options that reach the core
/// without the Lua bindings (decoded specs, parameter sets, other callers) are
/// refused before any arithmetic could overflow or a Double → Int conversion trap.
final class OptionLimitTests: XCTestCase {
    func testIntegerExtremesAreExact() throws {
        let c = Column.int("a", [Int64.max, 5, Int64.min, 9_007_199_254_740_993], nulls: [false, false, false, false])
        XCTAssertEqual(try c.integerMax(), Int64.max)
        XCTAssertEqual(try c.integerMin(), Int64.min)
        XCTAssertEqual(try Column.int("b", [9_007_199_254_740_993, 1]).integerMax(), 9_007_199_254_740_993)   // 2^53 + 1
        XCTAssertNil(try Column.int("c", [7], nulls: [true]).integerMax())
        XCTAssertThrowsError(try Column.float("f", [1]).integerMax())
    }

    func testAllNullTextColumnsKeepAValidDictionary() throws {
        let c = Column.string("s", [nil, nil])
        guard case .string(let codes, let dict) = c.data else { return XCTFail() }
        XCTAssertEqual(codes, [0, 0]); XCTAssertEqual(dict, [""])
        XCTAssertEqual(c.nullCount, 2)
        let both = try Column.concat([c, Column.string("s", ["x", nil])])
        XCTAssertEqual((0..<both.count).map { both.string(at: $0) }, [nil, nil, "x", nil])
    }

    func testPeriodsAreBounded() throws {
        var label = LabelOptions(asOf: 0)
        label.graceDays = 1_000_000_000
        XCTAssertThrowsError(try label.validate()) { XCTAssertTrue("\($0)".contains("grace_days must be in 0...36500"), "\($0)") }
        label = LabelOptions(asOf: 0, horizon: Int.max)
        XCTAssertThrowsError(try label.validate())
        var spec = FeatureSpec(asOf: 0)
        spec.sessionGapMinutes = 1e300
        XCTAssertThrowsError(try spec.validate()) { XCTAssertTrue("\($0)".contains("session_gap_minutes must be in (0, 52560000]"), "\($0)") }
        spec.sessionGapMinutes = .nan
        XCTAssertThrowsError(try spec.validate())
        let snap = SnapshotOptions(from: 0, to: 1, everyDays: Int.max, spec: FeatureSpec(asOf: 0))
        XCTAssertThrowsError(try snap.dates()) { XCTAssertTrue("\($0)".contains("every must be in 1...36500 days"), "\($0)") }
    }

    func testDurationsCannotOverflow() throws {
        XCTAssertEqual(try RuleDuration.days("2w"), 14)
        XCTAssertEqual(try RuleDuration.days("49h"), 3)
        XCTAssertEqual(try RuleDuration.days("36500d"), 36_500)
        for text in ["9223372036854775807w", "9223372036854775807h", "9223372036854775807", "36501d", "5215w"] {
            XCTAssertThrowsError(try RuleDuration.days(text), text)
        }
    }

    func testModelOptionsHaveUpperBounds() throws {
        var f = RandomForestOptions()
        f.nTrees = Int.max
        XCTAssertThrowsError(try f.validate())
        f = RandomForestOptions(); f.minSamplesLeaf = Int.max
        XCTAssertThrowsError(try f.validate())
        f = RandomForestOptions(); f.maxFeatures = .count(Int.max)
        XCTAssertThrowsError(try f.validate())
        var g = GradientBoostingOptions()
        g.lambdaL2 = .infinity
        XCTAssertThrowsError(try g.validate())
        g = GradientBoostingOptions(); g.learningRate = .infinity
        XCTAssertThrowsError(try g.validate())
        g = GradientBoostingOptions(); g.numLeaves = Int.max
        XCTAssertThrowsError(try g.validate())
    }

    func testIntRangeSearchCannotOverflow() throws {
        XCTAssertThrowsError(try ParamDistribution.intRange(Int.min, Int.max).validate("k"))
        XCTAssertThrowsError(try ParamDistribution.intRange(0, Int.max).validate("k"))   // hi - lo + 1 overflows
        XCTAssertNoThrow(try ParamDistribution.intRange(-5, 5).validate("k"))
    }

    func testNaNThresholdIsAnError() throws {
        XCTAssertThrowsError(try Metrics.confusion([0, 1], [0.2, 0.8], threshold: .nan))
        XCTAssertEqual(try Metrics.confusion([0, 1], [0.2, 0.8], threshold: 0.5).accuracy, 1)
    }
}
