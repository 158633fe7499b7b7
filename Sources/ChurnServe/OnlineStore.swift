import ChurnCore
import Foundation

/// A rejected event batch: `field` names the event and member (`events[3].time`).
public struct IngestError: Error, CustomStringConvertible, Sendable {
    public let field: String
    public let message: String
    public var description: String { "\(field): \(message)" }
}

/// The online state behind a lock, with its journal: `ingest` validates a
/// whole batch, makes it durable, then applies it (all or nothing), so what
/// the server acknowledged is exactly what a restart recovers.
public final class OnlineStore: @unchecked Sendable {
    /// Guards `state` and `pendingFloor`.
    private let lock = NSLock()
    /// Serialises writers of the journal (ingest, seed, persist); taken before `lock`.
    private let journalLock = NSLock()
    private var state: OnlineState
    /// Earliest event time of the batches being written (nil: none in flight).
    private var pendingFloor: Int64?
    private let journal: EventJournal?
    /// µs since the epoch; injectable for tests.
    private let clock: @Sendable () -> Int64
    /// Logs larger than this are folded into a snapshot.
    public var snapshotLogBytes = 64 << 20

    public static let systemClock: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1e6).rounded()) }

    /// `stateDir` nil: in memory only (nothing survives a restart). `note` receives recovery messages.
    public init(spec: FeatureSpec, stateDir: String?, clock: @escaping @Sendable () -> Int64 = OnlineStore.systemClock,
                note: (String) -> Void = { _ in }) throws {
        self.clock = clock
        if let stateDir {
            let (j, s, replayed) = try EventJournal.open(dir: stateDir, spec: spec, note: note)
            journal = j; state = s
            if replayed > 0 { note("state: replayed \(replayed) logged events") }
        } else {
            journal = nil; state = try OnlineState(spec: spec)
        }
        state.age(now: clock())
    }

    /// Validates and appends a batch; returns when it is durable (fsynced) and applied.
    public func ingest(_ events: [OnlineEvent]) throws {
        if let e = ingest(batches: [events])[0] { throw e }
    }

    /// Group commit: validates each batch on its own (a bad batch fails alone), writes every
    /// valid one with a single fsync, then applies them. One error (or nil) per batch.
    ///
    /// The state lock is not held during the write and fsync, so reads (`features`,
    /// `stats`) go on meanwhile; `journalLock` (always taken before `lock`) keeps
    /// snapshots and other writers out until the batches are applied, so a snapshot
    /// never drops a logged batch it does not hold. While batches are in flight,
    /// readers age a user's events only up to the earliest pending time
    /// (`pendingFloor`), so what was validated stays valid until it is applied.
    public func ingest(batches: [[OnlineEvent]]) -> [Error?] {
        journalLock.withLock {
            var results = [Error?](repeating: nil, count: batches.count)
            let good: [Int] = lock.withLock {
                var pending = Set<String>()
                var good: [Int] = []
                var floor = Int64.max
                for (b, events) in batches.enumerated() {
                    var mine = pending      // new types of the accepted batches before this one, then this one's
                    for (i, e) in events.enumerated() {
                        if let why = state.rejection(e, pendingTypes: mine) {
                            results[b] = IngestError(field: "events[\(i)].\(why.member)", message: why.message); break
                        }
                        if state.typeCode[e.type] == nil { mine.insert(e.type) }
                    }
                    if results[b] == nil {
                        good.append(b); pending = mine
                        for e in events { floor = min(floor, e.time) }
                    }
                }
                pendingFloor = good.isEmpty ? nil : floor
                return good
            }
            guard !good.isEmpty else { return results }
            do { try journal?.append(good.map { batches[$0] }) } catch {
                lock.withLock { pendingFloor = nil }
                for b in good { results[b] = error }
                return results
            }
            lock.withLock {
                for b in good { for e in batches[b] { state.add(e) } }
                pendingFloor = nil
                if let j = journal, j.logBytes > snapshotLogBytes {
                    state.age(now: clock())
                    do { try j.snapshot(state) } catch { FileHandle.standardError.write(Data("churnlab serve: snapshot failed: \(error)\n".utf8)) }
                }
            }
            return results
        }
    }

    /// Loads events in bulk (the `--events-from` file) when the state is empty, then snapshots them.
    /// Returns false (and loads nothing) when the state already holds events.
    public func seed(_ events: [OnlineEvent]) throws -> Bool {
        try journalLock.withLock { try lock.withLock {
            guard state.eventCount == 0 else { return false }
            var pending = Set<String>()
            for (i, e) in events.enumerated() {
                if let why = state.rejection(e, pendingTypes: pending) { throw IngestError(field: "event \(i + 1) \(why.member)", message: why.message) }
                if state.typeCode[e.type] == nil { pending.insert(e.type) }
                state.add(e)
            }
            state.age(now: clock())
            try journal?.snapshot(state)
            return true
        } }
    }

    /// Feature names and the user's values as of now (NaN = null; the `plan` column's values are codes
    /// into `plan.names`); nil when the user has no event before now.
    public func features(user: String, asOf: Int64? = nil) throws -> (names: [String], values: [Double], asOf: Int64, plan: PlanColumn?)? {
        try lock.withLock {
            let now = asOf ?? clock()
            state.age(user: user, now: now, floor: pendingFloor)
            guard let v = try state.features(user: user, asOf: now) else { return nil }
            return (try state.featureNames(), v, now, try planColumn())
        }
    }

    /// The plan column of the current layout with the plan table (call with `lock` held).
    private func planColumn() throws -> PlanColumn? {
        try state.planColumn().map { PlanColumn(index: $0, names: state.planNames) }
    }

    /// Validates a batch of subscription terms, makes it durable, then applies it (all or nothing).
    /// Blocks on the write and fsync: call from `IngestQueue`'s thread.
    public func ingest(terms: [OnlineTerm]) throws {
        try journalLock.withLock {
            try lock.withLock { try validate(terms) { "subscriptions[\($0)]." } }
            try journal?.append(terms: terms)
            lock.withLock {
                for t in terms { state.add(t) }
                if let j = journal, j.logBytes > snapshotLogBytes {
                    state.age(now: clock())
                    do { try j.snapshot(state) } catch { FileHandle.standardError.write(Data("churnlab serve: snapshot failed: \(error)\n".utf8)) }
                }
            }
        }
    }

    /// Checks every term against the state (call with `lock` held); the error's field is `field(index)` + the member.
    private func validate(_ terms: [OnlineTerm], field: (Int) -> String) throws {
        var pending = Set<String>()
        for (i, t) in terms.enumerated() {
            if let why = state.rejection(t, pendingPlans: pending) { throw IngestError(field: field(i) + why.member, message: why.message) }
            if state.planCode[t.plan] == nil { pending.insert(t.plan) }
        }
    }

    /// Loads subscription terms in bulk (the `--subscriptions-from` file) when the state holds none, then snapshots.
    /// Returns false (and loads nothing) when the state already holds terms.
    public func seed(terms: [OnlineTerm]) throws -> Bool {
        try journalLock.withLock { try lock.withLock {
            guard state.termCount == 0 else { return false }
            try validate(terms) { "term \($0 + 1) " }
            for t in terms { state.add(t) }
            state.age(now: clock())
            try journal?.snapshot(state)
            return true
        } }
    }

    /// Features of every user with an event before now (at most `limit`, the first by id), column-major:
    /// what the dashboard scores. `total`: users in the state.
    public func allFeatures(limit: Int) throws -> (names: [String], users: [String], columns: [[Double]], total: Int, asOf: Int64, plan: PlanColumn?) {
        try lock.withLock {
            let now = clock()
            let names = try state.featureNames()
            let total = state.userCount
            let ids = total <= limit ? state.users.keys.sorted() : Array(state.users.keys.sorted().prefix(limit))
            var users: [String] = []
            var columns = [[Double]](repeating: [], count: names.count)
            for c in columns.indices { columns[c].reserveCapacity(ids.count) }
            for id in ids {
                guard let v = try state.features(user: id, asOf: now) else { continue }
                users.append(id)
                for c in 0..<names.count { columns[c].append(v[c]) }
            }
            return (names, users, columns, total, now, try planColumn())
        }
    }

    /// Current retention by signup cohort, as of now (see `CohortActivity`).
    public func cohortActivity(windows: [Int] = CohortActivity.defaultWindows) -> CohortActivity {
        lock.withLock {
            let now = clock()
            return CohortActivity(spans: state.activitySpans(asOf: now), asOf: now, windows: windows)
        }
    }

    public var stats: (users: Int, events: Int, bytes: Int, terms: Int) {
        lock.withLock { (state.userCount, state.eventCount, state.storageBytes, state.termCount) }
    }

    /// Ages every user and writes a snapshot (graceful shutdown).
    public func persist() throws {
        try journalLock.withLock { try lock.withLock {
            state.age(now: clock())
            try journal?.snapshot(state)
        } }
    }
}

/// The `plan` feature column of the online state: its values are codes into `names` (NaN: null).
public struct PlanColumn: Sendable {
    public let index: Int
    public let names: [String]

    /// The plan name of a cell, nil for null.
    public func name(_ v: Double) -> String? { v.isNaN ? nil : names[Int(v)] }

    /// Feature columns (`columns[c]` for `names[c]`) as a frame for scoring: numbers as float
    /// columns (NaN null), the plan column as strings, as `buildFeatures` gives it.
    public static func frame(names: [String], columns: [[Double]], plan: PlanColumn?) throws -> Frame {
        try Frame(zip(names, columns).enumerated().map { c, nc in
            if let plan, c == plan.index { return Column.string(nc.0, nc.1.map { plan.name($0) }) }
            return Column.float(nc.0, nc.1, nulls: nc.1.contains { $0.isNaN } ? nc.1.map(\.isNaN) : nil)
        })
    }
}
