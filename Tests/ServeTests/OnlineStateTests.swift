import ChurnCore
@testable import ChurnServe
import XCTest

/// The online state against the batch feature builder (`buildFeatures`, what
/// `cl.features.build` runs): the same events through both must give the same
/// features, bit for bit, including events that arrived out of order and
/// events that aged out of the state's horizon.
final class OnlineStateTests: XCTestCase {
    static let day = TimeUnit.microsPerDay
    static let T: Int64 = 19_900 * day + 13 * 3_600_000_000   // 2024-06-27 13:00 UTC

    /// Deterministic events over the 400 days before T (and a few after, which both sides ignore).
    static func events(seed: UInt64 = 7, users: Int = 60) -> [OnlineEvent] {
        var rng = SplitMix(seed)
        let types = ["login", "view", "purchase", "support"]
        var out: [OnlineEvent] = []
        var k: Int64 = 0
        for u in 0..<users {
            let n = Int(rng.next() % 40)
            let base = Int64(rng.next() % 400)
            for _ in 0..<n {
                // Clustered in bursts so sessions, distinct days and gaps all vary; distinct µs so order is unambiguous.
                let dayBack = Int64(rng.next() % UInt64(base + 3))
                let t = T - dayBack * day + Int64(rng.next() % UInt64(day)) - day / 2 + k
                k += 1
                let type = types[Int(rng.next() % 4)]
                let amount = type == "purchase" && rng.next() % 5 != 0 ? Double(rng.next() % 10_000) / 100 : .nan
                out.append(OnlineEvent(user: "u\(u)", type: type, time: t, amount: amount))
            }
        }
        return out
    }

    static func batch(_ events: [OnlineEvent], spec: FeatureSpec) throws -> Frame {
        let frame = try Frame([
            .string("user_id", events.map { $0.user }),
            Column(name: "ts", data: .timestamp(events.map(\.time))),
            .string("event", events.map { $0.type }),
            .float("amount", events.map(\.amount), nulls: events.map { $0.amount.isNaN }),
        ])
        return try buildFeatures(try EventLog(frame, amount: "amount"), spec)
    }

    /// Adds `events` the way a server receives them: shuffled, ageing between two halves.
    static func online(_ events: [OnlineEvent], spec: FeatureSpec) throws -> OnlineState {
        var s = try OnlineState(spec: spec)
        var rng = SplitMix(99)
        let split = T - 150 * day
        var a = events.filter { $0.time < split }, b = events.filter { $0.time >= split }
        a.shuffle(using: &rng); b.shuffle(using: &rng)
        for e in a { XCTAssertNil(s.rejection(e, pendingTypes: [])); s.add(e) }
        s.age(now: split)
        for e in b { XCTAssertNil(s.rejection(e, pendingTypes: [])); s.add(e) }
        s.age(now: T)
        return s
    }

    func assertSame(_ state: inout OnlineState, _ frame: Frame, events: [OnlineEvent], file: StaticString = #filePath, line: UInt = #line) throws {
        let names = try state.featureNames()
        XCTAssertEqual(names, Array(frame.names.dropFirst()), file: file, line: line)
        let ids = try frame.column("user_id")
        var rows = 0
        for r in 0..<frame.nrow {
            let id = ids.string(at: r)!
            guard let v = try state.features(user: id, asOf: OnlineStateTests.T) else { XCTFail("no online features for \(id)"); continue }
            rows += 1
            for (k, name) in names.enumerated() {
                let b = try frame.column(name).toDoubles()![r]
                XCTAssertTrue(b == v[k] || (b.isNaN && v[k].isNaN), "\(id) \(name): batch \(b), online \(v[k])", file: file, line: line)
            }
        }
        // Users whose every event is at or after T have no row on either side.
        let all = Set(events.map(\.user))
        let online = try all.filter { try state.features(user: $0, asOf: OnlineStateTests.T) != nil }
        XCTAssertEqual(online.count, rows, file: file, line: line)
    }

    func testDefaultSpecMatchesBatchBuilder() throws {
        let spec = FeatureSpec(asOf: OnlineStateTests.T, families: FeatureFamily.allCases.filter { $0 != .subscription })
        let ev = OnlineStateTests.events()
        var s = try OnlineStateTests.online(ev, spec: spec)
        XCTAssertGreaterThan(s.users.values.reduce(0) { $0 + $1.agedCount }, 100, "the test must age events out")
        try assertSame(&s, try OnlineStateTests.batch(ev, spec: spec), events: ev)
    }

