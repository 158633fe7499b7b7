import Foundation
import XCTest
@testable import ChurnCore

/// Benchmark of the feature builder (run by scripts/bench/features_bench.sh in
/// release with CHURNLAB_BENCH=1). Writes the seeded data as raw little-endian
/// arrays so the polars and DuckDB peers (scripts/bench/features_*.py) read
/// exactly the same events.
final class FeatureBenchTests: XCTestCase {
    static let types = ["login", "view_course", "finish_lesson", "comment", "share", "purchase", "renew"]
    static let typeWeights = [35, 30, 15, 8, 5, 5, 2]   // percent
    static let startDay: Int64 = 19_723                 // 2024-01-01
    static let asOfDay: Int64 = 19_723 + 300

    func testBenchFeatures() throws {
        guard ProcessInfo.processInfo.environment["CHURNLAB_BENCH"] != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        let env = ProcessInfo.processInfo.environment
        let nEvents = Int(env["CHURNLAB_BENCH_EVENTS"] ?? "") ?? 20_000_000
        let nUsers = Int(env["CHURNLAB_BENCH_USERS"] ?? "") ?? 1_000_000
        let dir = URL(fileURLWithPath: env["CHURNLAB_BENCH_DIR"] ?? "/tmp/churnlab_bench_features")

        var clock = Date()
        func lap() -> Double { let d = Date().timeIntervalSince(clock); clock = Date(); return d }

        // Seeded data: per-chunk streams so generation is parallel and thread-independent.
        let chunks = Parallel.mapChunks(nEvents, chunks: 64) { r -> ([Int64], [Int64], [Int32], [Double]) in
            var g = SeededRandom(seed: 2024, stream: UInt64(r.lowerBound))
            var u = [Int64](), t = [Int64](), ty = [Int32](), a = [Double]()
            u.reserveCapacity(r.count); t.reserveCapacity(r.count); ty.reserveCapacity(r.count); a.reserveCapacity(r.count)
            for _ in r {
                u.append(Int64(g.below(nUsers)))
                t.append(Self.startDay * DAY_US + Int64(g.below(Int(365 * DAY_US))))
                var x = g.below(100), k = 0
                while x >= Self.typeWeights[k] { x -= Self.typeWeights[k]; k += 1 }
                ty.append(Int32(k))
                a.append(k >= 5 ? Double(999 + g.below(9000)) / 100 : .nan)
            }
            return (u, t, ty, a)
        }
        let users = chunks.flatMap { $0.0 }, times = chunks.flatMap { $0.1 }
        let types = chunks.flatMap { $0.2 }, amounts = chunks.flatMap { $0.3 }
        let gen = lap()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func write<T>(_ a: [T], _ name: String) throws {
            try a.withUnsafeBytes { try Data($0).write(to: dir.appendingPathComponent(name)) }
        }
        try write(users, "user.i64"); try write(times, "ts.i64"); try write(types, "type.i32"); try write(amounts, "amount.f64")
        try Self.types.joined(separator: "\n").write(to: dir.appendingPathComponent("types.txt"), atomically: true, encoding: .utf8)
        try "\(Self.asOfDay * DAY_US)".write(to: dir.appendingPathComponent("asof.txt"), atomically: true, encoding: .utf8)
        _ = lap()

        let frame = try Frame([
            Column(name: "user_id", data: .int64(users)),
            Column(name: "ts", data: .timestamp(times)),
            Column(name: "event", data: .string(codes: types, dictionary: Self.types)),
            Column(name: "amount", data: .float64(amounts.map { $0.isNaN ? 0 : $0 }), validity: Validity(amounts.map { !$0.isNaN })),
        ])
        _ = lap()
        let log = try EventLog(frame, amount: "amount")
        let tIndex = lap()
        let spec = FeatureSpec(asOf: Self.asOfDay * DAY_US, windows: [7, 30, 90],
                               families: [.activity, .types, .monetary, .recency, .trend],
                               eventTypes: Self.types, recencyTypes: [], trendWindows: [30])
        var best = Double.infinity
        var out = try Frame()
        for _ in 0..<3 { _ = lap(); out = try buildFeatures(log, spec); best = min(best, lap()) }
        func sum(_ c: String) throws -> Double { try out.column(c).toDoubles()!.reduce(0) { $1.isNaN ? $0 : $0 + $1 } }
        print(String(format: "bench features swift: generate %.2fs, index %.3fs, features %.3fs (best of 3), index+features %.3fs, threads %d",
                     gen, tIndex, best, tIndex + best, Parallel.threads))
        print(String(format: "bench check swift: rows %d cols %d events_30d %.0f active_days_30d %.0f purchase_90d %.0f amount_90d %.2f recency_days %.4f trend_30d %.4f",
                     out.nrow, out.ncol - 1, try sum("events_30d"), try sum("active_days_30d"), try sum("purchase_90d"),
                     try sum("amount_90d"), try sum("recency_days"), try sum("trend_30d")))
    }

