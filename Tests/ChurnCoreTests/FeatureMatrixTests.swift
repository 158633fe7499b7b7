import XCTest
@testable import ChurnCore

final class FeatureMatrixTests: XCTestCase {
    func testTextTargetMinorityIsPositive() throws {
        let t = try BinaryTarget(column: .string("churn", ["no", "yes", "no", "no"]))
        XCTAssertEqual(t.y, [0, 1, 0, 0])
        XCTAssertEqual(t.positiveLabel, "yes")
        XCTAssertTrue(t.positiveWasInferred)
        let t2 = try BinaryTarget(column: .string("churn", ["no", "yes", "no"]), positive: "no")
        XCTAssertEqual(t2.y, [1, 0, 1])
        XCTAssertThrowsError(try BinaryTarget(column: .string("c", ["a", "b", "c"])))
        XCTAssertThrowsError(try BinaryTarget(column: .float("c", [0, 2])))
    }

    func testRecodeAgainstFitLevels() throws {
        let f = try Frame([.string("plan", ["b", "a", "z", nil])])
        let m = try FeatureMatrix(frame: f, columns: ["plan"], levels: ["plan": ["a", "b"]])
        guard case .categorical(let codes, let levels) = m.features[0] else { return XCTFail() }
        XCTAssertEqual(levels, ["a", "b"])
        XCTAssertEqual(codes, [1, 0, -1, -1])   // unseen 'z' and null → missing
    }
}
