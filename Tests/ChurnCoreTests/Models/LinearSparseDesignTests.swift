import XCTest
@testable import ChurnCore

/// The sparse (by-row) storage of 0/1 indicator columns in `LinearDesign`
/// (issue 19 item 0) changes how the objective is computed, not what it is:
/// every fit, prediction and contribution must match the all-dense design.
final class LinearSparseDesignTests: XCTestCase {
    /// state (51 levels) and area_code (3 levels) as categoricals, the yes/no
    /// plans as numeric 0/1 columns (what a prep pipeline's one_hot produces),
    /// plus numeric features.
    static func data(rows: Range<Int> = 0..<3000) throws -> (FeatureMatrix, [Double]) {
        let f = try LinearTestData.churnFrame()
        let base = try FeatureMatrix(frame: f, columns: ["state", "area_code", "account_length", "total_day_minutes",
                                                         "number_customer_service_calls", "international_plan", "voice_mail_plan"])
            .take(Array(rows))
        let y = try BinaryTarget(column: f.column("churn"), positive: "yes").y
        // "yes"/"no" text → a numeric 0/1 column, as one_hot(drop_first) would give.
        var names = base.names, feats = base.features
        for name in ["international_plan", "voice_mail_plan"] {
            let j = names.firstIndex(of: name)!
            guard case .categorical(let codes, let levels) = feats[j] else { throw FrameError.invalid("\(name) is not text") }
            feats[j] = .numeric(codes.map { levels[Int($0)] == "yes" ? 1 : 0 })
            names[j] = name + "_yes"
        }
        return (try FeatureMatrix(names: names, features: feats), Array(y[rows]))
    }

    func withDense<T>(_ body: () throws -> T) rethrows -> T {
        let saved = LinearDesign.indicatorDensityLimit
        LinearDesign.indicatorDensityLimit = -1
        defer { LinearDesign.indicatorDensityLimit = saved }
        return try body()
    }

    func testIndicatorColumnsAreStoredSparse() throws {
        let (X, _) = try Self.data()
        let d = try LinearDesign(X, layout: LinearDesign.layout(of: X))
        // The 50 state indicators and international_plan_yes (~10 % ones) are sparse;
        // numeric columns stay dense.
        let sparse = d.names.indices.filter { d.slot[$0] < 0 }.map { d.names[$0] }
        XCTAssertEqual(sparse.filter { $0.hasPrefix("state=") }.count, 50)
        XCTAssertTrue(sparse.contains("international_plan_yes"))
        XCTAssertFalse(sparse.contains("account_length"))
        XCTAssertEqual(d.sparseStart.count, X.nrow + 1)
        // Materialised rows equal the dense design's values exactly (0/1, no standardising yet).
        let dense = try withDense { try LinearDesign(X, layout: LinearDesign.layout(of: X)) }
        XCTAssertFalse(dense.slot.contains(-1))
        let r = 1000..<1700
        var a = [Double](repeating: .nan, count: r.count * d.ncol), b = a
        a.withUnsafeMutableBufferPointer { d.copyRows(r, into: $0.baseAddress!) }
        b.withUnsafeMutableBufferPointer { dense.copyRows(r, into: $0.baseAddress!) }
        XCTAssertEqual(a, b)
        XCTAssertEqual(d.columnMoments().mean, dense.columnMoments().mean)
        assertClose(d.columnMoments().scale, dense.columnMoments().scale, rel: 1e-12)
    }

    func testSparseAndDenseDesignsGiveTheSameFit() throws {
        let (X, y) = try Self.data()
        for (solver, penalty) in [(LogisticRegression.Solver.lbfgs, LogisticRegression.Penalty.l2), (.newton, .l2), (.owlqn, .l1)] {
            for standardize in [false, true] {
                let o = LogisticRegression.Options(penalty: penalty, C: 0.5, standardize: standardize, solver: solver, tol: 1e-11)
                let s = try LogisticRegression.fit(X, y, options: o)
                let d = try withDense { try LogisticRegression.fit(X, y, options: o) }
                let what = "\(solver) \(penalty) standardize=\(standardize)"
                XCTAssertEqual(s.info.objective, d.info.objective, accuracy: 1e-12, what)
                assertClose(s.coef, d.coef, rel: 1e-5, abs: 1e-7, what)
                XCTAssertEqual(s.intercept, d.intercept, accuracy: 1e-6, what)
                assertClose(try s.predictProba(X), try d.predictProba(X), rel: 1e-6, abs: 1e-9, what)
            }
        }
    }

    func testContributionsMatchTheDenseDesign() throws {
        let (X, y) = try Self.data(rows: 0..<1500)
        let m = try LogisticRegression.fit(X, y, options: .init(penalty: .l2, C: 1, solver: .lbfgs))
        let s = try m.contributions(X)
        let d = try withDense { try m.contributions(X) }
        XCTAssertEqual(s.baseline, d.baseline)
        for (a, b) in zip(s.values, d.values) { assertClose(a, b, rel: 1e-12, abs: 1e-12) }
        // Each row still adds up to its log-odds.
        let z = try m.decisionFunction(X)
        for i in stride(from: 0, to: X.nrow, by: 97) {
            XCTAssertEqual(s.baseline + s.values.reduce(0) { $0 + $1[i] }, z[i], accuracy: 1e-9)
        }
    }

    func testDefaultStoppingRuleIsScikitLearnsForFirstOrderSolvers() {
        XCTAssertEqual(LogisticRegression.defaultTol(for: .lbfgs), 1e-4)    // sklearn LogisticRegression(tol=1e-4)
        XCTAssertEqual(LogisticRegression.defaultTol(for: .owlqn), 1e-4)
        XCTAssertEqual(LogisticRegression.defaultTol(for: .newton), 1e-8)
        XCTAssertNil(LogisticRegression.Options().tol)
    }
}
