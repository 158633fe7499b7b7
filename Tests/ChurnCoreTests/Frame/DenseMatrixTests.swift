import XCTest
@testable import ChurnCore

final class DenseMatrixTests: XCTestCase {
    func testLayoutsNullsAndTypes() throws {
        let f = try Frame([.float("a", [1, 2, 3]), .int("b", [10, 20, 30], nulls: [false, true, false]),
                           .bool("c", [true, false, true]), .string("s", ["x", "y", "z"])])
        let m = try f.denseMatrix()
        XCTAssertEqual(m.columnNames, ["a", "b", "c"])          // text left out by default
        XCTAssertEqual(m.rows, 3); XCTAssertEqual(m.cols, 3)
        XCTAssertEqual(m[2, 1], 30)
        XCTAssertTrue(m[1, 1].isNaN)                            // null → NaN
        XCTAssertEqual(m.rowMajor.map { $0.isNaN ? -1 : $0 }, [1, 10, 1, 2, -1, 0, 3, 30, 1])
        XCTAssertEqual(m.columnMajor.map { $0.isNaN ? -1 : $0 }, [1, 2, 3, 10, -1, 30, 1, 0, 1])
        XCTAssertThrowsError(try f.denseMatrix(columns: ["a", "s"])) { XCTAssertTrue("\($0)".contains("'s'")) }
    }

    func testFloatColumnIsShared() throws {
        let values = (0..<1000).map(Double.init)
        let f = try Frame([.float("x", values)])
        let m = try f.denseMatrix()
        guard case .float64(let stored) = try f.column("x").data else { return XCTFail() }
        stored.withUnsafeBufferPointer { a in
            m.columns[0].withUnsafeBufferPointer { b in XCTAssertEqual(a.baseAddress, b.baseAddress) }   // no copy
        }
    }
}
