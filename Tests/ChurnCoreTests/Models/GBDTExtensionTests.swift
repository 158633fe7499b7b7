import Foundation
import XCTest
@testable import ChurnCore

/// scale_pos_weight, class_weight, monotone constraints, the regression
/// objective, and the dump / node table / summary of `GradientBoosting`.
/// Reference values: scripts/reference/gbdt_extensions_reference.py (LightGBM 4.7.0,
/// same data, split and parameters; ChurnLab's defaults = LightGBM's).
final class GBDTExtensionTests: XCTestCase {
    private func data() throws -> (FeatureMatrix, [Double], FeatureMatrix, [Double]) {
        let (X, y) = try TreesTestSupport.mlcChurn()
        return TreesTestSupport.split(X, y)
    }

    private func auc(_ o: GradientBoostingOptions) throws -> (Double, GradientBoosting, FeatureMatrix) {
        let (Xtr, ytr, Xte, yte) = try data()
        let m = try GradientBoosting.fit(Xtr, ytr, options: o)
        return (TreesTestSupport.auc(try m.predictProba(Xte), yte), m, Xte)
    }

    /// LightGBM scale_pos_weight=3: test AUC 0.9128780503634476.
    func testScalePosWeightMatchesLightGBM() throws {
        var o = GradientBoostingOptions(); o.scalePosWeight = 3
        let (a, m, Xte) = try auc(o)
        print("GBDT scale_pos_weight=3 AUC", a, "LightGBM 0.9128780503634476")
        XCTAssertEqual(a, 0.9128780503634476, accuracy: 0.01)
        // Positives weigh 3×: predicted probabilities rise on average (the base rate does not move).
        let plain = try GradientBoosting.fit(try data().0, try data().1)
        XCTAssertEqual(m.initScore, plain.initScore, accuracy: 1e-12)
        let mean = { (p: [Double]) in p.reduce(0, +) / Double(p.count) }
        let Xtr = try data().0
        print("mean p test plain/spw3", mean(try plain.predictProba(Xte)), mean(try m.predictProba(Xte)),
              "train", mean(try plain.predictProba(Xtr)), mean(try m.predictProba(Xtr)))
        // LightGBM: mean test p 0.1146 → 0.1292 (+0.0146), train 0.1408 → 0.1492.
        XCTAssertGreaterThan(mean(try m.predictProba(Xtr)), mean(try plain.predictProba(Xtr)))
        XCTAssertGreaterThan(mean(try m.predictProba(Xte)), mean(try plain.predictProba(Xte)) + 0.01)
    }

    /// LightGBM class_weight="balanced": test AUC 0.9100954049844237.
    func testBalancedClassWeightMatchesLightGBM() throws {
        var o = GradientBoostingOptions(); o.classWeight = .balanced
        let (a, m, _) = try auc(o)
        print("GBDT class_weight=balanced AUC", a, "LightGBM 0.9100954049844237")
        XCTAssertEqual(a, 0.9100954049844237, accuracy: 0.01)
        // Balanced weights make the weighted base rate 1/2: initial log-odds 0.
        XCTAssertEqual(m.initScore, 0, accuracy: 1e-9)
        // {w0, w1} = {1, 1} is the plain model.
        var same = GradientBoostingOptions(); same.classWeight = .custom(negative: 1, positive: 1)
        let (Xtr, ytr, Xte, _) = try data()
        XCTAssertEqual(try GradientBoosting.fit(Xtr, ytr, options: same).predictRaw(Xte),
                       try GradientBoosting.fit(Xtr, ytr).predictRaw(Xte))
    }

