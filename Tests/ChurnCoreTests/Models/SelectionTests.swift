import XCTest
@testable import ChurnCore

/// Small local metrics (the metrics layer provides the real ones).
enum LocalMetrics {
    /// ROC AUC by the rank-sum (Mann–Whitney) formula with average ranks for ties.
    static func auc(_ y: [Double], _ p: [Double]) -> Double {
        let order = p.indices.sorted { p[$0] < p[$1] }
        var ranks = [Double](repeating: 0, count: p.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && p[order[j + 1]] == p[order[i]] { j += 1 }
            for k in i...j { ranks[order[k]] = Double(i + j) / 2 + 1 }
            i = j + 1
        }
        let pos = y.filter { $0 == 1 }.count, neg = y.count - pos
        let sum = zip(y, ranks).filter { $0.0 == 1 }.reduce(0) { $0 + $1.1 }
        return (sum - Double(pos * (pos + 1)) / 2) / Double(pos * neg)
    }
    static func logloss(_ y: [Double], _ p: [Double]) -> Double {
        var s = 0.0
        for (t, q) in zip(y, p) { let c = min(max(q, 1e-15), 1 - 1e-15); s -= t == 1 ? log(c) : log(1 - c) }
        return s / Double(y.count)
    }
    static let both: [NamedScore] = [("auc", auc), ("logloss", logloss)]
}

/// Predicts the training positive rate for every row.
struct ConstantModel: BinaryClassifier {
    let featureNames: [String]
    let rate: Double
    func predictProba(_ X: FeatureMatrix) throws -> [Double] { [Double](repeating: rate, count: X.nrow) }
}

/// P = σ(a); ignores every other feature.
struct OnlyAModel: BinaryClassifier {
    let featureNames = ["a", "b"]
    func predictProba(_ X: FeatureMatrix) throws -> [Double] {
        guard case .numeric(let a) = X.features[X.names.firstIndex(of: "a")!] else { throw FrameError.invalid("a") }
        return a.map { 1 / (1 + exp(-$0)) }
    }
}

final class SelectionTests: XCTestCase {
    func testLocalMetricsHandChecked() {
        XCTAssertEqual(LocalMetrics.auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75)
        XCTAssertEqual(LocalMetrics.auc([0, 1], [0.5, 0.5]), 0.5)
        XCTAssertEqual(LocalMetrics.logloss([1, 0], [0.5, 0.5]), log(2), accuracy: 1e-15)
    }

    func testStratifiedFoldsBalanceClassesAndAreSeeded() throws {
        let y = (0..<103).map { $0 % 7 == 0 ? 1.0 : 0.0 }   // 15 positives, 88 negatives
        let f = try CrossValidation.foldAssignment(y: y, k: 5, stratify: true, seed: 3)
        for k in 0..<5 {
            let rows = f.indices.filter { f[$0] == k }
            let pos = rows.filter { y[$0] == 1 }.count
            XCTAssertEqual(pos, 3)                          // 15 / 5 exactly
            XCTAssertTrue((20...21).contains(rows.count))   // 103 / 5
        }
        XCTAssertEqual(f, try CrossValidation.foldAssignment(y: y, k: 5, stratify: true, seed: 3))
        XCTAssertNotEqual(f, try CrossValidation.foldAssignment(y: y, k: 5, stratify: true, seed: 4))
        let plain = try CrossValidation.foldAssignment(y: y, k: 4, stratify: false, seed: 3)
        XCTAssertEqual((0..<4).map { k in plain.filter { $0 == k }.count }, [25, 26, 26, 26])
        XCTAssertThrowsError(try CrossValidation.foldAssignment(y: y, k: 20, stratify: true, seed: 1)) { e in
            XCTAssertEqual("\(e)", "stratified 20-fold cross-validation needs at least 20 rows of each class; class 1 has 15")
        }
        XCTAssertThrowsError(try CrossValidation.foldAssignment(y: y, k: 1, stratify: false, seed: 1))
    }