    func testCustomSpecMatchesBatchBuilder() throws {
        let spec = FeatureSpec(asOf: OnlineStateTests.T, windows: [14, 3], families: [.activity, .types, .monetary, .recency, .trend, .gaps, .sessions, .weekend, .tenure],
                               eventTypes: ["purchase", "login"], recencyTypes: ["support"], sessionGapMinutes: 45,
                               behaviourWindow: 14, trendWindows: [7])
        let ev = OnlineStateTests.events(seed: 3)
        var s = try OnlineStateTests.online(ev, spec: spec)
        try assertSame(&s, try OnlineStateTests.batch(ev, spec: spec), events: ev)
    }

    func testOutOfOrderBeyondAgedEventsIsRefused() throws {
        var s = try OnlineState(spec: FeatureSpec(asOf: 0))
        s.add(OnlineEvent(user: "a", type: "x", time: 0))
        s.add(OnlineEvent(user: "a", type: "x", time: 400 * OnlineStateTests.day))
        s.age(now: 400 * OnlineStateTests.day)
        XCTAssertNotNil(s.rejection(OnlineEvent(user: "a", type: "x", time: -1), pendingTypes: []))
        XCTAssertNil(s.rejection(OnlineEvent(user: "a", type: "x", time: 1), pendingTypes: []))
        XCTAssertNil(s.rejection(OnlineEvent(user: "b", type: "x", time: -1), pendingTypes: []))
    }

    func testSnapshotRoundTripKeepsFeatures() throws {
        let spec = FeatureSpec(asOf: OnlineStateTests.T, families: FeatureFamily.allCases.filter { $0 != .subscription })
        var s = try OnlineStateTests.online(OnlineStateTests.events(), spec: spec)
        let bytes = StateSnapshot.encode(s, nextGeneration: 5)
        var (r, next) = try StateSnapshot.decode(bytes, spec: spec, source: "t")
        XCTAssertEqual(next, 5)
        XCTAssertEqual(r.eventCount, s.eventCount)
        for u in s.users.keys.sorted() {
            let a = try s.features(user: u, asOf: OnlineStateTests.T), b = try r.features(user: u, asOf: OnlineStateTests.T)
            XCTAssertEqual(a.map { $0.map(\.bitPattern) }, b.map { $0.map(\.bitPattern) }, u)
        }
        var bad = bytes; bad[40] ^= 1
        XCTAssertThrowsError(try StateSnapshot.decode(bad, spec: spec, source: "t"))
    }

    func testJournalRecoversCompleteRecordsAndCutsATornOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = FeatureSpec(asOf: 0)
        let ev = OnlineStateTests.events(users: 5)
        do {
            let store = try OnlineStore(spec: spec, stateDir: dir, clock: { OnlineStateTests.T })
            try store.ingest(Array(ev.prefix(10)))
            try store.ingest(Array(ev.dropFirst(10).prefix(7)))
        }
        // A torn third record: header and half a payload.
        let log = try EventJournal.listLogs(dir).last!.1
        let h = FileHandle(forWritingAtPath: log)!
        h.seekToEndOfFile(); h.write(Data([0x43, 0x4C, 0x45, 0x56, 100, 0, 0, 0, 1, 2, 3])); h.closeFile()
        var notes: [String] = []
        let store = try OnlineStore(spec: spec, stateDir: dir, clock: { OnlineStateTests.T }, note: { notes.append($0) })
        XCTAssertEqual(store.stats.events, 17)
        XCTAssertTrue(notes.contains { $0.contains("cut off 11 bytes") }, "\(notes)")
        try store.persist()
        XCTAssertEqual(try EventJournal.listLogs(dir).count, 1, "the snapshot folded the old logs away")
        let again = try OnlineStore(spec: spec, stateDir: dir, clock: { OnlineStateTests.T })
        XCTAssertEqual(again.stats.events, 17)
        try again.ingest(Array(ev.suffix(3)))
        let third = try OnlineStore(spec: spec, stateDir: dir, clock: { OnlineStateTests.T })
        XCTAssertEqual(third.stats.events, 20, "snapshot + the log after it")
        XCTAssertEqual(try EventJournal.listLogs(dir).count, 1)
    }
}

/// SplitMix64: a seeded generator for test data.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
