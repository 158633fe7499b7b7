import ChurnCore
@testable import ChurnServe
import XCTest

/// Subscription terms in the online state against the batch builder
/// (`buildFeatures(log, spec, subscriptions:)`, what `cl.features.build(events,
/// {…, subscriptions = subs})` runs): the same events and terms as of the same
/// instant give the same features, bit for bit (plan compared by name), and the
/// terms survive the journal, snapshots (including one in the old format) and
/// a restart.
final class OnlineSubscriptionTests: XCTestCase {
    static let T = OnlineStateTests.T
    static let day = OnlineStateTests.day

    /// Terms covering: no terms (u0), an open term (u1), an ended term (u2), a renewal starting exactly at
    /// T (u3), several plans with tenure lowered to the first term start (u4), a term starting after T only
    /// (u5), a term of whole calendar months (u6, 2024-06-01 → 2024-08-01, T is 2024-06-27), a user with
    /// terms but no events (z), and (with `replaced`) a term sent twice with a later end, which replaces it.
    static func terms(autoRenew: Bool, discount: Bool, period: Subscriptions.PricePeriod = .term) -> [OnlineTerm] {
        let T = self.T, d = day
        func t(_ u: String, _ s: Int64, _ e: Int64?, _ plan: String, _ price: Double, _ ar: Bool, _ disc: Double) -> OnlineTerm {
            OnlineTerm(user: u, start: s, end: e ?? Int64.max, plan: plan, price: price, pricePeriod: period,
                       autoRenew: autoRenew ? ar : nil, discount: discount ? disc : .nan)
        }
        let jun1 = TimeUnit.parse("2024-06-01")!, aug1 = TimeUnit.parse("2024-08-01")!
        return [
            t("u1", T - 100 * d, nil, "basic", 9.99, true, 0.1),
            t("u2", T - 200 * d, T - 20 * d, "pro", 120, false, .nan),
            t("u3", T - 30 * d, T, "basic", 10, true, 0),
            t("u3", T, T + 30 * d, "pro", 25, false, 0.25),
            t("u4", T - 400 * d, T - 300 * d, "basic", 30, true, .nan),
            t("u4", T - 300 * d, T - 10 * d, "pro", 290, true, 0.05),
            t("u4", T - 10 * d, T + 20 * d, "team", 100, false, .nan),
            t("u5", T + 5 * d, T + 35 * d, "pro", 25, true, 0.5),
            t("u6", jun1, aug1, "team", 60, true, 0.2),
            t("z", T - 50 * d, nil, "basic", 9.99, true, 0.1),
        ]
    }

    /// The terms as the subscription table `cl.events.subscriptions` reads (nulls for absent columns' values).
    static func table(_ terms: [OnlineTerm], autoRenew: Bool, discount: Bool, period: Subscriptions.PricePeriod = .term) throws -> Subscriptions {
        var cols: [Column] = [
            .string("user_id", terms.map(\.user)),
            Column(name: "start", data: .timestamp(terms.map(\.start))),
            Column(name: "end", data: .timestamp(terms.map { $0.end == Int64.max ? 0 : $0.end }), validity: Validity(terms.map { $0.end != Int64.max })),
            .string("plan", terms.map(\.plan)),
            .float("price", terms.map(\.price)),
        ]
        if autoRenew { cols.append(.bool("auto_renew", terms.map { $0.autoRenew! })) }
        if discount { cols.append(.float("discount", terms.map(\.discount), nulls: terms.map { $0.discount.isNaN })) }
        return try Subscriptions(try Frame(cols), autoRenew: autoRenew ? "auto_renew" : nil, discount: discount ? "discount" : nil, pricePeriod: period)
    }

    static func events() -> [OnlineEvent] { OnlineStateTests.events(seed: 5, users: 8) }

    static func batch(_ events: [OnlineEvent], _ subs: Subscriptions, spec: FeatureSpec) throws -> Frame {
        let frame = try Frame([
            .string("user_id", events.map { $0.user }),
            Column(name: "ts", data: .timestamp(events.map(\.time))),
            .string("event", events.map { $0.type }),
            .float("amount", events.map(\.amount), nulls: events.map { $0.amount.isNaN }),
        ])
        return try buildFeatures(try EventLog(frame, amount: "amount"), spec, subscriptions: subs)
    }

