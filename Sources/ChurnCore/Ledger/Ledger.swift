import CSQLite
import Foundation

/// A run as recorded in the ledger.
public struct LedgerRun: Sendable, Equatable {
    public var runID: String
    public var asOf: String
    public var period: String
    public var inputsSHA256: String
    public var rulesSHA256: String
    public var status: String
    public var startedAt: String
    public var finishedAt: String?
    public var decisions: Int
    public var duplicates: Int
    public var rulesFile: String
    public var inputs: String
}

/// A decision row as stored (and as the outbox shows it).
public struct LedgerDecision: Sendable, Equatable {
    public var runID: String
    public var asOf: String
    public var userID: String
    public var rule: String
    public var tier: String
    public var channel: String
    public var offer: String
    public var cost: Double
    public var group: String
    public var score: Double?
    public var message: String
    public var reason: String
    /// The action taken ("none" for a holdout control or a policy's choice not to contact).
    public var action: String = ""
    /// The probability the (group, action) was chosen with; nil for rows written before schema 2.
    public var propensity: Double? = nil
    /// The context the decision saw: a JSON object of column values.
    public var context: String = "{}"
    /// Days after the as-of at which the outcome is read (nil: not set).
    public var horizonDays: Int? = nil
    /// The distribution the decision was drawn from: a JSON object action → probability
    /// (nil for rows written before schema 3). See `LedgerSchema`.
    public var probabilities: String? = nil
    public var period: String = ""
    /// Days since epoch of `asOf`.
    public var asOfDay: Int32 = 0
}

/// What `commit` did.
public struct LedgerCommit: Sendable, Equatable {
    public var runID: String
    /// Decisions written by this call.
    public var inserted: Int
    /// Decisions skipped because (rule, user, period) was already in the ledger.
    public var duplicates: Int
    /// True when the run was already committed: nothing was written.
    public var alreadyCommitted: Bool
}

/// The exactly-once decision ledger (SQLite, WAL).
///
/// A run is identified by SHA-256(period, inputs hash, rules hash), so re-running the same
/// period with the same inputs finds the committed run and writes nothing. `commit` first
/// records the run as `running` (its own small transaction: visible evidence of an attempt),
/// then writes every decision and flips the run to `committed` in ONE transaction: a kill -9
/// at any instant leaves all decisions or none, and the next run with the same id completes it.
/// Decisions use INSERT OR IGNORE on UNIQUE(rule, user_id, period): a different run for the
/// same period never duplicates a (rule, user) pair.
///
/// Runs are serialized: the contact history behind a run's cooldowns and caps is read inside
/// the same write transaction that commits its decisions (see `commit(period:asOf:…)`), so two
/// runs started together — for the same date or different ones — cannot both contact a user.
public final class Ledger {
    public let path: String
    let db: SQLiteConnection

    /// Opens (creating when missing) the ledger at `path`. `confined` (a sandboxed script's
    /// ledger, from `LuaCall.databaseFile`): SQLite opens the path with `SQLITE_OPEN_NOFOLLOW`
    /// (no component, nor a `-wal`/`-shm` side file, may be a link), and once the schema is in
    /// place the connection gets the sandbox's write authorizer (`SQLiteConfinement`), so it
    /// can reach no other file. The setup itself (WAL, schema, migration) runs before the
    /// authorizer, which denies pragmas.
    public init(path: String, confined: Bool = false) throws {
        try Ledger.checkPath(path)
        self.path = path
        db = try SQLiteConnection(path: path, readOnly: false, confined: confined)
        let db = self.db
        if confined { sqlite3_set_authorizer(db.handle, nil, nil) }
        defer { if confined { SQLiteConfinement.apply(db.handle, readOnly: false) } }
        // Two processes opening a new ledger at once: switching to WAL can fail
        // with "database is locked" without SQLite calling the busy handler.
        try Ledger.retryingWhileLocked { try db.exec("PRAGMA journal_mode=WAL") }
        try db.exec("PRAGMA synchronous=FULL")
        try db.exec("PRAGMA foreign_keys=ON")
        try Ledger.retryingWhileLocked {
            try db.exec("BEGIN IMMEDIATE")
            do { try db.exec(LedgerSchema.sql); try migrate(); try db.exec("COMMIT") } catch { try? db.exec("ROLLBACK"); throw error }
        }
    }

