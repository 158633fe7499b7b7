import XCTest
@testable import ChurnCore

/// Issue 11, item 12: joins matched NaN keys. As in SQL and polars (`pl.DataFrame.join`
/// does not match NaN with NaN by default… and never matches nulls), a NaN or null float
/// key matches nothing; pandas' merge would pair NaN with NaN. Hand-computed expectations.
final class JoinNaNKeyTests: XCTestCase {
    let left: Frame = try! Frame([.float("k", [1, .nan, 2, 0], nulls: [false, false, false, true]), .string("l", ["a", "b", "c", "d"])])
    let right: Frame = try! Frame([.float("k", [.nan, 1, 0, 2], nulls: [false, false, true, false]), .string("r", ["x", "y", "z", "w"])])

    func testNaNAndNullKeysNeverMatch() throws {
        let inner = try left.join(right, on: ["k"])
        XCTAssertEqual(inner.nrow, 2)
        XCTAssertEqual((0..<2).map { try! inner.column("l").string(at: $0) }, ["a", "c"])
        XCTAssertEqual((0..<2).map { try! inner.column("r").string(at: $0) }, ["y", "w"])
        let lj = try left.join(right, on: ["k"], how: .left)
        XCTAssertEqual(lj.nrow, 4)
        XCTAssertEqual((0..<4).map { try! lj.column("r").string(at: $0) }, ["y", nil, "w", nil])
        let outer = try left.join(right, on: ["k"], how: .outer)
        XCTAssertEqual(outer.nrow, 6)   // 2 matches + 2 unmatched left (NaN, null) + 2 unmatched right (NaN, null)
        XCTAssertEqual(try left.join(right, on: ["k"], how: .semi).nrow, 2)
        XCTAssertEqual(try left.join(right, on: ["k"], how: .anti).nrow, 2)
        // Several keys: a NaN in any key column makes the row unmatched.
        let l2 = try Frame([.string("s", ["p", "p"]), .float("k", [.nan, 1]), .int("v", [1, 2])])
        let r2 = try Frame([.string("s", ["p", "p"]), .float("k", [.nan, 1]), .int("w", [3, 4])])
        let j2 = try l2.join(r2, on: ["s", "k"])
        XCTAssertEqual(j2.nrow, 1)
        XCTAssertEqual(try j2.column("w").ints, [4])
    }
}