    /// LightGBM monotone_constraints (+1 on service calls and day minutes, "basic"):
    /// test AUC 0.9139408099688474; plain model 0.9183 (trees_mlc_churn_reference.py).
    func testMonotoneConstraintsHoldOnAGridAndKeepAUC() throws {
        let (Xtr, _, _, _) = try data()
        var o = GradientBoostingOptions()
        o.monotoneConstraints = Xtr.names.map { ["number_customer_service_calls", "total_day_minutes"].contains($0) ? 1 : 0 }
        let (a, m, Xte) = try auc(o)
        print("GBDT monotone AUC", a, "LightGBM 0.9139408099688474")
        XCTAssertEqual(a, 0.9139408099688474, accuracy: 0.01)
        // Every test row, each constrained feature on a grid: predictions never fall.
        for (name, grid) in [("number_customer_service_calls", (0...9).map(Double.init)),
                             ("total_day_minutes", stride(from: 0.0, through: 360, by: 7.5).map { $0 })] {
            let j = Xtr.names.firstIndex(of: name)!
            for r in stride(from: 0, to: Xte.nrow, by: 7) {
                let rows = Xte.take([Int](repeating: r, count: grid.count))
                var feats = rows.features
                feats[j] = .numeric(grid)
                let p = try m.predictProba(try FeatureMatrix(names: rows.names, features: feats))
                for k in 1..<p.count { XCTAssertGreaterThanOrEqual(p[k], p[k - 1] - 1e-12, "\(name) row \(r) grid \(k)") }
            }
        }
        // Decreasing works too, and a constraint on a categorical feature is refused.
        var dec = GradientBoostingOptions()
        dec.monotoneConstraints = Xtr.names.map { $0 == "number_customer_service_calls" ? -1 : 0 }
        let md = try GradientBoosting.fit(Xtr, try data().1, options: dec)
        let j = Xtr.names.firstIndex(of: "number_customer_service_calls")!
        var feats = Xte.take([0, 0, 0, 0, 0]).features
        feats[j] = .numeric([0, 2, 4, 6, 8])
        let p = try md.predictProba(try FeatureMatrix(names: Xte.names, features: feats))
        for k in 1..<p.count { XCTAssertLessThanOrEqual(p[k], p[k - 1] + 1e-12) }
        var bad = GradientBoostingOptions(); bad.monotoneConstraints = Xtr.names.map { $0 == "state" ? 1 : 0 }
        XCTAssertThrowsError(try GradientBoosting.fit(Xtr, try data().1, options: bad)) {
            XCTAssertTrue("\($0)".contains("'state' is categorical"), "\($0)")
        }
        bad.monotoneConstraints = [1]
        XCTAssertThrowsError(try GradientBoosting.fit(Xtr, try data().1, options: bad)) {
            XCTAssertTrue("\($0)".contains("has 1 values but the model has 19 features"), "\($0)")
        }
    }

    /// The regression data of the reference script: monthly bill (sum of the four
    /// charges) from every column but the charges, total_intl_minutes and churn.
    private func billData() throws -> (FeatureMatrix, [Double], FeatureMatrix, [Double]) {
        let (X, _) = try TreesTestSupport.mlcChurn()
        let charges = ["total_day_charge", "total_eve_charge", "total_night_charge", "total_intl_charge"]
        var bill = [Double](repeating: 0, count: X.nrow)
        var names: [String] = [], feats: [FeatureValues] = []
        for (n, f) in zip(X.names, X.features) {
            if charges.contains(n), case .numeric(let v) = f { for i in v.indices { bill[i] += v[i] }; continue }
            if n == "total_intl_minutes" { continue }
            names.append(n); feats.append(f)
        }
        return TreesTestSupport.split(try FeatureMatrix(names: names, features: feats), bill)
    }

