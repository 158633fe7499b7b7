import XCTest
@testable import ChurnCore

/// A Cox fit reads a frame's columns in place (`CoxCovariates`); the array API
/// reads a row-major matrix. Both storages must give the same bits — sums over
/// the same fixed chunks, each row's columns added in the same order — for
/// numeric and text (indicator) columns, Efron and Breslow, weights, robust
/// errors and strata. And the deferred concordance must equal an eager one.
final class CoxCovariatesTests: XCTestCase {
    typealias Ref = CoxCompleteTests

    /// The frame's design as the array API takes it: design.matrix on the same rows.
    func arrayFit(_ f: Frame, features: [String], options: CoxPHModel.Options, weights: [Double]? = nil) throws -> CoxPHModel {
        let design = try CoxDesign.make(f, Ref.cols, features: features, exclude: [], strata: [])
        let X = try design.matrix(f)
        let y = try SurvivalTarget(f, duration: "T", event: "E")
        return try CoxPHModel.fit(durations: y.durations, events: y.events, X: X, features: design.columnNames, strata: nil,
                                  options: options, weights: weights)
    }

    func testColumnsAndMatrixGiveTheSameBits() throws {
        let f = try Ref.frame()
        let features = Ref.names + ["area_code", "voice"]
        let w = (0..<f.nrow).map { 0.5 + Double($0 % 7) / 4 }
        for (ties, weighted, robust) in [(CoxPHModel.Ties.efron, false, false), (.breslow, false, false), (.efron, true, true)] {
            var o = CoxPHModel.Options(ties: ties); o.robust = robust
            let fromArray = try arrayFit(f, features: features, options: o, weights: weighted ? w : nil)
            let design = try CoxDesign.make(f, Ref.cols, features: features, exclude: [], strata: [])
            let fromColumns = try CoxPHModel.fit(try design.features(f), survival: try SurvivalTarget(f, duration: "T", event: "E"),
                                                 weights: weighted ? w : nil, options: o)
            XCTAssertEqual(fromColumns.features, fromArray.features)
            XCTAssertEqual(fromColumns.coef, fromArray.coef, "\(ties) weighted \(weighted)")
            XCTAssertEqual(fromColumns.standardErrors, fromArray.standardErrors, "\(ties) robust \(robust)")
            XCTAssertEqual(fromColumns.means, fromArray.means)
            XCTAssertEqual(fromColumns.logPartialLikelihood, fromArray.logPartialLikelihood)
            XCTAssertEqual(fromColumns.baselines, fromArray.baselines)
            XCTAssertEqual(fromColumns.concordance, fromArray.concordance)
        }
    }

    /// Text columns as indicators, checked against a hand-built 0/1 design: the area_code
    /// levels after the first (area_code_408) are two columns.
    func testTextColumnsAreIndicatorsOfTheDesignLevels() throws {
        let f = try Ref.frame()
        let design = try CoxDesign.make(f, Ref.cols, features: ["total_day_minutes", "area_code"], exclude: [], strata: [])
        XCTAssertEqual(design.columnNames, ["total_day_minutes", "area_code=area_code_415", "area_code=area_code_510"])
        let X = try design.matrix(f)
        let area = try f.column("area_code"), minutes = try f.column("total_day_minutes").toDoubles()!
        for r in [0, 1, 2, 3, 10, 100] {
            let a = area.string(at: r)!
            XCTAssertEqual(X[r * 3], minutes[r])
            XCTAssertEqual(X[r * 3 + 1], a == "area_code_415" ? 1 : 0)
            XCTAssertEqual(X[r * 3 + 2], a == "area_code_510" ? 1 : 0)
        }
        let cov = try design.covariates(try design.features(f))
        let mean = try cov.columnSums(centredOn: nil).map { $0 / Double(f.nrow) }
        var row = [Double](repeating: 0, count: 3)
        row.withUnsafeMutableBufferPointer { cov.centredRow(3, into: $0.baseAddress!, mean: mean) }
        XCTAssertEqual(row, (0..<3).map { X[3 * 3 + $0] - mean[$0] })
        // Linear predictor: Σ_j (x_j − mean_j) β_j in column order, for every row.
        let beta = [0.01, -0.2, 0.3]
        let eta = try cov.linearPredictor(mean: mean, beta: beta)
        for r in [0, 7, 3332] {
            var s = 0.0
            for j in 0..<3 { s += (X[r * 3 + j] - mean[j]) * beta[j] }
            XCTAssertEqual(eta[r], s)
        }
    }

    func testNonFiniteCellIsAnErrorNamingColumnAndRow() throws {
        var x = (0..<50).map { Double($0 % 9) }
        x[17] = .nan
        let f = try Frame([.float("T", (0..<50).map { Double(1 + $0 % 13) }), .bool("E", (0..<50).map { $0 % 3 != 0 }),
                           .float("a", (0..<50).map { Double($0 % 5) }), .float("b", x)])
        XCTAssertThrowsError(try CoxPHModel.fit(f, Ref.cols, features: ["a", "b"])) {
            XCTAssertTrue("\($0)".contains("feature 'b' row 18 is null"), "\($0)")
        }
        x[17] = .infinity
        XCTAssertThrowsError(try CoxPHModel.fit(try f.withColumns([.float("b", x)]), Ref.cols, features: ["a", "b"])) {
            XCTAssertTrue("\($0)".contains("feature 'b' row 18 is not finite"), "\($0)")
        }
    }

    /// The deferred concordance equals lifelines' (CoxTests' reference value), survives a
    /// copy and a model-file round trip, and no comparable pair gives NaN instead of a failed fit.
    func testDeferredConcordance() throws {
        let f = try Ref.frame()
        let m = try CoxPHModel.fit(f, Ref.cols, features: Ref.names)
        let copy = m
        XCTAssertEqual(copy.concordance, 0.7624660351883276, accuracy: 1e-12)   // CoxTests.testEfronMatchesLifelines
        XCTAssertEqual(m.concordance, copy.concordance)
        let data = try ModelFile.encode(kind: CoxPHModel.kind, payload: m, metadata: ModelMetadata(features: []))
        let back = try ModelFile.decode(data, source: "mem").decode(CoxPHModel.self, kind: CoxPHModel.kind)
        XCTAssertEqual(back.concordance, m.concordance)
        var changed = m
        changed.concordance = 0.5
        XCTAssertEqual(changed.concordance, 0.5)
        XCTAssertEqual(m.concordance, copy.concordance)
        // Every event at the last time and nothing censored there: no comparable pair.
        let g = try Frame([.float("T", [1, 2, 3, 4, 4]), .bool("E", [false, false, false, true, true]), .float("x", [0.3, 1, 0.2, 2, 0.5])])
        XCTAssertTrue(try CoxPHModel.fit(g, Ref.cols, features: ["x"], options: .init(ties: .breslow)).concordance.isNaN)
    }
}
