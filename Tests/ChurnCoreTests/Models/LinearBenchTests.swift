import XCTest
import Foundation
@testable import ChurnCore

/// Benchmarks, run by scripts/bench/logistic_bench.sh in release mode
/// (skipped unless CHURNLAB_BENCH is set).
final class LinearBenchTests: XCTestCase {
    /// Seeded synthetic churn-like table: `p` correlated standard-normal-ish
    /// features (a shared factor plus noise, some shifted/scaled like raw
    /// usage counts), labels drawn from a logistic model.
    /// `seed` picks the rows; the true coefficients come from `modelSeed`, so a
    /// train and a test table drawn with different seeds follow the same model.
    static func makeTable(rows n: Int, features p: Int, seed: UInt64, modelSeed: UInt64 = 7) -> (X: FeatureMatrix, y: [Double]) {
        var cols = [[Double]](repeating: [], count: p)
        var z = [Double](repeating: 0, count: n)
        var gen = SeededRandom(seed: seed, stream: 1_000)
        let common = (0..<n).map { _ in gen.normal() }
        var betaGen = SeededRandom(seed: modelSeed, stream: 2_000)
        let beta = (0..<p).map { _ in (betaGen.uniform() - 0.5) * (4 / Double(p).squareRoot()) }
        for j in 0..<p {
            var rng = SeededRandom(seed: seed, stream: UInt64(j))
            let shift = Double(j % 5) * 10, scale = 1 + Double(j % 3)
            var c = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let v = 0.5 * common[i] + rng.normal()
                c[i] = shift + scale * v
                z[i] += beta[j] * v
            }
            cols[j] = c
        }
        var yr = SeededRandom(seed: seed, stream: 3_000)
        let y = z.map { v -> Double in yr.uniform() < 1 / (1 + exp(-(v - 1.5))) ? 1 : 0 }
        let X = try! FeatureMatrix(names: (0..<p).map { "f\($0)" }, features: cols.map { .numeric($0) })
        return (X, y)
    }

    static func logloss(_ y: [Double], _ p: [Double]) -> Double {
        var s = 0.0
        for (t, q) in zip(y, p) { let c = min(max(q, 1e-15), 1 - 1e-15); s -= t == 1 ? log(c) : log(1 - c) }
        return s / Double(y.count)
    }

    /// Writes a matrix row-major as little-endian float64 (numpy `fromfile`).
    static func dump(_ X: FeatureMatrix, _ y: [Double], to dir: String, name: String) throws {
        let n = X.nrow, p = X.features.count
        var rowMajor = [Double](repeating: 0, count: n * p)
        for (j, f) in X.features.enumerated() { if case .numeric(let v) = f { for i in 0..<n { rowMajor[i * p + j] = v[i] } } }
        try rowMajor.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: "\(dir)/\(name)_X.f64")) }
        try y.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: "\(dir)/\(name)_y.f64")) }
    }

    func testBenchLogistic() throws {
        guard ProcessInfo.processInfo.environment["CHURNLAB_BENCH"] != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        let env = ProcessInfo.processInfo.environment
        let n = Int(env["CHURNLAB_BENCH_ROWS"] ?? "") ?? 1_000_000, p = 40
        let nTrain = n * 4 / 5
        let t0 = Date()
        let (train, ytr) = Self.makeTable(rows: nTrain, features: p, seed: 2024)
        let (test, yte) = Self.makeTable(rows: n - nTrain, features: p, seed: 2025)
        print(String(format: "data: %d train + %d test rows x %d features, generated in %.1fs, threads %d",
                     nTrain, n - nTrain, p, Date().timeIntervalSince(t0), Parallel.threads))
        if let dir = env["CHURNLAB_BENCH_DATA_OUT"], !dir.isEmpty {
            try Self.dump(train, ytr, to: dir, name: "train")
            try Self.dump(test, yte, to: dir, name: "test")
        }
        let configs: [(String, LogisticRegression.Solver, Double)] = [
            ("lbfgs", .lbfgs, 1e-4), ("lbfgs", .lbfgs, 1e-6), ("lbfgs", .lbfgs, 1e-8), ("newton", .newton, 1e-8)]
        for (name, solver, tol) in configs {
            let start = Date()
            let m = try LogisticRegression.fit(train, ytr, options: .init(penalty: .l2, C: 1, solver: solver, tol: tol))
            let secs = Date().timeIntervalSince(start)
            let trainLL = Self.logloss(ytr, try m.predictProba(train))
            let ps = Date()
            let pte = try m.predictProba(test)
            let predictSecs = Date().timeIntervalSince(ps)
            print(String(format: "RESULT churnlab %-12@ tol=%.0e  fit %7.3fs  iters %4d  train_logloss %.10f  test_logloss %.10f  predict %.3fs",
                         name as NSString, tol, secs, m.info.iterations, trainLL, Self.logloss(yte, pte), predictSecs))
        }
    }
}