    /// Simulator speed (100k users × 365 days) and the churn signal it carries.
    func testBenchSimulator() throws {
        guard ProcessInfo.processInfo.environment["CHURNLAB_BENCH"] != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        var clock = Date()
        func lap() -> Double { let d = Date().timeIntervalSince(clock); clock = Date(); return d }
        let sim = try simulatePlatform(SimulationOptions(users: 100_000, days: 365, seed: 1))
        let tSim = lap()
        let log = try EventLog(sim.events, amount: "amount")
        let tIndex = lap()
        let asOf = (19_723 + 300) * DAY_US
        let s = try snapshots(log, SnapshotOptions(from: asOf - 56 * DAY_US, to: asOf, everyDays: 28, spec: FeatureSpec(asOf: 0),
                                                   label: LabelOptions(asOf: 0, horizon: 30, activeWithin: 30)))
        let tSnap = lap()
        print(String(format: "bench simulate swift: 100k users x 365 days %.2fs (%d events, %d terms), index %.2fs, 3 snapshots %.2fs (%d rows x %d cols)",
                     tSim, sim.events.nrow, sim.subscriptions.nrow, tIndex, tSnap, s.nrow, s.ncol))
    }

    /// Breakdown of EventLog indexing steps (diagnostics for the index figure).
    func testBenchIndexSteps() throws {
        guard ProcessInfo.processInfo.environment["CHURNLAB_BENCH_STEPS"] != nil else { throw XCTSkip("set CHURNLAB_BENCH_STEPS=1") }
        let n = 20_000_000, nu = 1_000_000
        var g = SeededRandom(seed: 1)
        let users = (0..<n).map { _ in Int64(g.below(nu)) }
        let times = (0..<n).map { _ in Int64(g.below(Int(365 * DAY_US))) }
        let amounts = (0..<n).map { _ in g.below(10) == 0 ? 1.5 : Double.nan }
        let acol = Column(name: "amount", data: .float64(amounts.map { $0.isNaN ? 0 : $0 }), validity: Validity(amounts.map { !$0.isNaN }))
        var clock = Date()
        func lap(_ what: String) { print(String(format: "bench step %@: %.3fs", what, Date().timeIntervalSince(clock))); clock = Date() }
        _ = acol.toDoubles(); lap("amount toDoubles")
        let (ids, keys) = try UserIDs.encode(Column(name: "u", data: .int64(users))); lap("encode users")
        let (perm, _, _) = GroupSort.byKeyThenTime(keys: keys, groups: ids.count, times: times); lap("group sort")
        _ = EventLog.gather(amounts, perm); lap("gather f64")
    }

    /// Writes a simulated training set (snapshots with labels, subscription
    /// features and the users table) as CSV for
    /// Tests/ChurnCoreTests/References/simulate_auc_reference.py.
    func testBenchExportSimulatedTrainingSet() throws {
        guard ProcessInfo.processInfo.environment["CHURNLAB_BENCH"] != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        let dir = URL(fileURLWithPath: ProcessInfo.processInfo.environment["CHURNLAB_SIM_DIR"] ?? "/tmp/churnlab_sim_auc")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let sim = try simulatePlatform(SimulationOptions(users: 20_000, days: 365, seed: 5))
        let log = try EventLog(sim.events, amount: "amount")
        let subs = try Subscriptions(sim.subscriptions, autoRenew: "auto_renew", discount: "discount")
        let from = (19_723 + 180) * DAY_US, to = (19_723 + 320) * DAY_US
        let s = try snapshots(log, SnapshotOptions(from: from, to: to, everyDays: 28, spec: FeatureSpec(asOf: 0),
                                                   label: LabelOptions(asOf: 0, horizon: 30, activeWithin: 30)),
                              subscriptions: subs)
        try Self.csv(s).write(to: dir.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try Self.csv(sim.users).write(to: dir.appendingPathComponent("users.csv"), atomically: true, encoding: .utf8)
        print("bench export: \(s.nrow) rows x \(s.ncol) cols to \(dir.path)")
    }

    /// Minimal CSV for the export above (no quoting needed: ids, numbers, plain words).
    static func csv(_ f: Frame) -> String {
        var lines = [f.names.joined(separator: ",")]
        lines.reserveCapacity(f.nrow + 1)
        for r in 0..<f.nrow {
            lines.append(f.columns.map { c -> String in
                if c.isNull(r) { return "" }
                switch c.data {
                case .int64(let v): return String(v[r])
                case .float64(let v): return String(v[r])
                case .bool(let v): return v[r] ? "1" : "0"
                case .timestamp(let v): return String(v[r] / DAY_US)
                case .date(let v): return String(v[r])
                default: return c.string(at: r) ?? ""
                }
            }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