    /// The schema version of the open file (`PRAGMA user_version`).
    public func schemaVersion() throws -> Int64 {
        try query("PRAGMA user_version", []) { sqlite3_column_int64($0, 0) }.first ?? 0
    }

    /// Brings the file to `LedgerSchema.version` inside the opening transaction: a new file
    /// gets the current decisions table; a schema-1 file (user_version 0 with a decisions
    /// table) is rebuilt by `LedgerSchema.migrate1to2` (which creates the current table); a
    /// schema-2 file gains the `probabilities` column; a newer file is refused.
    private func migrate() throws {
        let v = try schemaVersion()
        if v == LedgerSchema.version { return }
        guard v < LedgerSchema.version else {
            throw RulesError("ledger \(path) has schema \(v), newer than this churnlab's \(LedgerSchema.version): upgrade churnlab")
        }
        let exists = try query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'decisions'", []) { sqlite3_column_int64($0, 0) }.first ?? 0
        if exists == 0 {
            try db.exec(LedgerSchema.decisionsTable("decisions"))
        } else if v < 2 {
            try db.exec(LedgerSchema.migrate1to2)
        } else {
            try db.exec(LedgerSchema.migrate2to3)
        }
        try db.exec(LedgerSchema.indexes)
        try db.exec("PRAGMA user_version = \(LedgerSchema.version)")
    }

    /// Rejects ledger paths SQLite would silently turn into a throw-away database:
    /// "" opens a private temporary file and ":memory:" a memory database, both gone
    /// at exit, so every decision and cooldown would be forgotten.
    public static func checkPath(_ path: String) throws {
        if path.isEmpty { throw RulesError("the ledger path is empty (give a file, e.g. --ledger churnlab.db)") }
        if path == ":memory:" { throw RulesError("the ledger cannot be ':memory:': decisions would be lost at exit (give a file)") }
    }