    /// LightGBM objective="regression": test RMSE 0.9772895654365138 (target sd 10.36),
    /// init score = train mean 59.490075.
    func testRegressionMatchesLightGBM() throws {
        let (Xtr, ytr, Xte, yte) = try billData()
        var o = GradientBoostingOptions(); o.objective = .regression
        let m = try GradientBoosting.fit(Xtr, ytr, options: o)
        XCTAssertEqual(m.initScore, 59.490075, accuracy: 1e-9)
        let p = try m.predict(Xte)
        let rmse = sqrt(zip(p, yte).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(yte.count))
        print("GBDT regression RMSE", rmse, "LightGBM 0.9772895654365138")
        XCTAssertEqual(rmse, 0.9772895654365138, accuracy: 0.1)
        XCTAssertThrowsError(try m.predictProba(Xte))
        // SHAP on the value scale adds up to the prediction.
        let e = try m.explain(Xte.take([0, 1, 2]))
        XCTAssertEqual(e.scale, .value)
        for r in 0..<3 { XCTAssertEqual(e.expectedValue + e.row(r).reduce(0, +), p[r], accuracy: 1e-8) }
        // Early stopping on MSE; a non-finite target is refused with its row.
        o.earlyStoppingRounds = 5
        let es = try GradientBoosting.fit(Xtr, ytr, evalSet: EvalSet(X: Xte, y: yte), options: o)
        XCTAssertEqual(es.evalLossHistory.min()!, es.evalLossHistory[es.bestIteration!], accuracy: 0)
        var bad = ytr; bad[3] = .nan
        XCTAssertThrowsError(try GradientBoosting.fit(Xtr, bad, options: o)) {
            XCTAssertEqual("\($0)", "a regression target must be finite; row 4 is nan")
        }
        // Options that only make sense for a binary target are refused.
        o.scalePosWeight = 2
        XCTAssertThrowsError(try GradientBoosting.fit(Xtr, ytr, options: o))
    }

    func testDumpNodeTableAndSummary() throws {
        // Hand-checkable: one split on x at 1.5 (rows x=1: y=0, x=2: y=1), one tree.
        let X = try FeatureMatrix(names: ["x"], features: [.numeric([1, 1, 1, 1, 2, 2, 2, 2])])
        var o = GradientBoostingOptions(); o.nIterations = 1; o.minDataInLeaf = 1; o.numLeaves = 2
        let m = try GradientBoosting.fit(X, [0, 0, 0, 0, 1, 1, 1, 1], options: o)
        let t = m.nodeTable()
        XCTAssertEqual(t.count, 3)
        XCTAssertEqual(t.feature, ["x", nil, nil]); XCTAssertEqual(t.threshold, ["1.5", nil, nil])
        XCTAssertEqual(t.parent, [-1, 0, 0]); XCTAssertEqual(t.depth, [0, 1, 1])
        // Leaf outputs: −G/H·lr with p = 0.5 at the start: G = ±4·0.5, H = 4·0.25 → ∓2 · 0.1.
        XCTAssertEqual(t.value[1], -0.2, accuracy: 1e-12); XCTAssertEqual(t.value[2], 0.2, accuracy: 1e-12)
        let d = m.dump()
        XCTAssertTrue(d.contains("tree 1: 2 leaves, depth 1"), d)
        XCTAssertTrue(d.contains("node 0: x <= 1.5 (missing"), d)
        XCTAssertTrue(d.contains("yes: leaf 1: value=-0.2"), d)
        XCTAssertTrue(d.contains("no:  leaf 2: value=0.2"), d)
        XCTAssertTrue(m.summary.contains("binary log-loss"), m.summary)
        XCTAssertTrue(m.summary.contains("trees: 1 of 1"), m.summary)
        // Categorical splits show their level names.
        let (Xc, yc) = try TreesTestSupport.mlcChurn()
        var oc = GradientBoostingOptions(); oc.nIterations = 3
        let mc = try GradientBoosting.fit(Xc, yc, options: oc)
        let tc = mc.nodeTable()
        if let k = tc.decision.firstIndex(of: "in") {
            XCTAssertTrue(tc.threshold[k]!.split(separator: "|").allSatisfy { !$0.isEmpty })
            XCTAssertTrue(mc.dump().contains(" in {"))
        }
        XCTAssertTrue(mc.summary.contains("number_customer_service_calls"), mc.summary)
    }

    /// Old model files (without the new options) still decode.
    func testOptionsDecodeWithoutNewKeys() throws {
        let json = try JSONEncoder().encode(GradientBoostingOptions())
        var dict = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        for k in ["objective", "scalePosWeight", "classWeight", "monotoneConstraints"] { dict[k] = nil }
        let back = try JSONDecoder().decode(GradientBoostingOptions.self, from: try JSONSerialization.data(withJSONObject: dict))
        XCTAssertEqual(back.resolvedObjective, .binary)
    }
}
