import Foundation
import XCTest
@testable import ChurnCore

/// The multiclass (softmax) objective of `GradientBoosting`. Reference:
/// scripts/reference/gbdt_multiclass_reference.py (LightGBM 4.7.0, objective
/// "multiclass", ChurnLab's default parameters, mlc_churn, test rows i % 5 == 4):
/// target outcome = stay / churn_service (churn and ≥ 4 service calls) /
/// churn_other; test accuracy 0.947, multi_logloss 0.22939011543699422.
final class GBDTMulticlassTests: XCTestCase {
    /// Class codes in sorted label order: churn_other 0, churn_service 1, stay 2.
    private func data() throws -> (FeatureMatrix, [Double], FeatureMatrix, [Double]) {
        let (X, churn) = try TreesTestSupport.mlcChurn()
        guard let j = X.names.firstIndex(of: "number_customer_service_calls"),
              case .numeric(let calls) = X.features[j] else { throw XCTSkip("no service calls column") }
        let y = churn.indices.map { churn[$0] == 0 ? 2.0 : (calls[$0] >= 4 ? 1.0 : 0.0) }
        return TreesTestSupport.split(X, y)
    }

    func testMatchesLightGBMAccuracyAndLogLoss() throws {
        let (Xtr, ytr, Xte, yte) = try data()
        var o = GradientBoostingOptions(); o.objective = .multiclass
        let m = try GradientBoosting.fit(Xtr, ytr, options: o)
        XCTAssertEqual(m.numClass, 3)
        XCTAssertEqual(m.trees.count, 300)
        XCTAssertNoThrow(try m.validate())
        let p = try m.predictClassProba(Xte)
        var hits = 0.0, ll = 0.0
        let pred = argmaxRows(p)
        for i in yte.indices {
            XCTAssertEqual(p[0][i] + p[1][i] + p[2][i], 1, accuracy: 1e-12)
            if Double(pred[i]) == yte[i] { hits += 1 }
            ll -= log(p[Int(yte[i])][i])
        }
        let acc = hits / Double(yte.count), logloss = ll / Double(yte.count)
        print("GBDT multiclass accuracy", acc, "LightGBM 0.947; log-loss", logloss, "LightGBM 0.22939011543699422")
        XCTAssertEqual(acc, 0.947, accuracy: 0.02)
        XCTAssertEqual(logloss, 0.22939011543699422, accuracy: 0.05)
        XCTAssertEqual(try m.predict(Xte), pred.map(Double.init))
        XCTAssertThrowsError(try m.predictProba(Xte))
        XCTAssertNil(m.baseValue)
        // The payload round-trips (numClass kept) and a wrong class count is a structure error.
        let back = try JSONDecoder().decode(GradientBoosting.self, from: try JSONEncoder().encode(m))
        XCTAssertEqual(try back.predictClassProba(Xte.take([0, 1, 2])), try m.predictClassProba(Xte.take([0, 1, 2])))
        var broken = m; broken.numClass = 7
        XCTAssertThrowsError(try broken.validate())
    }

    func testEarlyStoppingKeepsWholeRoundsAndTargetsAreChecked() throws {
        let (Xtr, ytr, Xte, yte) = try data()
        var o = GradientBoostingOptions(); o.objective = .multiclass; o.nIterations = 60; o.earlyStoppingRounds = 5
        o.learningRate = 0.3
        let m = try GradientBoosting.fit(Xtr, ytr, evalSet: EvalSet(X: Xte, y: yte), options: o)
        XCTAssertEqual(m.trees.count, 3 * (m.bestIteration! + 1))
        XCTAssertEqual(m.evalLossHistory.min()!, m.evalLossHistory[m.bestIteration!], accuracy: 0)
        var bad = ytr; bad[0] = 1.5
        XCTAssertThrowsError(try GradientBoosting.fit(Xtr, bad, options: o))
        o.numClass = 2
        XCTAssertThrowsError(try GradientBoosting.fit(Xtr, ytr, options: o))   // code 2 is outside 0..<2
        o.objective = .binary
        XCTAssertThrowsError(try o.validate())                                  // num_class without multiclass
    }
}
