import XCTest
@testable import ChurnCore

/// Point-in-time safety and determinism on a random log.
final class LeakageTests: XCTestCase {
    static let asOf = fday(200)
    static let types = ["login", "view_course", "finish_lesson", "purchase"]

    func randomRows(seed: UInt64, users: Int = 300, events: Int = 6000) -> [(Int64, Int64, String, Double?)] {
        var r = SeededRandom(seed: seed)
        return (0..<events).map { _ in
            let t = fday(Int64(r.below(300))) + Int64(r.below(Int(DAY_US)))
            let ty = Self.types[r.below(4)]
            return (Int64(r.below(users)), t, ty, ty == "purchase" ? Double(r.below(100)) : nil)
        }
    }

    func columnsAsDoubles(_ f: Frame) -> [[Double?]] {
        f.columns.map { c in (0..<c.count).map { c.double(at: $0) ?? c.string(at: $0).map { Double($0.hashValue) } } }
    }

    func testFutureEventsChangeNoFeature() throws {
        let rows = randomRows(seed: 11)
        let spec = FeatureSpec(asOf: Self.asOf)
        let before = try buildFeatures(try EventLog(try featureEventFrame(rows), amount: "amount"), spec)
        // Rewrite every event at or after asOf, add new ones (some exactly at asOf, some for new users), shuffle rows.
        var r = SeededRandom(seed: 99)
        var changed = rows.map { row -> (Int64, Int64, String, Double?) in
            guard row.1 >= Self.asOf else { return row }
            return (row.0, Self.asOf + Int64(r.below(Int(100 * DAY_US))), Self.types[r.below(4)], Double(r.below(1000)))
        }
        for i in 0..<500 { changed.append((Int64(r.below(400)), i % 2 == 0 ? Self.asOf : Self.asOf + Int64(r.below(Int(DAY_US))), "login", 7)) }
        r.shuffle(&changed)
        let after = try buildFeatures(try EventLog(try featureEventFrame(changed), amount: "amount"), spec)
        XCTAssertEqual(before.names, after.names)
        XCTAssertEqual(try featureUserIDs(before), try featureUserIDs(after))
        XCTAssertGreaterThan(before.nrow, 250)
        let a = columnsAsDoubles(before), b = columnsAsDoubles(after)
        for k in 0..<a.count { XCTAssertTrue(a[k] == b[k], "feature \(before.names[k]) changed") }
        // Sanity: the same edits before asOf do change features.
        var past = rows
        past[0].1 = Self.asOf - 1
        let moved = try buildFeatures(try EventLog(try featureEventFrame(past), amount: "amount"), spec)
        XCTAssertFalse(columnsAsDoubles(moved) == a)
    }

    func testThreadCountDoesNotChangeResults() throws {
        let log = try EventLog(try featureEventFrame(randomRows(seed: 5)), amount: "amount")
        let spec = FeatureSpec(asOf: Self.asOf)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = columnsAsDoubles(try buildFeatures(log, spec))
        Parallel.threads = 7
        let many = columnsAsDoubles(try buildFeatures(log, spec))
        XCTAssertTrue(one == many)
    }

    /// Events counted per window equal a brute-force count over the raw rows.
    func testWindowCountsMatchBruteForce() throws {
        let rows = randomRows(seed: 21)
        let f = try buildFeatures(try EventLog(try featureEventFrame(rows), amount: "amount"),
                                  FeatureSpec(asOf: Self.asOf, windows: [7, 30, 90]))
        for (k, uid) in try featureUserIDs(f).enumerated() where k % 25 == 0 {
            for w in [7, 30, 90] {
                let cut = Self.asOf - Int64(w) * DAY_US
                let n = rows.filter { $0.0 == uid && $0.1 >= cut && $0.1 < Self.asOf }.count
                XCTAssertEqual(try f.column("events_\(w)d").double(at: k), Double(n))
                let amt = rows.filter { $0.0 == uid && $0.1 >= cut && $0.1 < Self.asOf }.compactMap { $0.3 }.reduce(0, +)
                XCTAssertEqual(try f.column("amount_\(w)d").double(at: k)!, amt, accuracy: 1e-9)
            }
        }
    }