    func testConstantModelScoresAreHandComputable() throws {
        let n = 60
        let y = (0..<n).map { $0 % 4 == 0 ? 1.0 : 0.0 }   // 15 positives
        let X = try FeatureMatrix(names: ["x"], features: [.numeric((0..<n).map(Double.init))])
        let fit: FitFunction = { X, y, _ in ConstantModel(featureNames: ["x"], rate: y.reduce(0, +) / Double(y.count)) }
        let cv = try crossValidate(fit: fit, X: X, y: y, k: 5, metrics: LocalMetrics.both, seed: 1)
        // Each stratified fold: 3 positives of 12; training rate 12/48 = 0.25 → logloss = −(¼ ln ¼ + ¾ ln ¾).
        let expected = -(0.25 * log(0.25) + 0.75 * log(0.75))
        XCTAssertEqual(cv.foldSizes, [12, 12, 12, 12, 12])
        for s in cv.scores { XCTAssertEqual(s[0], 0.5); XCTAssertEqual(s[1], expected, accuracy: 1e-15) }
        XCTAssertEqual(cv.mean(_: "logloss")!, expected, accuracy: 1e-15)
        XCTAssertEqual(cv.std[1], 0, accuracy: 1e-15)
        let frame = try cv.frame()
        XCTAssertEqual(frame.names, ["fold", "n_test", "auc", "logloss"])
    }