    /// Runs `body` again while SQLite reports the database locked or busy, for up to `seconds`.
    static func retryingWhileLocked(seconds: Double = 5, _ body: () throws -> Void) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            do { return try body() } catch {
                let text = "\(error)".lowercased()
                guard text.contains("locked") || text.contains("busy"), Date() < deadline else { throw error }
                usleep(20_000)
            }
        }
    }

    /// The deterministic run id of (period, inputs, rules): 16 hex digits.
    public static func runID(period: String, inputsSHA256: String, rulesSHA256: String) -> String {
        String(Hex.encode(SHA256.hash(period + "\n" + inputsSHA256 + "\n" + rulesSHA256)).prefix(16))
    }

    /// A caller-chosen run id (`cl.rules.run{run_id =}`): 1…64 printable ASCII characters, no spaces,
    /// so it reads and round-trips in `churnlab rules history` and `rules effect RUN` like a derived id.
    public static func checkRunID(_ id: String) throws {
        guard (1...64).contains(id.utf8.count), id.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw RulesError("run id '\(id)': expected 1…64 printable ASCII characters without spaces")
        }
    }

    public static func timestamp(_ d: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }

    // MARK: runs

    public func run(_ id: String) throws -> LedgerRun? {
        try query("SELECT run_id, as_of, period, inputs_sha256, rules_sha256, status, started_at, finished_at, n_decisions, n_duplicates, rules_file, inputs FROM runs WHERE run_id = ?", [.text(id)], Ledger.runRow).first
    }

    /// All runs, newest first.
    public func runs(limit: Int = 1000) throws -> [LedgerRun] {
        try query("SELECT run_id, as_of, period, inputs_sha256, rules_sha256, status, started_at, finished_at, n_decisions, n_duplicates, rules_file, inputs FROM runs ORDER BY started_at DESC, run_id LIMIT ?", [.int(Int64(limit))], Ledger.runRow)
    }

    static func runRow(_ s: OpaquePointer) -> LedgerRun {
        LedgerRun(runID: text(s, 0), asOf: text(s, 1), period: text(s, 2), inputsSHA256: text(s, 3), rulesSHA256: text(s, 4),
                  status: text(s, 5), startedAt: text(s, 6), finishedAt: optText(s, 7), decisions: Int(sqlite3_column_int64(s, 8)),
                  duplicates: Int(sqlite3_column_int64(s, 9)), rulesFile: text(s, 10), inputs: text(s, 11))
    }

    // MARK: history

    /// Treated contacts whose as-of lies within `lookbackDays` of `asOf` on either side,
    /// (asOf − lookbackDays, asOf + lookbackDays): a run for an earlier date that starts after
    /// a run for a later date must still see that later contact (a backfill must not contact a
    /// user twice within a cooldown either).
    public func history(asOf: Int32, lookbackDays: Int) throws -> ContactHistory {
        var h = ContactHistory()
        let rows = try query("SELECT user_id, rule, channel, as_of_day FROM decisions WHERE grp = 'treatment' AND as_of_day > ? AND as_of_day < ?",
                             [.int(Int64(asOf) - Int64(lookbackDays)), .int(Int64(asOf) + Int64(max(lookbackDays, 1)))]) { s in
            ContactHistory.Contact(user: Ledger.text(s, 0), rule: Ledger.text(s, 1), channel: Ledger.text(s, 2), day: Int32(sqlite3_column_int64(s, 3)))
        }
        for c in rows { h.add(c) }
        return h
    }

    // MARK: commit

    /// Writes precomputed decisions exactly once (see the type's comment). The decisions
    /// were computed without the ledger's lock: callers that apply cooldowns or caps use
    /// `commit(period:asOf:…evaluate:)`, which reads the history under the lock.
    /// `afterInserts` is a test hook run inside the big transaction after the inserts (throwing aborts the run).
    public func commit(_ d: RuleDecisions, inputsSHA256: String, rulesSHA256: String, rulesFile: String = "", inputs: String = "",
                       afterInserts: (() throws -> Void)? = nil) throws -> LedgerCommit {
        try commit(period: d.period, asOf: d.asOf, lookbackDays: 0, inputsSHA256: inputsSHA256, rulesSHA256: rulesSHA256,
                   rulesFile: rulesFile, inputs: inputs, afterInserts: afterInserts) { _ in d }
    }

    /// One serialized run: takes the ledger's write lock (waiting up to `wait` seconds for
    /// another run to finish), reads the contact history within `lookbackDays` of `asOf`,
    /// computes the decisions with `evaluate(history)` and writes them, all in ONE
    /// `BEGIN IMMEDIATE` transaction. Two runs on one ledger therefore never both decide
    /// from a history that lacks the other's contacts: the second waits, then sees the
    /// first's decisions and its cooldowns and caps exclude those users.
    ///
    /// Before the lock, the run is recorded as `running` in its own small transaction
    /// (visible evidence of an attempt); a failure or kill leaves it `running` with no
    /// decisions, and the next run with the same id completes it.
    /// `evaluate` is not called when the run is already committed.
    /// `runID` replaces the derived id (period, inputs, rules) with the caller's (`cl.rules.run`).
    public func commit(period: String, asOf: Int32, lookbackDays: Int, inputsSHA256: String, rulesSHA256: String,
                       rulesFile: String = "", inputs: String = "", wait: Double = Ledger.defaultWait,
                       runID: String? = nil, afterInserts: (() throws -> Void)? = nil,
                       evaluate: (ContactHistory) throws -> RuleDecisions) throws -> LedgerCommit {
        let asOfText = DateText.format(days: asOf)
        if let runID { try Ledger.checkRunID(runID) }
        let id = runID ?? Ledger.runID(period: period, inputsSHA256: inputsSHA256, rulesSHA256: rulesSHA256)
        let already = LedgerCommit(runID: id, inserted: 0, duplicates: 0, alreadyCommitted: true)
        if let r = try run(id), r.status == "committed" { return already }
        try transaction(wait: wait) {
            try execute("INSERT OR IGNORE INTO runs(run_id, as_of, period, inputs_sha256, rules_sha256, status, started_at, rules_file, inputs) VALUES (?,?,?,?,?,'running',?,?,?)",
                        [.text(id), .text(asOfText), .text(period), .text(inputsSHA256), .text(rulesSHA256), .text(Ledger.timestamp()),
                         .text(rulesFile), .text(inputs)])
        }
        var result = already
        try transaction(wait: wait) {
            // Someone may have committed it between our check and now (two runners).
            if let r = try run(id), r.status == "committed" { return }
            let d = try evaluate(try history(asOf: asOf, lookbackDays: lookbackDays))
            guard d.period == period, d.asOf == asOf else {
                throw RulesError("internal: decisions for \(d.period) (\(DateText.format(days: d.asOf))) committed as \(period) (\(asOfText))")
            }
            let inserted = try insert(d, runID: id, asOfText: asOfText)
            try afterInserts?()
            try execute("UPDATE runs SET status = 'committed', finished_at = ?, n_decisions = ?, n_duplicates = ? WHERE run_id = ?",
                        [.text(Ledger.timestamp()), .int(Int64(inserted)), .int(Int64(d.count - inserted)), .text(id)])
            result = LedgerCommit(runID: id, inserted: inserted, duplicates: d.count - inserted, alreadyCommitted: false)
        }
        return result
    }

    /// Inserts the decisions (INSERT OR IGNORE on UNIQUE(rule, user_id, period)); returns how many were new.
    private func insert(_ d: RuleDecisions, runID id: String, asOfText: String) throws -> Int {
        var inserted = 0
        let stmt = try db.prepare("INSERT OR IGNORE INTO decisions(run_id, as_of, as_of_day, period, user_id, rule, tier, channel, offer, cost, grp, score, message, reason, seq, action, propensity, context, horizon_days, probabilities) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        defer { sqlite3_finalize(stmt) }
        for k in 0..<d.count {
            if k & 0xFFFF == 0xFFFF { try ExecutionContext.check() }
            let r = d.rule(k), a = d.action(k)
            let values: [SQLiteValue] = [.text(id), .text(asOfText), .int(Int64(d.asOf)), .text(d.period), .text(d.user(k)), .text(r.name),
                                         .text(d.tier(k)), .text(a.channel), .text(a.offer), .double(d.cost(k)),
                                         .text(d.group(k)), d.score(k).map { .double($0) } ?? .null, .text(d.message(k)),
                                         .text(d.reason(k)), .int(Int64(k)), .text(d.actionName(k)), .double(d.propensity(k)),
                                         .text(d.context(k)), d.horizonDays(k).map { .int(Int64($0)) } ?? .null,
                                         .text(d.probabilities(k))]
            for (i, v) in values.enumerated() { try db.bind(stmt, Int32(i + 1), v) }
            guard sqlite3_step(stmt) == SQLITE_DONE else { throw db.error("cannot insert decision \(k + 1)") }
            inserted += Int(sqlite3_changes(db.handle))
            sqlite3_reset(stmt)
        }
        return inserted
    }

    /// The committed decisions of a run, in decision order.
    public func decisions(run id: String) throws -> [LedgerDecision] {
        try query(Ledger.decisionSelect + " WHERE d.run_id = ? ORDER BY d.seq", [.text(id)], Ledger.decisionRow)
    }

    /// Every committed decision (the decision log), by as-of, run and decision order;
    /// optionally only one run's.
    public func decisionLog(run id: String? = nil) throws -> [LedgerDecision] {
        if let id { return try decisions(run: id) }
        return try query(Ledger.decisionSelect + " JOIN runs r ON r.run_id = d.run_id WHERE r.status = 'committed' ORDER BY d.as_of_day, d.run_id, d.seq", [],
                         Ledger.decisionRow)
    }

    static let decisionSelect = "SELECT d.run_id, d.as_of, d.user_id, d.rule, d.tier, d.channel, d.offer, d.cost, d.grp, d.score, d.message, d.reason, d.action, d.propensity, d.context, d.horizon_days, d.period, d.as_of_day, d.probabilities FROM decisions d"

    static func decisionRow(_ s: OpaquePointer) -> LedgerDecision {
        func optDouble(_ i: Int32) -> Double? { sqlite3_column_type(s, i) == SQLITE_NULL ? nil : sqlite3_column_double(s, i) }
        return LedgerDecision(runID: text(s, 0), asOf: text(s, 1), userID: text(s, 2), rule: text(s, 3),
                              tier: text(s, 4), channel: text(s, 5), offer: text(s, 6), cost: sqlite3_column_double(s, 7),
                              group: text(s, 8), score: optDouble(9), message: text(s, 10), reason: text(s, 11),
                              action: text(s, 12), propensity: optDouble(13), context: text(s, 14),
                              horizonDays: sqlite3_column_type(s, 15) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(s, 15)),
                              probabilities: optText(s, 18),
                              period: text(s, 16), asOfDay: Int32(truncatingIfNeeded: sqlite3_column_int64(s, 17)))
    }

    /// Per run, how many decisions carry a propensity (schema-2 rows).
    public func loggedCounts() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for (id, n) in try query("SELECT run_id, COUNT(propensity) FROM decisions GROUP BY run_id", [], { (Ledger.text($0, 0), Int(sqlite3_column_int64($0, 1))) }) {
            out[id] = n
        }
        return out
    }

    /// Number of decisions for a period, and of distinct (rule, user) pairs (equal when nothing is duplicated).
    public func periodCounts(_ period: String) throws -> (rows: Int, distinct: Int) {
        let r = try query("SELECT COUNT(*), COUNT(DISTINCT rule || char(31) || user_id) FROM decisions WHERE period = ?", [.text(period)]) { s in
            (Int(sqlite3_column_int64(s, 0)), Int(sqlite3_column_int64(s, 1)))
        }
        return r.first ?? (0, 0)
    }

    // MARK: SQL helpers

    /// How long a ledger write waits for another process's transaction by default: a rules
    /// run holds the lock while it evaluates its rules (bounded by its time limit, 600 s by
    /// default), and a scheduler's claim or a second run must wait for it, not fail.
    public static let defaultWait: Double = 600

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: the write lock is taken before
    /// anything is read, so what `body` reads cannot change before it commits. Another
    /// writer holding the lock is waited for up to `wait` seconds (then a clear error).
    func transaction(wait: Double = Ledger.defaultWait, _ body: () throws -> Void) throws {
        let t0 = Date()
        do {
            try Ledger.retryingWhileLocked(seconds: wait) { try db.exec("BEGIN IMMEDIATE") }
        } catch {
            let text = "\(error)".lowercased()
            guard text.contains("locked") || text.contains("busy") else { throw error }
            throw RulesError("ledger \(path) is busy: another run held it for \(Int(Date().timeIntervalSince(t0).rounded())) s; try again later")
        }
        do { try body(); try db.exec("COMMIT") } catch { try? db.exec("ROLLBACK"); throw error }
    }

    func execute(_ sql: String, _ params: [SQLiteValue]) throws {
        let s = try db.prepare(sql)
        defer { sqlite3_finalize(s) }
        for (i, p) in params.enumerated() { try db.bind(s, Int32(i + 1), p) }
        guard sqlite3_step(s) == SQLITE_DONE else { throw db.error("statement failed") }
    }

    /// Rows changed by the last statement.
    var changes: Int { Int(sqlite3_changes(db.handle)) }

    func query<T>(_ sql: String, _ params: [SQLiteValue], _ row: (OpaquePointer) -> T) throws -> [T] {
        let s = try db.prepare(sql)
        defer { sqlite3_finalize(s) }
        for (i, p) in params.enumerated() { try db.bind(s, Int32(i + 1), p) }
        var out: [T] = []
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw db.error("query failed") }
            out.append(row(s))
        }
        return out
    }

    static func text(_ s: OpaquePointer, _ i: Int32) -> String {
        sqlite3_column_text(s, i).map { String(cString: $0) } ?? ""
    }
    static func optText(_ s: OpaquePointer, _ i: Int32) -> String? {
        sqlite3_column_type(s, i) == SQLITE_NULL ? nil : text(s, i)
    }
}