    func testSnapshotsStackDates() throws {
        let log = try EventLog(try featureEventFrame(randomRows(seed: 3)), amount: "amount")
        let spec = FeatureSpec(asOf: 0, windows: [7, 30])
        let label = LabelOptions(asOf: 0, horizon: 28, activeWithin: 30)
        let o = SnapshotOptions(from: fday(100), to: fday(170), everyDays: 28, spec: spec, label: label)
        let s = try snapshots(log, o)
        XCTAssertEqual(s.names.first, "as_of")
        XCTAssertEqual(s.names.suffix(2), ["churn", "censored"])
        // Dates 100, 128, 156; each block equals the features ⋈ labels of its date.
        var total = 0
        for (k, d) in [fday(100), fday(128), fday(156)].enumerated() {
            var sp = spec; sp.asOf = d
            var lo = label; lo.asOf = d
            let feats = try buildFeatures(log, sp), labs = try churnLabels(log, lo)
            let labUsers = Set(try featureUserIDs(labs))
            let expectedUsers = try featureUserIDs(feats).filter { labUsers.contains($0) }
            let block = (0..<s.nrow).filter { try! s.column("as_of").double(at: $0) == Double(d) }
            XCTAssertEqual(block.count, expectedUsers.count, "date \(k)")
            XCTAssertEqual(block.map { try! s.column("user_id").double(at: $0)! }, expectedUsers.map(Double.init))
            let r0 = block[block.count / 2], uid = Int64(try s.column("user_id").double(at: r0)!)
            XCTAssertEqual(try s.column("events_30d").double(at: r0), try featureValue(feats, "events_30d", user: uid))
            XCTAssertEqual(try s.column("churn").double(at: r0), try featureValue(labs, "churn", user: uid))
            total += block.count
        }
        XCTAssertEqual(total, s.nrow)
    }

    /// Large enough for the multi-chunk counting sort and the radix path: both
    /// orders equal a plain stable sort by (user, time), amounts moving along.
    func testIndexingMatchesStableSort() throws {
        var r = SeededRandom(seed: 77)
        let n = 140_000
        let users = (0..<n).map { _ in Int64(r.below(3000)) * 7 }            // sparse ids
        let times = (0..<n).map { _ in Int64(r.below(200)) * DAY_US }        // many ties
        let codes = (0..<n).map { _ in Int32(r.below(3)) }
        let amounts = (0..<n).map { i in i % 3 == 0 ? Double.nan : Double(i) }
        // Users average ~47 events: both the insertion sort and the large-group sort (> 48) run.
        let frame = try Frame([Column(name: "user_id", data: .int64(users)), Column(name: "ts", data: .timestamp(times)),
                               Column(name: "event", data: .string(codes: codes, dictionary: ["a", "b", "c"])),
                               .float("amount", amounts.map { $0.isNaN ? 0 : $0 }, nulls: amounts.map { $0.isNaN })])
        let order = (0..<n).sorted { (a: Int, b: Int) -> Bool in
            if users[a] != users[b] { return users[a] < users[b] }
            if times[a] != times[b] { return times[a] < times[b] }
            return a < b
        }
        let saved = (Parallel.threads, EventLog.radixThreshold)
        defer { Parallel.threads = saved.0; EventLog.radixThreshold = saved.1 }
        Parallel.threads = 3
        for threshold in [100_000, Int.max] {
            EventLog.radixThreshold = threshold
            let log = try EventLog(frame, amount: "amount")
            XCTAssertTrue(log.times == order.map { times[$0] }, "threshold \(threshold)")
            XCTAssertTrue(log.types == order.map { codes[$0] }, "threshold \(threshold)")
            XCTAssertTrue(log.amounts!.map { $0.isNaN ? -1 : $0 } == order.map { amounts[$0].isNaN ? -1 : amounts[$0] })
            guard case .int(let ids) = log.users else { return XCTFail("int ids expected") }
            XCTAssertEqual(ids.count, Set(users).count)
            XCTAssertEqual(log.offsets.last, n)
            for u in [0, 1, ids.count / 2, ids.count - 1] {
                XCTAssertEqual(log.offsets[u + 1] - log.offsets[u], users.filter { $0 == ids[u] }.count)
            }
        }
    }
}
