import XCTest
@testable import ChurnCore

final class FrameTests: XCTestCase {
    func testNearMatchSuggestion() throws {
        let f = try Frame([.float("tenure", [1, 2]), .int("age", [3, 4])])
        XCTAssertThrowsError(try f.column("tenur")) { e in
            XCTAssertEqual("\(e)", "no column 'tenur'; did you mean 'tenure'?")
        }
    }

    func testLengthMismatchRejected() throws {
        XCTAssertThrowsError(try Frame([.float("a", [1, 2]), .float("b", [1])]))
    }

    func testValidityAndNulls() {
        let c = Column.string("plan", ["a", nil, "b", "a"])
        XCTAssertEqual(c.nullCount, 1)
        XCTAssertEqual(c.string(at: 0), "a")
        XCTAssertNil(c.string(at: 1))
        XCTAssertEqual(c.string(at: 3), "a")
        guard case .string(let codes, let dict) = c.data else { return XCTFail() }
        XCTAssertEqual(dict, ["a", "b"])
        XCTAssertEqual(codes[3], 0)
        let f = Column.float("x", [1, .nan, 3], nulls: [false, false, true])
        XCTAssertEqual(f.nullCount, 1)
        XCTAssertTrue(f.double(at: 1)!.isNaN)   // NaN is a value
        XCTAssertNil(f.double(at: 2))           // null is not
    }
}
