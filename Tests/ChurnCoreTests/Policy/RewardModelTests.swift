@testable import ChurnCore
import XCTest

final class RewardModelTests: XCTestCase {
    /// Cross-fitting folds: a seeded partition with scikit-learn KFold's sizes (the first n mod k
    /// folds one row longer), each fold's training rows the complement of its test rows.
    func testFoldsPartitionTheRowsWithKFoldSizes() {
        let f = RewardModel.folds(n: 10, k: 3, seed: 7)
        XCTAssertEqual(f.map(\.test.count), [4, 3, 3])
        XCTAssertEqual(f.flatMap(\.test).sorted(), Array(0..<10))
        for (train, test) in f {
            XCTAssertEqual(Set(train).intersection(test), [])
            XCTAssertEqual((train + test).sorted(), Array(0..<10))
        }
        XCTAssertEqual(RewardModel.folds(n: 10, k: 3, seed: 7).map(\.test), f.map(\.test))
        XCTAssertNotEqual(RewardModel.folds(n: 10, k: 3, seed: 8).map(\.test), f.map(\.test))
        let one = RewardModel.folds(n: 5, k: 1, seed: 1)
        XCTAssertEqual(one.count, 1)
        XCTAssertEqual(one[0].train, Array(0..<5)); XCTAssertEqual(one[0].test, Array(0..<5))
    }

    /// Cross-fitted ridge: a test row's q̂ comes from the ridge fitted on the other folds only.
    /// Two rows, two folds, one action, intercept-only design: each row's q̂ is the other
    /// row's reward shrunk by the ridge, r / (1 + λ) = r / 2 (λ = 1).
    func testCrossFittedRidgeUsesTheOtherFoldOnly() throws {
        let ctx = try Frame([.float("x", [0, 0])])
        let logs = try LoggedDecisions(context: ctx, actions: [0, 0], propensities: [1, 1], rewards: [4, 10], actionNames: ["a"])
        let X: [Double] = [1, 1]
        let q = try RewardModel.predict(logs, design: X, d: 1, RewardModel.Settings(kind: .ridge, lambda: 1, folds: 2, seed: 3)).q
        XCTAssertEqual(q[0], 5, accuracy: 1e-12)   // row 1 from row 2 (10/2)
        XCTAssertEqual(q[1], 2, accuracy: 1e-12)   // row 2 from row 1 (4/2)
        let all = try RewardModel.predict(logs, design: X, d: 1, RewardModel.Settings(kind: .ridge, lambda: 1)).q
        for v in all { XCTAssertEqual(v, 14.0 / 3, accuracy: 1e-12) }   // (4 + 10) / (2 + λ)
        XCTAssertThrowsError(try RewardModel.predict(logs, design: X, d: 1, RewardModel.Settings(kind: .logistic)))  // rewards not 0/1
    }
}
