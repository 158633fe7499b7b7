import Foundation
import XCTest
@testable import ChurnCore

/// Benchmark, run by scripts/bench/parquet_bench.sh in release mode; skipped otherwise.
/// CHURNLAB_BENCH_PARQUET names the file to read; CHURNLAB_BENCH_OUT a path to write it back to (snappy).
final class ParquetBenchTests: XCTestCase {
    private func env(_ k: String) -> String? { ProcessInfo.processInfo.environment[k] }

    func testBenchParquet() throws {
        guard env("CHURNLAB_BENCH") != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        guard let path = env("CHURNLAB_BENCH_PARQUET") else { throw XCTSkip("set CHURNLAB_BENCH_PARQUET=file.parquet") }
        let c0 = CSVBenchTests.cpuSeconds()
        let t0 = DispatchTime.now()
        let f = try Frame.readParquet(path: path)
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
        print(String(format: "BENCH churnlab read_parquet %@ %.3f s cpu=%.2f s rows=%d cols=%d peakRSS=%.0f MiB",
                     (path as NSString).lastPathComponent, secs, CSVBenchTests.cpuSeconds() - c0, f.nrow, f.ncol,
                     CSVBenchTests.peakRSSMiB()))
        if let out = env("CHURNLAB_BENCH_OUT") {
            let c1 = CSVBenchTests.cpuSeconds()
            let t1 = DispatchTime.now()
            try f.writeParquet(path: out)
            let w = Double(DispatchTime.now().uptimeNanoseconds - t1.uptimeNanoseconds) / 1e9
            print(String(format: "BENCH churnlab write_parquet %@ %.3f s cpu=%.2f s", (out as NSString).lastPathComponent, w,
                         CSVBenchTests.cpuSeconds() - c1))
        }
    }
}