    /// Every batch row equals the online features of its user (plan by name); users without a batch row have none online.
    func assertSame(_ state: inout OnlineState, _ frame: Frame, users: Set<String>, file: StaticString = #filePath, line: UInt = #line) throws {
        let names = try state.featureNames()
        XCTAssertEqual(names, Array(frame.names.dropFirst()), file: file, line: line)
        let planIndex = try XCTUnwrap(try state.planColumn(), file: file, line: line)
        let ids = try frame.column("user_id")
        for r in 0..<frame.nrow {
            let id = ids.string(at: r)!
            let v = try XCTUnwrap(try state.features(user: id, asOf: Self.T), "no online features for \(id)", file: file, line: line)
            for (k, name) in names.enumerated() {
                if k == planIndex {
                    XCTAssertEqual(v[k].isNaN ? nil : state.planNames[Int(v[k])], try frame.column(name).string(at: r), "\(id) plan", file: file, line: line)
                    continue
                }
                let b = try frame.column(name).toDoubles()![r]
                XCTAssertTrue(b.bitPattern == v[k].bitPattern || (b.isNaN && v[k].isNaN), "\(id) \(name): batch \(b), online \(v[k])", file: file, line: line)
            }
        }
        let batchUsers = Set((0..<frame.nrow).map { ids.string(at: $0)! })
        for u in users where !batchUsers.contains(u) {
            XCTAssertNil(try state.features(user: u, asOf: Self.T), "\(u) has no row in batch", file: file, line: line)
        }
    }

    func check(autoRenew: Bool, discount: Bool, period: Subscriptions.PricePeriod = .term) throws {
        let spec = FeatureSpec(asOf: Self.T)
        XCTAssertTrue(spec.families.contains(.subscription))
        let ev = Self.events(), terms = Self.terms(autoRenew: autoRenew, discount: discount, period: period)
        let frame = try Self.batch(ev, try Self.table(terms, autoRenew: autoRenew, discount: discount, period: period), spec: spec)
        var s = try OnlineStateTests.online(ev, spec: spec)
        var rng = SplitMix(4)
        for t in terms.shuffled(using: &rng) { XCTAssertNil(s.rejection(t, pendingPlans: [])); s.add(t) }
        XCTAssertEqual(s.termCount, terms.count)
        try assertSame(&s, frame, users: Set(ev.map(\.user) + terms.map(\.user)))
        // The cases the terms were built for, read off the batch frame (so the comparison above covers them).
        let ids = try frame.column("user_id"), sub = try frame.column("subscribed"), ren = try frame.column("renewals")
        let dtr = try frame.column("days_to_renewal")
        func row(_ u: String) -> Int? { (0..<frame.nrow).first { ids.string(at: $0) == u } }
        if let r = row("u3") {
            XCTAssertEqual(sub.toDoubles()![r], 1); XCTAssertEqual(try frame.column("plan").string(at: r), "pro", "the renewal at T is current")
            XCTAssertEqual(ren.toDoubles()![r], 1); XCTAssertEqual(dtr.toDoubles()![r], 30)
        }
        if let r = row("u2") { XCTAssertEqual(sub.toDoubles()![r], 0); XCTAssertEqual(try frame.column("plan").string(at: r), "pro"); XCTAssertTrue(dtr.isNull(r)) }
        if let r = row("u5") { XCTAssertTrue(try frame.column("plan").isNull(r)) }
        if let r = row("u4") { XCTAssertGreaterThanOrEqual(try frame.column("tenure_days").toDoubles()![r], 400, "tenure from the first term start") }
        if let r = row("u6"), period == .term { XCTAssertEqual(try frame.column("mrr").toDoubles()![r], 30, "60 over two calendar months") }
        XCTAssertNil(row("z"))
        XCTAssertEqual(frame.names.contains("auto_renew_off"), autoRenew)
        XCTAssertEqual(frame.names.contains("discount"), discount)
    }

    func testTermsWithAutoRenewAndDiscountMatchBatch() throws { try check(autoRenew: true, discount: true) }
    func testTermsWithoutOptionalColumnsMatchBatch() throws { try check(autoRenew: false, discount: false) }
    func testMonthlyPricesAndOneOptionalColumnMatchBatch() throws {
        try check(autoRenew: true, discount: false, period: .month)
        try check(autoRenew: false, discount: true)
    }

    func testNoTermsMeansNoSubscriptionColumns() throws {
        var s = try OnlineStateTests.online(Self.events(), spec: FeatureSpec(asOf: Self.T))
        XCTAssertFalse(try s.featureNames().contains("subscribed"))
        s.add(OnlineTerm(user: "u1", start: Self.T - Self.day, plan: "basic", price: 5))
        XCTAssertEqual(Array(try s.featureNames().suffix(6)), ["subscribed", "plan", "price", "mrr", "days_to_renewal", "renewals"])
    }

    func testSameStartReplacesTheTerm() throws {
        var s = try OnlineState(spec: FeatureSpec(asOf: 0))
        s.add(OnlineEvent(user: "a", type: "x", time: Self.T - Self.day))
        s.add(OnlineTerm(user: "a", start: Self.T - 10 * Self.day, plan: "basic", price: 5, pricePeriod: .month))
        s.add(OnlineTerm(user: "a", start: Self.T - 10 * Self.day, end: Self.T - Self.day, plan: "basic", price: 5, pricePeriod: .month))
        XCTAssertEqual(s.termCount, 1)
        let names = try s.featureNames(), v = try s.features(user: "a", asOf: Self.T)!
        XCTAssertEqual(v[names.firstIndex(of: "subscribed")!], 0, "the cancelled term ended a day ago")
        XCTAssertNotNil(s.rejection(OnlineTerm(user: "a", start: 10, end: 5, plan: "p", price: 1), pendingPlans: []))
    }

