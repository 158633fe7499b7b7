import XCTest
@testable import ChurnCore

/// Cross-validation splitters against scikit-learn 1.9.1 (the index sets below are
/// printed by scripts/reference/cv_splits.py, converted to 0-based rows).
final class FoldSplitsTests: XCTestCase {
    func testGroupKFoldMatchesScikitLearn() throws {
        let users = ["u3", "u1", "u5", "u3", "u2", "u5", "u4", "u5", "u4", "u3", "u5", "u2", "u4", "u5", "u4"]
        let splits = try CVSplits.groupKFold(.string("user", users), k: 3)
        // GroupKFold(n_splits=3).split(X, groups=users)
        XCTAssertEqual(splits.map(\.test), [[2, 5, 7, 10, 13], [1, 6, 8, 12, 14], [0, 3, 4, 9, 11]])
        for s in splits {
            XCTAssertEqual(Set(s.train).union(s.test).count, users.count)
            XCTAssertTrue(Set(s.train.map { users[$0] }).isDisjoint(with: s.test.map { users[$0] }))   // no group on both sides
        }
        XCTAssertThrowsError(try CVSplits.groupKFold(.string("user", users), k: 6))   // 5 groups
    }

    func testTimeSeriesSplitMatchesScikitLearn() throws {
        let times: [Double] = [5, 1, 9, 3, 12, 7, 2, 11, 4, 10, 6, 8]
        // TimeSeriesSplit(n_splits=3, gap=0) over rows sorted by time
        var s = try CVSplits.timeSeries(times: times, k: 3)
        XCTAssertEqual(s.map(\.train), [[1, 6, 3], [1, 6, 3, 8, 0, 10], [1, 6, 3, 8, 0, 10, 5, 11, 2]])
        XCTAssertEqual(s.map(\.test), [[8, 0, 10], [5, 11, 2], [9, 7, 4]])
        // TimeSeriesSplit(n_splits=3, gap=2)
        s = try CVSplits.timeSeries(times: times, k: 3, gap: .rows(2))
        XCTAssertEqual(s.map(\.train), [[1], [1, 6, 3, 8], [1, 6, 3, 8, 0, 10, 5]])
        // The same embargo as a time span: train on times < first test time − 2.
        XCTAssertEqual(try CVSplits.timeSeries(times: times, k: 3, gap: .time(2)).map(\.train), s.map(\.train))
        XCTAssertThrowsError(try CVSplits.timeSeries(times: times, k: 3, gap: .rows(9)))
    }

    func testPredefinedFoldsAndCustomSplitsInCrossValidation() throws {
        let splits = try CVSplits.predefined(.int("fold", [2, 1, 3, 1, 2, 3, 10]))
        XCTAssertEqual(splits.map(\.test), [[1, 3], [0, 4], [2, 5], [6]])
        XCTAssertEqual(splits[3].train, [0, 1, 2, 3, 4, 5])
    }
}
