import XCTest
@testable import ChurnCore

/// Behaviour of LogisticRegression beyond the reference numbers.
final class LinearTests: XCTestCase {
    func testSampleWeightsEqualDuplicatedRows() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.small, rows: 0..<600)
        var w = [Double](repeating: 1, count: 600)
        var rows: [Int] = []
        for i in 0..<600 { w[i] = Double(i % 3); rows += [Int](repeating: i, count: i % 3) }
        let opts = LogisticRegression.Options(penalty: .l2, C: 0.3, standardize: false, tol: 1e-11)
        let weighted = try LogisticRegression.fit(X, y, weights: w, options: opts)
        let duplicated = try LogisticRegression.fit(X.take(rows), rows.map { y[$0] }, options: opts)
        assertClose([weighted.intercept] + weighted.coef, [duplicated.intercept] + duplicated.coef, rel: 1e-6, abs: 1e-9)
    }

    func testContributionsSumToLogOdds() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.small, rows: 0..<500)
        let m = try LogisticRegression.fit(X, y, options: .init(penalty: .l2, C: 1, standardize: true))
        let c = try m.contributions(X)
        XCTAssertEqual(c.featureNames, LinearTestData.small)
        let z = try m.decisionFunction(X)
        for i in stride(from: 0, to: 500, by: 37) {
            let s = c.baseline + c.values.reduce(0) { $0 + $1[i] }
            XCTAssertEqual(s, z[i], accuracy: 1e-10)
        }
        // A numeric feature's contribution is coef × (x − mean): zero at the mean, linear in x.
        let j = 0, x = X.features[0]
        guard case .numeric(let v) = x else { return XCTFail() }
        XCTAssertEqual(c.values[j][3], m.coef[0] * (v[3] - m.columnMean[0]), accuracy: 1e-12)
        // Categorical indicators are summed into their feature.
        guard case .categorical(let codes, let levels) = X.features[11] else { return XCTFail() }
        let k = m.columnNames.firstIndex(of: "international_plan=yes")!
        for i in 0..<20 {
            let ind = levels[Int(codes[i])] == "yes" ? 1.0 : 0.0
            XCTAssertEqual(c.values[11][i], m.coef[k] * (ind - m.columnMean[k]), accuracy: 1e-12)
        }
    }

    func testResultsIndependentOfThreadCount() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.all, rows: 0..<3000)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var fits: [[Double]] = []
        for t in [1, 2, 3] {
            Parallel.threads = t
            let m = try LogisticRegression.fit(X, y, options: .init(penalty: .l2, C: 0.5, standardize: true, solver: .lbfgs))
            fits.append([m.intercept] + m.coef + (try m.predictProba(X)))
        }
        XCTAssertEqual(fits[0], fits[1])
        XCTAssertEqual(fits[0], fits[2])
    }

    func testFeatureOrderAndLevelOrderDoNotMatterAtPredictTime() throws {
        let f = try Frame([
            .float("tenure", [1, 5, 3, 8, 2, 9, 4, 7, 6, 10]),
            .string("plan", ["b", "a", "c", "a", "b", "c", "a", "b", "c", "a"]),
        ])
        let y: [Double] = [1, 0, 1, 0, 1, 0, 0, 1, 1, 0]
        let X = try FeatureMatrix(frame: f, columns: ["tenure", "plan"])
        let m = try LogisticRegression.fit(X, y, options: .init(penalty: .l2, C: 1))
        XCTAssertEqual(m.columnNames, ["tenure", "plan=b", "plan=c"])   // sorted levels, first dropped
        let p = try m.predictProba(X)
        // Same rows reversed, columns swapped; the reversed text builds its
        // dictionary in another order (a, c, b), so codes differ but levels match by text.
        let plans = ["b", "a", "c", "a", "b", "c", "a", "b", "c", "a"]
        let reordered = try Frame([.string("plan", plans.reversed()), .float("tenure", [10, 6, 7, 4, 9, 2, 8, 3, 5, 1])])
        let p2 = try m.predictProba(FeatureMatrix(frame: reordered, columns: ["plan", "tenure"]))
        XCTAssertEqual(p2, Array(p.reversed()))
    }

    func testClearErrors() throws {
        let f = try Frame([.float("a", [1, 2, 3, 4]), .float("b", [0, 1, 0, 1]), .string("plan", ["x", "y", "x", "y"])])
        let X = try FeatureMatrix(frame: f, columns: ["a", "b", "plan"])
        let m = try LogisticRegression.fit(X, [0, 1, 1, 0], options: .init(penalty: .l2))
        // Missing features are listed.
        let g = try Frame([.float("a", [1])])
        XCTAssertThrowsError(try m.predictProba(FeatureMatrix(frame: g, columns: ["a"]))) { e in
            XCTAssertEqual("\(e)", "the frame lacks 2 features the model was fitted on: 'b', 'plan'")
        }
        // NaN in a numeric feature names the feature and the 1-based row.
        let h = try Frame([.float("a", [1, .nan]), .float("b", [0, 1]), .string("plan", ["x", "y"])])
        XCTAssertThrowsError(try m.predictProba(FeatureMatrix(frame: h, columns: ["a", "b", "plan"]))) { e in
            XCTAssertTrue("\(e)".contains("feature 'a' is missing (NaN/null) at row 2"), "\(e)")
        }
        // Unseen level.
        let u = try Frame([.float("a", [1]), .float("b", [0]), .string("plan", ["z"])])
        XCTAssertThrowsError(try m.predictProba(FeatureMatrix(frame: u, columns: ["a", "b", "plan"]))) { e in
            XCTAssertTrue("\(e)".contains("level 'z' at row 1, not seen when fitting"), "\(e)")
        }
        // A categorical feature that is entirely missing at fit time.
        let empty = try Frame([.float("a", [1, 2, 3, 4]), .string("plan", [nil, nil, nil, nil])])
        XCTAssertThrowsError(try LogisticRegression.fit(FeatureMatrix(frame: empty, columns: ["a", "plan"]), [0, 1, 1, 0])) { e in
            XCTAssertTrue("\(e)".contains("feature 'plan' is missing at row 1"), "\(e)")
        }
        // Bad options and targets.
        XCTAssertThrowsError(try LogisticRegression.fit(X, [0, 1, 1, 0], options: .init(C: -1))) { e in
            XCTAssertTrue("\(e)".contains("C must be a positive number"))
        }
        XCTAssertThrowsError(try LogisticRegression.fit(X, [0, 0, 0, 0])) { e in XCTAssertTrue("\(e)".contains("single class")) }
        XCTAssertThrowsError(try LogisticRegression.fit(X, [0, 2, 0, 1])) { e in XCTAssertTrue("\(e)".contains("row 2 is 2.0")) }
        XCTAssertThrowsError(try LogisticRegression.fit(X, [0, 1, 0, 1], options: .init(penalty: .l1, solver: .lbfgs))) { e in
            XCTAssertTrue("\(e)".contains("cannot fit an L1 penalty"))
        }
    }

    func testL1ProducesExactZerosAndStrongerPenaltyShrinks() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.small, rows: 0..<1500)
        let weak = try LogisticRegression.fit(X, y, options: .init(penalty: .l1, C: 1, standardize: true))
        let strong = try LogisticRegression.fit(X, y, options: .init(penalty: .l1, C: 0.01, standardize: true))
        let nz = { (m: LogisticRegression) in m.coef.filter { $0 != 0 }.count }
        XCTAssertLessThan(nz(strong), nz(weak))
        XCTAssertGreaterThan(nz(strong), 0)
        XCTAssertLessThan(strong.standardizedCoef.map(abs).reduce(0, +), weak.standardizedCoef.map(abs).reduce(0, +))
    }

    func testNormalCDF() {
        XCTAssertEqual(NormalDistribution.cdf(0), 0.5, accuracy: 1e-16)
        XCTAssertEqual(NormalDistribution.cdf(1.959963984540054), 0.975, accuracy: 1e-15)
        XCTAssertEqual(NormalDistribution.twoSidedP(3), 0.0026997960632601866, accuracy: 1e-17)   // scipy.stats.norm.sf(3)*2
        XCTAssertEqual(NormalDistribution.twoSidedP(10), 1.523970604832094e-23, accuracy: 1e-36)  // 2*norm.sf(10)
    }

    func testPerfectSeparationGivesAClearErrorUnpenalised() throws {
        let X = try FeatureMatrix(names: ["x"], features: [.numeric([1, 2, 3, 4, 5, 6])])
        let y: [Double] = [0, 0, 0, 1, 1, 1]
        XCTAssertThrowsError(try LogisticRegression.fit(X, y, options: .init(penalty: .none))) { e in
            XCTAssertTrue("\(e)".contains("perfectly separated"), "\(e)")
        }
        // With a penalty the fit is well defined.
        let m = try LogisticRegression.fit(X, y, options: .init(penalty: .l2, C: 1))
        XCTAssertTrue(m.info.converged)
        XCTAssertGreaterThan(m.coef[0], 0)
    }
}