    /// Terms and events through the journal: a store dropped without a snapshot (as after kill -9) recovers
    /// both from the log, then from a snapshot; features equal the live store's.
    func testTermsSurviveRestartFromLogAndSnapshot() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("subs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = FeatureSpec(asOf: 0)
        let ev = Self.events(), terms = Self.terms(autoRenew: true, discount: true)
        var live: [String: [Double]] = [:]
        let users = Set(ev.map(\.user))
        do {
            let store = try OnlineStore(spec: spec, stateDir: dir, clock: { Self.T })
            try store.ingest(Array(ev.prefix(100)))
            try store.ingest(terms: Array(terms.prefix(4)))
            try store.ingest(Array(ev.dropFirst(100)))
            try store.ingest(terms: Array(terms.dropFirst(4)))
            XCTAssertThrowsError(try store.ingest(terms: [OnlineTerm(user: "a", start: 10, end: 5, plan: "p", price: 1)])) {
                XCTAssertEqual(($0 as? IngestError)?.field, "subscriptions[0].end")
            }
            for u in users { live[u] = try store.features(user: u)?.values }
            XCTAssertNotNil(try store.features(user: "u1")?.plan)
        }
        func same(_ store: OnlineStore, _ what: String) throws {
            XCTAssertEqual(store.stats.terms, terms.count, what)
            for u in users {
                XCTAssertEqual(try store.features(user: u)?.values.map(\.bitPattern), live[u]?.map(\.bitPattern), "\(what) \(u)")
            }
        }
        let fromLog = try OnlineStore(spec: spec, stateDir: dir, clock: { Self.T })
        try same(fromLog, "replayed log")
        try fromLog.persist()
        try same(try OnlineStore(spec: spec, stateDir: dir, clock: { Self.T }), "snapshot")
    }

    /// A snapshot in the format before terms ("CLSNAP01", written by the old encoder kept below) still loads;
    /// its events are intact and terms can be added after it.
    func testOldFormatSnapshotLoads() throws {
        let spec = FeatureSpec(asOf: 0)
        var s = try OnlineStateTests.online(Self.events(), spec: spec)
        let old = OnlineSubscriptionTests.encodeV1(s, nextGeneration: 3)
        var (r, next) = try StateSnapshot.decode(old, spec: spec, source: "old")
        XCTAssertEqual(next, 3)
        XCTAssertEqual(r.eventCount, s.eventCount)
        XCTAssertEqual(r.termCount, 0)
        for u in s.users.keys.sorted() {
            XCTAssertEqual(try s.features(user: u, asOf: Self.T)?.map(\.bitPattern), try r.features(user: u, asOf: Self.T)?.map(\.bitPattern), u)
        }
        r.add(OnlineTerm(user: "u1", start: Self.T - Self.day, plan: "basic", price: 5))
        let again = try StateSnapshot.decode(StateSnapshot.encode(r, nextGeneration: 4), spec: spec, source: "new").0
        XCTAssertEqual(again.termCount, 1)
        XCTAssertEqual(Array(StateSnapshot.encode(r, nextGeneration: 4).prefix(8)), Array("CLSNAP02".utf8))
    }

    /// The snapshot encoder of format 01 (before subscription terms), as it was, to write an old-format file.
    static func encodeV1(_ s: OnlineState, nextGeneration: UInt64) -> [UInt8] {
        var w = ByteWriter()
        w.bytes = Array("CLSNAP01".utf8)
        w.u64(nextGeneration)
        w.u32(s.hasAmounts ? 1 : 0)
        w.u32(UInt32(s.typeNames.count)); for t in s.typeNames { w.str(t) }
        w.u64(UInt64(s.eventCount))
        w.u64(UInt64(s.users.count))
        for (id, u) in s.users.sorted(by: { $0.key < $1.key }) {
            w.str(id)
            w.i64(Int64(u.agedCount)); w.i64(u.agedFirst); w.i64(u.agedLast); w.i64(u.agedMaxGap)
            w.u32(UInt32(u.agedLastOfType.count))
            for (c, t) in u.agedLastOfType.sorted(by: { $0.key < $1.key }) { w.u32(UInt32(bitPattern: c)); w.i64(t) }
            w.u32(UInt32(u.times.count))
            for k in 0..<u.times.count { w.i64(u.times[k]); w.u32(UInt32(bitPattern: u.types[k])); w.f64(u.amounts[k]) }
        }
        w.bytes += SHA256.hash(w.bytes)
        return w.bytes
    }
}
