import Foundation
import XCTest
@testable import ChurnCore

/// Simulator and event-index diagnostics (release, CHURNLAB_BENCH=1). The feature
/// builder's side-by-side benchmark is scripts/bench/features_bench.sh (the release
/// binary on the log of gen_feature_events.py).
final class FeatureBenchTests: XCTestCase {

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
