import Foundation
import XCTest
@testable import ChurnCore

/// Benchmarks run by scripts/bench/gbdt_bench.sh and forest_bench.sh (release
/// build, CHURNLAB_BENCH=1, data from scripts/bench/gen_model_table.py in
/// $CHURNLAB_BENCH_DATA). Each prints one `BENCH {json}` line.
final class TreesBenchTests: XCTestCase {
    struct Table {
        let train: FeatureMatrix, yTrain: [Double], test: FeatureMatrix, yTest: [Double]
    }

    /// Loads the generator's binary table; the first `train_rows` rows train, the rest test.
    /// `limitTrain` keeps only that many training rows.
    static func load(limitTrain: Int? = nil) throws -> Table {
        guard let dir = ProcessInfo.processInfo.environment["CHURNLAB_BENCH_DATA"] else {
            throw XCTSkip("set CHURNLAB_BENCH_DATA to a directory written by gen_model_table.py")
        }
        let url = URL(fileURLWithPath: dir)
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("meta.json"))) as! [String: Any]
        let n = meta["rows"] as! Int, ntr = meta["train_rows"] as! Int
        let numNames = meta["numeric"] as! [String]
        let cats = meta["categorical"] as! [[String: Any]]
        let keep = limitTrain ?? ntr
        func read<T>(_ name: String, _ type: T.Type) throws -> Data { try Data(contentsOf: url.appendingPathComponent(name)) }
        let numeric = try read("numeric.f64", Double.self), codes = try read("categorical.i32", Int32.self)
        let target = try read("target.f64", Double.self)
        var trF: [FeatureValues] = [], teF: [FeatureValues] = [], names: [String] = []
        numeric.withUnsafeBytes { raw in
            let p = raw.bindMemory(to: Double.self)
            for (j, name) in numNames.enumerated() {
                names.append(name)
                trF.append(.numeric(Array(p[(j * n)..<(j * n + keep)])))
                teF.append(.numeric(Array(p[(j * n + ntr)..<(j * n + n)])))
            }
        }
        codes.withUnsafeBytes { raw in
            let p = raw.bindMemory(to: Int32.self)
            for (j, c) in cats.enumerated() {
                let levels = c["levels"] as! [String]
                names.append(c["name"] as! String)
                trF.append(.categorical(codes: Array(p[(j * n)..<(j * n + keep)]), levels: levels))
                teF.append(.categorical(codes: Array(p[(j * n + ntr)..<(j * n + n)]), levels: levels))
            }
        }
        let y = target.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        return Table(train: try FeatureMatrix(names: names, features: trF), yTrain: Array(y[0..<keep]),
                     test: try FeatureMatrix(names: names, features: teF), yTest: Array(y[ntr..<n]))
    }

    /// Peak resident memory (VmHWM) of this process in MB.
    static func peakMB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return .nan }
        return Double(line.split(separator: " ").dropFirst().first ?? "0")! / 1024
    }

    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        return (r, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }

    /// CPU seconds (user + system, all threads) used by this process so far.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    static func emit(_ fields: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        print("BENCH " + String(data: data, encoding: .utf8)!)
    }

    func testBenchGBDT() throws {
        guard ProcessInfo.processInfo.environment["CHURNLAB_BENCH"] != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        let t = try Self.load()
        let loaded = Self.peakMB()
        var o = GradientBoostingOptions(); o.nIterations = 200; o.learningRate = 0.1; o.numLeaves = 63; o.seed = 1
        let cpu0 = Self.cpuSeconds()
        let (m, trainS) = try Self.time { try GradientBoosting.fit(t.train, t.yTrain, options: o) }
        let trainCPU = Self.cpuSeconds() - cpu0
        let peak = Self.peakMB()
        let (p, predS) = try Self.time { try m.predictProba(t.test) }
        let (_, shapS) = try Self.time { try m.explain(t.test.take(Array(0..<10_000))) }
        Self.emit(["lib": "churnlab", "model": "gbdt", "threads": Parallel.threads, "train_s": trainS, "train_cpu_s": trainCPU,
                   "auc": TreeMath.auc(p, t.yTest), "predict_rows_per_s": Double(t.test.nrow) / predS,
                   "shap_rows_per_s": 10_000 / shapS, "peak_mb": peak, "data_mb": loaded,
                   "trees": m.trees.count])
    }

    func testBenchForest() throws {
        guard ProcessInfo.processInfo.environment["CHURNLAB_BENCH"] != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        let t = try Self.load(limitTrain: 200_000)
        let loaded = Self.peakMB()
        var o = RandomForestOptions(); o.nTrees = 100; o.maxDepth = 16; o.seed = 1
        let cpu0 = Self.cpuSeconds()
        let (m, trainS) = try Self.time { try RandomForest.fit(t.train, t.yTrain, options: o) }
        let trainCPU = Self.cpuSeconds() - cpu0
        let peak = Self.peakMB()
        let (p, predS) = try Self.time { try m.predictProba(t.test) }
        Self.emit(["lib": "churnlab", "model": "forest", "threads": Parallel.threads, "train_s": trainS, "train_cpu_s": trainCPU,
                   "auc": TreeMath.auc(p, t.yTest), "predict_rows_per_s": Double(t.test.nrow) / predS,
                   "oob_auc": m.oobAUC ?? .nan, "oob_accuracy": m.oobAccuracy ?? .nan, "peak_mb": peak, "data_mb": loaded])
    }
}
