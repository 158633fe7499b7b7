import Foundation
import XCTest
@testable import ChurnCore

/// ROC AUC timing on 10M scores, run by scripts/bench/auc_bench.sh in release mode.
/// With CHURNLAB_BENCH_DATA=<dir> it reads y.f64 / p.f64 / p_ties.f64 written by the
/// script's Python side, so both tools score the very same arrays.
final class AUCBenchTests: XCTestCase {
    private func load(_ url: URL) throws -> [Double] {
        let d = try Data(contentsOf: url)
        return d.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }

    private func time(_ label: String, repeats: Int = 3, _ body: () throws -> Double) rethrows {
        var best = Double.infinity, value = 0.0
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            value = try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        print("BENCH " + label.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: " %8.3f s   value=%.15f", best, value))
    }

    func testBenchROCAUC10M() throws {
        guard ProcessInfo.processInfo.environment["CHURNLAB_BENCH"] != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        var y: [Double], p: [Double], pt: [Double]
        if let dir = ProcessInfo.processInfo.environment["CHURNLAB_BENCH_DATA"] {
            let base = URL(fileURLWithPath: dir)
            y = try load(base.appendingPathComponent("y.f64"))
            p = try load(base.appendingPathComponent("p.f64"))
            pt = try load(base.appendingPathComponent("p_ties.f64"))
        } else {
            let n = 10_000_000
            var rng = SeededRandom(seed: 1)
            y = [Double](repeating: 0, count: n); p = y
            for i in 0..<n { y[i] = rng.uniform() < 0.2 ? 1 : 0; p[i] = 1 / (1 + exp(-(rng.normal() + 1.2 * y[i]))) }
            pt = p.map { ($0 * 1000).rounded() / 1000 }
        }
        print("BENCH threads=\(Parallel.threads) n=\(y.count)")
        try time("churnlab rocAUC") { try Metrics.rocAUC(y, p) }
        try time("churnlab rocAUC (3-dp ties)") { try Metrics.rocAUC(y, pt) }
        let w = (0..<y.count).map { 1 + Double($0 % 3) }
        try time("churnlab rocAUC weighted") { try Metrics.rocAUC(y, p, weights: w) }
        try time("churnlab averagePrecision") { try Metrics.averagePrecision(y, p) }
        try time("churnlab report (all metrics)", repeats: 1) { try MetricsReport(y, p).rocAUC }
        try time("churnlab DeLong (2 models)", repeats: 1) { try Metrics.delong(y, p, pt).pValue }
    }
}