extension Ledger {
    /// Consistency problems (empty = consistent): a committed run whose stored decision
    /// count differs from its rows, an uncommitted run that has rows, duplicate keys.
    public func verify() throws -> [String] {
        var problems: [String] = []
        let counts = try query("SELECT r.run_id, r.status, r.n_decisions, (SELECT COUNT(*) FROM decisions d WHERE d.run_id = r.run_id) FROM runs r", []) { s in
            (Ledger.text(s, 0), Ledger.text(s, 1), Int(sqlite3_column_int64(s, 2)), Int(sqlite3_column_int64(s, 3)))
        }
        for (id, status, n, rows) in counts {
            if status == "committed" && n != rows { problems.append("run \(id): committed with \(n) decisions but \(rows) rows") }
            if status != "committed" && rows > 0 { problems.append("run \(id): \(status) but has \(rows) decision rows") }
        }
        let dups = try query("SELECT rule, user_id, period, COUNT(*) FROM decisions GROUP BY rule, user_id, period HAVING COUNT(*) > 1", []) { s in
            "duplicate decision: rule \(Ledger.text(s, 0)), user \(Ledger.text(s, 1)), period \(Ledger.text(s, 2)) ×\(sqlite3_column_int64(s, 3))"
        }
        return problems + dups
    }
}
