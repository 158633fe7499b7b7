import Foundation
import XCTest
@testable import ChurnCore

/// Time from a cancel (token cancelled from another thread, as Ctrl-C, a
/// Jupyter interrupt or the watchdog do) to the native operation returning.
/// Run by scripts/bench/cancel_latency.sh in a release build (CHURNLAB_BENCH=1);
/// prints `BENCH {json}` lines.
final class CancelLatencyBenchTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["CHURNLAB_BENCH"] == "1", "benchmark: set CHURNLAB_BENCH=1")
    }

    /// Cancels `body` `delays.count` times, each `delay` s after it starts; returns the latencies.
    func latencies(_ delays: [Double], _ body: () throws -> Void) -> [Double] {
        delays.map { delay in
            let ctx = ExecutionContext()
            var sentAt = 0.0
            Thread { Thread.sleep(forTimeInterval: delay); sentAt = CancellationToken.monotonicNow(); ctx.token.cancel(.interrupted) }.start()
            var error: Error?
            ExecutionContext.run(in: ctx) { do { try body() } catch let e { error = e } }
            let end = CancellationToken.monotonicNow()
            XCTAssertEqual(error as? CancellationError, CancellationError(reason: .interrupted))
            while sentAt == 0 { Thread.sleep(forTimeInterval: 0.001) }
            return end - sentAt
        }
    }

    func report(_ name: String, _ l: [Double], extra: String = "") {
        let ms = l.map { ($0 * 1000 * 10).rounded() / 10 }
        print("BENCH {\"case\": \"\(name)\", \"latency_ms\": \(ms), \"max_ms\": \(ms.max() ?? 0)\(extra)}")
    }

    /// What one `ExecutionContext.check()` costs with a deadline armed (the
    /// dearer case: it reads the clock). A GBDT fit makes one per iteration
    /// and one per split: 100 trees × 63 leaves ≈ 6 300 checks.
    func testBenchCheckCost() throws {
        let ctx = ExecutionContext()
        ctx.token.arm(timeout: 3600)
        let n = 10_000_000
        let t0 = CancellationToken.monotonicNow()
        try ExecutionContext.run(in: ctx) { for _ in 0..<n { try ExecutionContext.check() } }
        let ns = (CancellationToken.monotonicNow() - t0) / Double(n) * 1e9
        print("BENCH {\"case\": \"check_cost\", \"ns_per_check\": \(((ns * 10).rounded()) / 10), \"gbdt_100x63_checks_ms\": \(((ns * 6300 / 1e6) * 1000).rounded() / 1000)}")
    }

    /// 1M rows × (4 numeric + 1 categorical), cancelled 0.5–4.5 s into the fit
    /// (binning, row-major copy, then boosting rounds).
    func testBenchGBDTFitCancel() throws {
        let (X, y) = try CoreCancellationTests.dataset(1_000_000)
        var o = GradientBoostingOptions(); o.nIterations = 100_000; o.numLeaves = 63
        report("gbdt_fit_1M", latencies([0.05, 0.2, 0.5, 1.0, 1.5, 2.5, 3.5, 4.5]) {
            _ = try GradientBoosting.fit(X, y, options: o)
        })
    }

    /// A ~150 MB CSV (6M rows × 3 columns) in memory, cancelled 0.1–1.5 s into the read.
    func testBenchCSVReadCancel() throws {
        let csv = Array(CoreCancellationTests.csvText(rows: 6_000_000).utf8)
        let t0 = CancellationToken.monotonicNow()
        _ = try CSVReader().read(bytes: csv)
        let full = CancellationToken.monotonicNow() - t0
        report("csv_read_6M_rows", latencies([0.1, 0.3, 0.6, 0.9, 1.2, 1.5].filter { $0 < full * 0.9 }) {
            _ = try CSVReader().read(bytes: csv)
        }, extra: ", \"uncancelled_read_s\": \(((full * 1000).rounded()) / 1000), \"mb\": \(csv.count >> 20)")
    }
}
