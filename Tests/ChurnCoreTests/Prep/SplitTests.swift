import XCTest
@testable import ChurnCore

final class SplitTests: XCTestCase {
    static let mlc = try! PrepTestData.mlcChurn()

    func testStratifiedSplitKeepsClassSharesWithinOneRow() throws {
        let f = Self.mlc
        let s = try f.split(test: 0.2, stratify: "churn", seed: 42)
        XCTAssertEqual(s.test.count, 1000)
        XCTAssertEqual(Set(s.train).union(s.test).count, 5000)
        XCTAssertTrue(Set(s.train).isDisjoint(with: s.test))
        XCTAssertEqual(s.test, s.test.sorted())
        let churn = try f.column("churn")
        let yesTest = s.test.filter { churn.string(at: $0) == "yes" }.count
        // 707 churners × 0.2 = 141.4
        XCTAssertTrue(abs(Double(yesTest) - 141.4) <= 1, "\(yesTest)")
        XCTAssertEqual(try f.split(test: 0.2, stratify: "churn", seed: 42), s)
        XCTAssertNotEqual(try f.split(test: 0.2, stratify: "churn", seed: 43), s)
        let (train, test) = try f.splitFrames(test: 0.2, seed: 1)
        XCTAssertEqual(train.nrow + test.nrow, 5000)
        XCTAssertEqual(test.nrow, 1000)
    }

    func testAllocationIsLargestRemainder() {
        XCTAssertEqual(Frame.allocate(10, among: [5, 5, 5]), [4, 3, 3])
        XCTAssertEqual(Frame.allocate(3, among: [1, 8, 1]), [0, 3, 0])
        XCTAssertEqual(Frame.allocate(141 + 859, among: [707, 4293]), [141, 859])
    }

    func testStratifiedKFoldCoversEveryRowOnce() throws {
        let f = Self.mlc
        let folds = try f.kfold(k: 5, stratify: "churn", seed: 7)
        XCTAssertEqual(folds.count, 5)
        var seen = [Int](repeating: 0, count: 5000)
        let churn = try f.column("churn")
        for fold in folds {
            XCTAssertEqual(fold.test.count, 1000)
            XCTAssertEqual(fold.train.count, 4000)
            for r in fold.test { seen[r] += 1 }
            let yes = fold.test.filter { churn.string(at: $0) == "yes" }.count
            XCTAssertTrue(yes == 141 || yes == 142, "\(yes)")     // 707 / 5 = 141.4
        }
        XCTAssertEqual(Set(seen), [1])
        XCTAssertThrowsError(try f.kfold(k: 1)) { e in
            XCTAssertEqual("\(e)", "kfold: k = 1 must be between 2 and the row count 5000")
        }
    }

    func testTimeSplitAtCutoff() throws {
        let f = try Frame([
            Column(name: "day", data: .date([19_966, 19_967, 19_970, 19_950, 0]), validity: Validity([true, true, true, true, false])),
            .int("v", [1, 2, 3, 4, 5]),
        ])
        // 19_967 = 2024-09-01
        let s = try f.timeSplit(time: "day", cutoff: .string("2024-09-01"))
        XCTAssertEqual(s.train, [0, 3])
        XCTAssertEqual(s.test, [1, 2])
        let ts = try Frame([Column(name: "ts", data: .timestamp([1_725_148_800_000_000 - 1, 1_725_148_800_000_000]))])
        XCTAssertEqual(try ts.timeSplit(time: "ts", cutoff: .string("2024-09-01")), SplitRows(train: [0], test: [1]))
        XCTAssertThrowsError(try f.timeSplit(time: "dya", cutoff: .string("2024-09-01")))
    }

    func testGroupSplitKeepsUsersTogether() throws {
        var rng = SeededRandom(seed: 3)
        let users = (0..<2000).map { _ in Int64(rng.below(100)) }
        let f = try Frame([.int("user_id", users)])
        let s = try f.groupSplit(group: "user_id", test: 0.25, seed: 9)
        let trainUsers = Set(s.train.map { users[$0] }), testUsers = Set(s.test.map { users[$0] })
        XCTAssertTrue(trainUsers.isDisjoint(with: testUsers))
        XCTAssertEqual(testUsers.count, 25)
        XCTAssertEqual(s.train.count + s.test.count, 2000)
        XCTAssertEqual(try f.groupSplit(group: "user_id", test: 0.25, seed: 9), s)
    }
}
