@testable import ChurnLua
import ChurnCore
import LuaRuntime
import XCTest

/// The Lua option parser of the GBDT extensions (wired into cl.model.gbdt at merge).
final class GBDTExtraOptionsTests: XCTestCase {
    private func arr(_ xs: [Int64]) -> LuaValue {
        .table(xs.enumerated().map { (key: LuaValue.integer(Int64($0.offset + 1)), value: LuaValue.integer($0.element)) })
    }

    private func parse(_ v: [String: LuaValue]) throws -> GradientBoostingOptions {
        var g = GradientBoostingOptions()
        try GBDTExtraOptions.parse(ValueOptions(values: v, owner: "gbdt"), into: &g)
        return g
    }

    func testReadsEachOption() throws {
        let g = try parse(["objective": .string("regression"),
                           "monotone_constraints": arr([1, 0, -1])])
        XCTAssertEqual(g.objective, .regression)
        XCTAssertEqual(g.monotoneConstraints, [1, 0, -1])
        let b = try parse(["scale_pos_weight": .number(3), "class_weight": .string("balanced")])
        XCTAssertEqual(b.scalePosWeight, 3); XCTAssertEqual(b.classWeight, .balanced)
        let c = try parse(["class_weight": arr([1, 5])])
        XCTAssertEqual(c.classWeight, .custom(negative: 1, positive: 5))
        XCTAssertEqual(try parse([:]), GradientBoostingOptions())
        let d = try parse(["goss": .bool(true), "other_rate": .number(0.25)])
        XCTAssertEqual(d.goss, GOSSOptions(topRate: 0.2, otherRate: 0.25))
        XCTAssertNil(try parse(["goss": .bool(false)]).goss)
        XCTAssertEqual(GBDTExtraOptions.keys, ["objective", "scale_pos_weight", "class_weight", "monotone_constraints",
                                               "goss", "top_rate", "other_rate"])
    }

    func testRejectsBadValuesWithTheirName() {
        func message(_ v: [String: LuaValue]) -> String {
            do { _ = try parse(v); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message(["objective": .string("poisson")]).contains("'binary', 'regression' or 'multiclass'"))
        XCTAssertTrue(message(["scale_pos_weight": .number(0)]).contains("scale_pos_weight"))
        XCTAssertTrue(message(["scale_pos_weight": .number(.nan)]).contains("scale_pos_weight"))
        XCTAssertTrue(message(["monotone_constraints": arr([2])]).contains("item 1 must be -1, 0 or 1"))
        XCTAssertTrue(message(["class_weight": arr([0, 0])]).contains("not both 0"))
        XCTAssertTrue(message(["objective": .string("regression"), "scale_pos_weight": .number(2)]).contains("for objective = 'binary'"))
        XCTAssertTrue(message(["top_rate": .number(0.3)]).contains("need goss = true"))
        XCTAssertTrue(message(["goss": .bool(true), "top_rate": .number(1)]).contains("top_rate"))
    }
}
