import Foundation
import XCTest
@testable import ChurnCore

/// Benchmarks, run by scripts/bench/csv_bench.sh in release mode; skipped otherwise.
/// CHURNLAB_BENCH_CSV names the file to read; CHURNLAB_BENCH_OUT a path to write it back to.
final class CSVBenchTests: XCTestCase {
    private func env(_ k: String) -> String? { ProcessInfo.processInfo.environment[k] }

    func testBenchCSVRead() throws {
        guard env("CHURNLAB_BENCH") != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        guard let path = env("CHURNLAB_BENCH_CSV") else { throw XCTSkip("set CHURNLAB_BENCH_CSV=file.csv") }
        let c0 = Self.cpuSeconds()
        let t0 = DispatchTime.now()
        let r = try Frame.readCSV(path: path)
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
        let cpu = Self.cpuSeconds() - c0
        let f = r.frame
        let loaded = Double(f.columns.map(Self.bytes).reduce(0, +)) / 1_048_576
        let peak = Self.peakRSSMiB()
        print(String(format: "BENCH churnlab read_csv %@ %.3f s cpu=%.2f s rows=%d cols=%d peakRSS=%.0f MiB columns=%.0f MiB ratio=%.2f types=%@",
                     (path as NSString).lastPathComponent, secs, cpu, f.nrow, f.ncol, peak, loaded, peak / loaded,
                     Dictionary(grouping: f.columns.map(\.dtype.rawValue), by: { $0 }).mapValues(\.count).description))
        if let out = env("CHURNLAB_BENCH_OUT") {
            let c1 = Self.cpuSeconds()
            let t1 = DispatchTime.now()
            try f.writeCSV(path: out)
            let w = Double(DispatchTime.now().uptimeNanoseconds - t1.uptimeNanoseconds) / 1e9
            print(String(format: "BENCH churnlab write_csv %@ %.3f s cpu=%.2f s", (path as NSString).lastPathComponent, w,
                         Self.cpuSeconds() - c1))
        }
    }

    static func bytes(_ c: Column) -> Int {
        let v = c.validity.map { $0.words.count * 8 } ?? 0
        switch c.data {
        case .float64(let x): return x.count * 8 + v
        case .int64(let x): return x.count * 8 + v
        case .bool(let x): return x.count + v
        case .date(let x): return x.count * 4 + v
        case .timestamp(let x): return x.count * 8 + v
        case .string(let k, let d), .category(let k, let d): return k.count * 4 + d.reduce(0) { $0 + $1.utf8.count + 16 } + v
        }
    }

    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    static func peakRSSMiB() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_maxrss) / 1024
    }
}