    func testCrossValidationMatchesManualFoldsAndIsParallelSafe() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.small, rows: 0..<1000)
        let fit: FitFunction = { X, y, w in try LogisticRegression.fit(X, y, weights: w, options: .init(penalty: .l2, C: 0.5, standardize: true)) }
        let par = try crossValidate(fit: fit, X: X, y: y, k: 4, metrics: LocalMetrics.both, seed: 11)
        let seq = try crossValidate(fit: fit, X: X, y: y, k: 4, metrics: LocalMetrics.both, seed: 11, parallel: false)
        XCTAssertEqual(par.scores, seq.scores)
        let folds = try CrossValidation.foldAssignment(y: y, k: 4, stratify: true, seed: 11)
        for k in 0..<4 {
            let train = folds.indices.filter { folds[$0] != k }, test = folds.indices.filter { folds[$0] == k }
            let m = try fit(X.take(train), train.map { y[$0] }, nil)
            let p = try m.predictProba(X.take(test))
            XCTAssertEqual(par.scores[k][0], LocalMetrics.auc(test.map { y[$0] }, p))
        }
        let aucs = par.scores.map { $0[0] }
        XCTAssertEqual(par.mean[0], aucs.reduce(0, +) / 4, accuracy: 1e-15)
        XCTAssertGreaterThan(par.mean[0], 0.75)   // the churn model is informative
        XCTAssertLessThan(par.mean[0], 0.95)
    }

    func testFoldErrorsAreReported() throws {
        let X = try FeatureMatrix(names: ["x"], features: [.numeric([1, 2, 3, 4, 5, 6])])
        let fit: FitFunction = { _, _, _ in throw FrameError.invalid("boom") }
        XCTAssertThrowsError(try crossValidate(fit: fit, X: X, y: [0, 1, 0, 1, 0, 1], k: 3, metrics: LocalMetrics.both)) { e in
            XCTAssertEqual("\(e)", "cross-validation fold 1 failed: boom")
        }
    }

    func testPermutationImportanceOfIgnoredFeatureIsZero() throws {
        var rng = SeededRandom(seed: 5)
        let n = 400
        let a = (0..<n).map { _ in rng.normal() * 2 }, b = (0..<n).map { _ in rng.normal() }
        let y = a.map { x -> Double in rng.uniform() < 1 / (1 + exp(-x)) ? 1 : 0 }
        let X = try FeatureMatrix(names: ["a", "b"], features: [.numeric(a), .numeric(b)])
        let imp = try permutationImportance(model: OnlyAModel(), X: X, y: y, metric: LocalMetrics.auc, repeats: 4, seed: 9)
        XCTAssertEqual(imp.baseline, LocalMetrics.auc(y, a.map { 1 / (1 + exp(-$0)) }))
        XCTAssertEqual(imp.drops[1], [0, 0, 0, 0])
        XCTAssertEqual(imp.std[1], 0)
        XCTAssertGreaterThan(imp.mean[0], 0.2)    // shuffling a destroys the signal: AUC falls to ~0.5
        XCTAssertEqual(imp.ranking, [0, 1])
        // After shuffling a, the AUC (baseline − drop) is near chance.
        for r in 0..<4 { XCTAssertTrue((0.4...0.6).contains(imp.baseline - imp.drops[0][r]), "\(imp.drops[0])") }
        XCTAssertEqual(Set(imp.drops[0]).count, 4)   // repeats use different shuffles
        XCTAssertEqual(imp.mean[0], imp.drops[0].reduce(0, +) / 4, accuracy: 1e-15)
        // Same seed → same result, whatever the thread count.
        let saved = Parallel.threads; defer { Parallel.threads = saved }
        Parallel.threads = 1
        let again = try permutationImportance(model: OnlyAModel(), X: X, y: y, metric: LocalMetrics.auc, repeats: 4, seed: 9)
        XCTAssertEqual(again.drops, imp.drops)
        let sequential = try permutationImportance(model: OnlyAModel(), X: X, y: y, metric: LocalMetrics.auc, repeats: 4, seed: 9, parallel: false)
        XCTAssertEqual(sequential.drops, imp.drops)
        // A loss: drops are positive when the feature matters.
        let ll = try permutationImportance(model: OnlyAModel(), X: X, y: y, metric: LocalMetrics.logloss, repeats: 2, seed: 9, higherIsBetter: false)
        XCTAssertGreaterThan(ll.mean[0], 0)
        XCTAssertEqual(ll.mean[1], 0)
    }

    func testGridSearchEvaluatesEveryCombinationOnTheSameFolds() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.small, rows: 0..<600)
        let factory: ModelFactory = { params in
            guard let c = params["C"]?.doubleValue, let pen = params["penalty"]?.stringValue,
                  let penalty = LogisticRegression.Penalty(rawValue: pen) else { throw FrameError.invalid("bad params \(params)") }
            return { X, y, w in try LogisticRegression.fit(X, y, weights: w, options: .init(penalty: penalty, C: c, standardize: true)) }
        }
        let grid: [String: [ParamValue]] = ["C": [.double(0.0005), .int(1)], "penalty": [.string("l2"), .string("l1")]]
        let res = try gridSearch(factory: factory, grid: grid, X: X, y: y, k: 3, metrics: LocalMetrics.both, seed: 2)
        XCTAssertEqual(res.rows.count, 4)
        XCTAssertEqual(res.rows.map { $0.params["C"]!.description + "/" + $0.params["penalty"]!.description },
                       ["0.0005/l2", "0.0005/l1", "1/l2", "1/l1"])
        XCTAssertEqual(Set(res.rows.map(\.rank)), [1, 2, 3, 4])
        // Each row equals a direct cross-validation with the same seed.
        let direct = try crossValidate(fit: try factory(res.rows[2].params), X: X, y: y, k: 3, metrics: LocalMetrics.both, seed: 2)
        XCTAssertEqual(res.rows[2].cv.scores, direct.scores)
        // C = 0.0005 with L1 zeroes every coefficient: constant predictions, AUC 0.5 → ranked last.
        XCTAssertEqual(res.rows[1].cv.mean[0], 0.5)
        XCTAssertEqual(res.rows[1].rank, 4)
        XCTAssertEqual(res.best.cv.mean[0], res.rows.map { $0.cv.mean[0] }.max())
        // Ranking by log-loss (lower is better).
        let byLoss = try gridSearch(factory: factory, grid: grid, X: X, y: y, k: 3, metrics: LocalMetrics.both,
                                    rankBy: "logloss", higherIsBetter: false, seed: 2)
        let best = byLoss.rows.min { $0.cv.mean[1] < $1.cv.mean[1] }!
        XCTAssertEqual(best.rank, 1)
        let frame = try res.frame()
        XCTAssertEqual(frame.names, ["C", "penalty", "mean_auc", "std_auc", "mean_logloss", "std_logloss", "rank"])
        XCTAssertEqual(try frame.column("C").dtype, .float64)
        XCTAssertThrowsError(try gridSearch(factory: factory, grid: grid, X: X, y: y, metrics: LocalMetrics.both, rankBy: "f1")) { e in
            XCTAssertTrue("\(e)".contains("rank_by 'f1' is not one of the metrics (auc, logloss)"))
        }
    }

    func testRandomSearchDrawsWithinRangesDeterministically() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.small, rows: 0..<400)
        let factory: ModelFactory = { params in
            let c = params["C"]!.doubleValue!
            let cw = LogisticRegression.ClassWeight(rawValue: params["class_weight"]!.stringValue!)!
            return { X, y, w in try LogisticRegression.fit(X, y, weights: w, options: .init(C: c, classWeight: cw, standardize: true)) }
        }
        let space: [String: ParamDistribution] = ["C": .logUniform(0.01, 10), "class_weight": .choice([.string("none"), .string("balanced")])]
        let a = try randomSearch(factory: factory, space: space, nIter: 5, X: X, y: y, k: 3, metrics: LocalMetrics.both, seed: 8)
        let b = try randomSearch(factory: factory, space: space, nIter: 5, X: X, y: y, k: 3, metrics: LocalMetrics.both, seed: 8)
        XCTAssertEqual(a.rows.map(\.params), b.rows.map(\.params))
        XCTAssertEqual(a.rows.map(\.cv.scores), b.rows.map(\.cv.scores))
        for r in a.rows { XCTAssertTrue((0.01..<10).contains(r.params["C"]!.doubleValue!)) }
        XCTAssertGreaterThan(Set(a.rows.map { $0.params["C"]! }).count, 3)
        XCTAssertThrowsError(try randomSearch(factory: factory, space: ["C": .logUniform(0, 1)], nIter: 2, X: X, y: y,
                                              metrics: LocalMetrics.both)) { e in
            XCTAssertTrue("\(e)".contains("log-uniform needs 0 < low < high"))
        }
    }

    /// Metrics that are not thread-safe (Lua callbacks) must stay on the calling
    /// thread when `parallel` is false — in cross-validation and in both searches.
    func testSequentialModeKeepsMetricsOnTheCallingThread() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.small, rows: 0..<300)
        let caller = pthread_self()
        let lock = NSLock()
        var offThread = 0, calls = 0
        let probe: NamedScore = ("probe", { y, p in
            lock.lock(); calls += 1; if pthread_equal(caller, pthread_self()) == 0 { offThread += 1 }; lock.unlock()
            return LocalMetrics.auc(y, p)
        })
        let factory: ModelFactory = { params in
            let c = params["C"]?.doubleValue ?? 1
            return { X, y, w in try LogisticRegression.fit(X, y, weights: w, options: .init(C: c, standardize: true)) }
        }
        _ = try crossValidate(fit: try factory([:]), X: X, y: y, k: 4, metrics: [probe], parallel: false)
        _ = try gridSearch(factory: factory, grid: ["C": [.double(0.1), .double(1)]], X: X, y: y, k: 3, metrics: [probe], parallel: false)
        _ = try randomSearch(factory: factory, space: ["C": .uniform(0.1, 1)], nIter: 2, X: X, y: y, k: 3, metrics: [probe], parallel: false)
        _ = try permutationImportance(model: try factory([:])(X, y, nil), X: X, y: y, metric: probe.score, repeats: 2, parallel: false)
        XCTAssertEqual(calls, 4 + 6 + 6 + 1 + 13 * 2)
        XCTAssertEqual(offThread, 0)
    }
}
