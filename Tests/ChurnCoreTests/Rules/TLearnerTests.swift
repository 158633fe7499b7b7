import XCTest
@testable import ChurnCore

final class TLearnerTests: XCTestCase {
    /// Users with x = 1 are "persuadable": the offer cuts their churn from 0.8
    /// to 0.2; for x = 0 it does nothing (0.5 either way). A logistic model on
    /// the indicator recovers the group rates exactly (unpenalized MLE of a
    /// saturated model), so uplift is 0.6 for x = 1 and 0 for x = 0.
    func testRecoversUpliftOfSaturatedGroups() throws {
        var x: [Double] = [], y: [Double] = [], treated: [Bool] = []
        func add(_ xv: Double, _ t: Bool, churned: Int, of n: Int) {
            for i in 0..<n { x.append(xv); treated.append(t); y.append(i < churned ? 1 : 0) }
        }
        add(1, false, churned: 80, of: 100); add(1, true, churned: 20, of: 100)
        add(0, false, churned: 50, of: 100); add(0, true, churned: 50, of: 100)
        let X = try FeatureMatrix(names: ["x"], features: [.numeric(x)])
        var opts = LogisticRegression.Options()
        opts.penalty = .none
        let t = try TLearner.fit(X, churn: y, treated: treated) { X, y, w in
            try LogisticRegression.fit(X, y, weights: w, options: opts)
        }
        let u = try t.uplift(try FeatureMatrix(names: ["x"], features: [.numeric([1, 0])]))
        XCTAssertEqual(u[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(u[1], 0.0, accuracy: 1e-6)
    }

    func testNeedsBothOutcomesInEachGroup() throws {
        let X = try FeatureMatrix(names: ["x"], features: [.numeric([0, 1, 0, 1])])
        XCTAssertThrowsError(try TLearner.fit(X, churn: [0, 0, 1, 0], treated: [true, true, false, false]) { X, y, w in
            try LogisticRegression.fit(X, y, weights: w)
        }) { XCTAssertTrue("\($0)".contains("treatment group needs both")) }
    }
}
