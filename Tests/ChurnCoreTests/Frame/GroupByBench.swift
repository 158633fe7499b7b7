import Foundation
import XCTest
@testable import ChurnCore

/// Release-mode benchmark, run by scripts/bench/groupby_bench.sh (CHURNLAB_BENCH=1).
/// Builds a seeded 20M-row event log shaped like scripts/bench/gen_tables.py's
/// events.csv (500k users, sorted timestamps, 8 event names, exponential
/// amounts), optionally dumps it as raw arrays for the Python peers
/// (CHURNLAB_BENCH_DUMP=dir), and times group_by(user) with 5 aggregates.
final class GroupByBench: XCTestCase {
    static let events = ["login", "view", "click", "purchase", "logout", "support", "upgrade", "cancel"]

    static func eventLog(rows n: Int, seed: UInt64) -> Frame {
        let parts = Parallel.mapChunks(n, chunks: 16) { r -> ([Int64], [Int64], [Int32], [Double]) in
            var rng = SeededRandom(seed: seed, stream: UInt64(r.lowerBound))
            var u = [Int64](), t = [Int64](), e = [Int32](), a = [Double]()
            u.reserveCapacity(r.count); t.reserveCapacity(r.count); e.reserveCapacity(r.count); a.reserveCapacity(r.count)
            let t0: Int64 = 1_704_067_200_000_000
            for i in r {
                u.append(Int64(1 + rng.below(500_000)))
                // Sorted timestamps: evenly spread over 270 days plus sub-step jitter.
                t.append(t0 + Int64(Double(i) / Double(n) * 270 * 86_400) * 1_000_000)
                e.append(Int32(rng.below(8)))
                a.append((-20 * _log(1 - rng.uniform()) * 100).rounded() / 100)
            }
            return (u, t, e, a)
        }
        return try! Frame([
            .int("user_id", parts.flatMap(\.0)),
            Column(name: "timestamp", data: .timestamp(parts.flatMap(\.1))),
            Column(name: "event", data: .string(codes: parts.flatMap(\.2), dictionary: events)),
            .float("amount", parts.flatMap(\.3)),
        ])
    }

    static let specs = [
        AggSpec(nil, .count, as: "n"), AggSpec("amount", .sum, as: "total"), AggSpec("amount", .mean, as: "avg"),
        AggSpec("timestamp", .max, as: "last_ts"), AggSpec("event", .nunique, as: "kinds"),
    ]

    func testBenchGroupBy20M() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["CHURNLAB_BENCH"] != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        let rows = Int(env["CHURNLAB_BENCH_ROWS"] ?? "") ?? 20_000_000
        var t = Date()
        let f = GroupByBench.eventLog(rows: rows, seed: 20241122)
        print(String(format: "BENCH generate %d rows: %.3f s", rows, Date().timeIntervalSince(t)))
        if let dir = env["CHURNLAB_BENCH_DUMP"] { try dump(f, to: dir) }
        if env["CHURNLAB_BENCH_DETAIL"] != nil {
            t = Date()
            let g = try f.groupBy(["user_id"])
            print(String(format: "BENCH   detail factorize: %.3f s", Date().timeIntervalSince(t)))
            for s in GroupByBench.specs {
                t = Date()
                _ = try g.agg([s], sort: false)
                print(String(format: "BENCH   detail %@: %.3f s", s.name, Date().timeIntervalSince(t)))
            }
        }
        var best = Double.infinity, bestSorted = Double.infinity
        var out: Frame? = nil
        for _ in 0..<5 {
            t = Date()
            out = try f.groupBy(["user_id"]).agg(GroupByBench.specs, sort: false)
            best = min(best, Date().timeIntervalSince(t))
        }
        for _ in 0..<3 {
            t = Date()
            _ = try f.groupBy(["user_id"]).agg(GroupByBench.specs, sort: true)
            bestSorted = min(bestSorted, Date().timeIntervalSince(t))
        }
        let o = out!
        let total = try o.column("total").doubles.reduce(0) { $0 + $1! }
        print(String(format: "BENCH churnlab group_by(user_id) 5 aggs: %.3f s (sorted output %.3f s), %d groups, threads %d",
                     best, bestSorted, o.nrow, Parallel.threads))
        let kinds = try o.column("kinds").ints.reduce(0) { $0 + $1! }
        let n = try o.column("n").ints.reduce(0) { $0 + $1! }
        print(String(format: "BENCH check churnlab: groups=%d sum(n)=%lld sum(total)=%.2f sum(kinds)=%lld", o.nrow, n, total, kinds))
    }

    /// Users table for the join bench: user_id 1...500k, plan by user_id % 4, tenure = user_id % 72
    /// (scripts/bench/groupby_peers.py builds the same).
    static func users() -> Frame {
        let ids = (1...500_000).map { Int64($0) }
        let plans = ["basic", "plus", "premium", "family"]
        return try! Frame([
            .int("user_id", ids),
            Column(name: "plan", data: .string(codes: ids.map { Int32($0 % 4) }, dictionary: plans)),
            .int("tenure", ids.map { $0 % 72 }),
        ])
    }

    func testBenchSortJoin20M() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["CHURNLAB_BENCH"] != nil else { throw XCTSkip("set CHURNLAB_BENCH=1") }
        let rows = Int(env["CHURNLAB_BENCH_ROWS"] ?? "") ?? 20_000_000
        let f = GroupByBench.eventLog(rows: rows, seed: 20241122)
        let u = GroupByBench.users()
        var bestSort = Double.infinity, bestJoin = Double.infinity
        var sorted: Frame? = nil, joined: Frame? = nil
        for _ in 0..<3 {
            var t = Date()
            sorted = try f.sortBy([SortKey("user_id"), SortKey("timestamp", descending: true)])
            bestSort = min(bestSort, Date().timeIntervalSince(t))
            t = Date()
            joined = try f.join(u, on: ["user_id"], how: .left)
            bestJoin = min(bestJoin, Date().timeIntervalSince(t))
        }
        print(String(format: "BENCH churnlab sort_by(user_id, timestamp desc) 20M: %.3f s", bestSort))
        print(String(format: "BENCH churnlab left join 20M events x 500k users: %.3f s", bestJoin))
        let first = try sorted!.column("amount").double(at: 0)!, tenure = try joined!.column("tenure").ints.reduce(0) { $0 + $1! }
        print(String(format: "BENCH check churnlab: sorted first amount=%.2f joined sum(tenure)=%lld", first, tenure))
    }

    /// Raw little-endian arrays: user_id int64, timestamp int64 µs, event int32 codes, amount float64.
    private func dump(_ f: Frame, to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func write<T>(_ a: [T], _ name: String) throws {
            let d = a.withUnsafeBytes { Data($0) }
            try d.write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
        }
        guard case .int64(let u) = try f.column("user_id").data, case .timestamp(let ts) = try f.column("timestamp").data,
              case .string(let e, _) = try f.column("event").data, case .float64(let a) = try f.column("amount").data else { return }
        try write(u, "user_id.i64"); try write(ts, "timestamp.i64"); try write(e, "event.i32"); try write(a, "amount.f64")
        try GroupByBench.events.joined(separator: "\n").write(toFile: dir + "/events.txt", atomically: true, encoding: .utf8)
    }
}
