import XCTest
@testable import ChurnCore

final class FrameOpsTests: XCTestCase {
    func testSelectDropRenameShareColumns() throws {
        let f = try PrepTestData.small()
        XCTAssertEqual(try f.select(["n", "user"]).names, ["n", "user"])
        XCTAssertEqual(try f.drop(["plan"]).names, ["user", "amount", "n"])
        let r = try f.rename(["n": "events"])
        XCTAssertEqual(r.names, ["user", "plan", "amount", "events"])
        XCTAssertThrowsError(try f.rename(["n": "plan"]))
        XCTAssertThrowsError(try f.select(["amout"])) { e in
            XCTAssertEqual("\(e)", "no column 'amout'; did you mean 'amount'?")
        }
        // Unchanged columns share storage (copy-on-write): same buffer address.
        guard case .int64(let a) = try f.column("n").data, case .int64(let b) = try r.column("events").data else { return XCTFail() }
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in XCTAssertEqual(pa.baseAddress, pb.baseAddress) } }
    }

    func testFilterTakeAndNullMask() throws {
        let f = try PrepTestData.small()
        let mask = Column.bool("m", [true, false, true, true, false, false, true, false, false, false, false, true],
                               nulls: [false, false, false, true, false, false, false, false, false, false, false, false])
        let g = try f.filter(mask: mask)
        XCTAssertEqual(try g.column("n").ints, [3, 4, 2, 8])        // null mask row 3 dropped
        XCTAssertEqual(try g.column("amount").doubles, [10.5, nil, nil, 3.5])
        XCTAssertThrowsError(try f.take(rows: [12]))
        XCTAssertThrowsError(try f.filter(mask: [true]))
    }

    func testConcatMergesDictionariesAndChecksSchema() throws {
        let a = try Frame([.string("s", ["x", "y"]), .int("v", [1, 2])])
        let b = try Frame([.int("v", [3]), .string("s", ["z"])])
        let c = try Frame.concat([a, b, a])
        XCTAssertEqual(try c.column("s").strings, ["x", "y", "z", "x", "y"])
        XCTAssertEqual(try c.column("v").ints, [1, 2, 3, 1, 2])
        let bad = try Frame([.float("v", [3]), .string("s", ["z"])])
        XCTAssertThrowsError(try Frame.concat([a, bad])) { e in
            XCTAssertEqual("\(e)", "cannot concatenate column 'v': int and float")
        }
        XCTAssertThrowsError(try Frame.concat([a, try a.drop(["v"])]))
    }

    func testDropnaFillnaDistinct() throws {
        let f = try PrepTestData.small()
        XCTAssertEqual(try f.dropna().nrow, 10)
        XCTAssertEqual(try f.dropna(subset: ["n"]).nrow, 12)
        let filled = try f.fillna(["amount": .int(-1)])
        XCTAssertEqual(try filled.column("amount").doubles[2], -1)
        XCTAssertEqual(try filled.column("amount").nullCount, 0)
        let s = try Frame([.string("s", ["a", nil])]).fillna(["s": .string("unknown")])
        XCTAssertEqual(try s.column("s").strings, ["a", "unknown"])
        XCTAssertThrowsError(try f.fillna(["amount": .string("x")])) { e in
            XCTAssertEqual("\(e)", "fillna: cannot fill float column 'amount' with string value 'x'")
        }
        let d = try f.distinct(subset: ["user", "plan"])
        XCTAssertEqual(try d.column("n").ints, [3, 1, 1, 9, 6])   // first row of each pair
        let nan = try Frame([.float("x", [1, .nan, .nan, -0.0, 0])]).distinct()
        XCTAssertEqual(nan.nrow, 3)
    }

    func testSampleIsSeededWithoutReplacement() throws {
        let f = try Frame([.int("i", (0..<100).map(Int64.init))])
        let a = try f.sample(n: 10, seed: 5), b = try f.sample(n: 10, seed: 5), c = try f.sample(n: 10, seed: 6)
        XCTAssertEqual(try a.column("i").ints, try b.column("i").ints)
        XCTAssertNotEqual(try a.column("i").ints, try c.column("i").ints)
        XCTAssertEqual(Set(try a.column("i").ints).count, 10)
        XCTAssertEqual(try f.sample(frac: 0.25, seed: 1).nrow, 25)
        XCTAssertThrowsError(try f.sample(n: 101))
        XCTAssertThrowsError(try f.sample(n: 1, frac: 0.1))
    }

    func testWithColumnsReplacesAndAppends() throws {
        let f = try PrepTestData.small()
        let g = try f.withColumns([.int("n", [Int64](repeating: 0, count: 12)), .bool("flag", [Bool](repeating: true, count: 12))])
        XCTAssertEqual(g.names, ["user", "plan", "amount", "n", "flag"])
        XCTAssertEqual(try g.column("n").ints[0], 0)
        XCTAssertThrowsError(try f.withColumns([.int("x", [1])]))
    }
}
