import Foundation

/// What a PostgreSQL source reads from its tables before it can compile a spec —
/// the column types (a `LIMIT 0` probe of the events and subscriptions tables) and
/// the distinct event types (a scan of the event column: 0.39 s of a 2M-event build,
/// about a fifth of it) — kept per source and reused while the tables' stamp is unchanged.
///
/// The stamp is one catalog query (well under a millisecond) per call. For each table:
/// its OID and relfilenode (new after DROP and re-CREATE, TRUNCATE, VACUUM FULL,
/// CLUSTER or a rewriting ALTER), its columns' names, type OIDs and modifiers
/// (ADD / DROP / ALTER COLUMN), and the cumulative statistics counters n_tup_ins,
/// n_tup_upd, n_tup_del and n_live_tup (any row inserted, updated or deleted, also by
/// a transaction that then aborted — a needless re-probe, never a stale one).
///
/// Limits, all erring towards probing again: the counters are published by the writing
/// session when it goes idle after a commit, and PostgreSQL 15 publishes at most once a
/// second per session, so the writes of a session committing several transactions a
/// second can show up later (by its next flush, within 10 s); a table the counters do
/// not cover — a view, a partitioned table (rows live in its partitions), a foreign
/// table, or any table with `track_counts` off — has no stamp, and its source probes on
/// every call as before. `src:refresh()` (`invalidate`) drops what is kept.
///
/// The stamp is read before the probe, so a write racing the probe can only make the
/// kept entry newer than its stamp: the next call sees a new stamp and probes again.
public final class PostgresSourceCache: @unchecked Sendable {
    /// The resolved tables under one stamp; `types` once a spec needed them.
    private struct Entry {
        var stamp: String
        var events: WarehouseEvents
        var subscriptions: WarehouseSubscriptions?
        var types: Frame?
    }

    /// What the source did so far (for `src:timings()` and the tests that prove reuse).
    public struct Counters: Sendable, Equatable {
        /// Column-type probes (one per resolve without a kept entry).
        public var probes = 0
        /// Scans of the distinct event types.
        public var typeScans = 0
        /// Calls that reused a kept entry (no probe).
        public var reused = 0
        /// Seconds the last call spent on the stamp, and on probing and scanning (0 when reused).
        public var stampSeconds = 0.0
        public var probeSeconds = 0.0
    }

    private let lock = NSLock()
    private var entry: Entry?
    private var counters = Counters()

    public init() {}

    public var stats: Counters { lock.lock(); defer { lock.unlock() }; return counters }

    /// Drops what is kept: the next call probes the tables and scans the event types again.
    public func invalidate() { lock.lock(); entry = nil; lock.unlock() }

    /// The stamp of `tables` (quoted, possibly qualified names), or nil when one of them has
    /// none (missing, not a plain table or materialized view, or counters off).
    static func stamp(_ c: PostgresConnection, _ tables: [String]) throws -> String? {
        var parts: [String] = []
        for name in tables {
            let f = try c.query(PostgresSourceCache.stampQuery, params: [name])
            guard f.nrow == 1, let s = f.columns.first?.string(at: 0) else { return nil }
            parts.append(s)
        }
        return parts.joined(separator: "|")
    }

    /// One text value per table, or null when the table has no usable stamp.
    static let stampQuery = """
        SELECT CASE WHEN c.relkind IN ('r', 'm') AND s.relid IS NOT NULL AND current_setting('track_counts')::bool THEN
                 concat_ws(' ', c.oid, c.relfilenode, s.n_tup_ins, s.n_tup_upd, s.n_tup_del, s.n_live_tup,
                           (SELECT string_agg(a.attname || ':' || a.atttypid || ':' || a.atttypmod, ',' ORDER BY a.attnum)
                            FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)) END AS stamp
        FROM pg_class c LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
        WHERE c.oid = to_regclass($1)
        """

    /// The resolved tables and (when `needTypes`) the event types: kept ones when the stamp
    /// is unchanged, else `probe()` and `scan()` run and their results are kept under it.
    func resolve(_ c: PostgresConnection, tables: [String],
                 probe: () throws -> (WarehouseEvents, WarehouseSubscriptions?),
                 scan: @escaping (WarehouseEvents) throws -> Frame) throws
        -> (events: WarehouseEvents, subscriptions: WarehouseSubscriptions?, types: () throws -> Frame) {
        let t0 = Date()
        let stamp = try PostgresSourceCache.stamp(c, tables)
        let t1 = Date()
        lock.lock()
        var kept = stamp != nil && entry?.stamp == stamp ? entry : nil
        counters.stampSeconds = t1.timeIntervalSince(t0)
        counters.probeSeconds = 0
        if kept != nil { counters.reused += 1 }
        lock.unlock()
        if kept == nil {
            let (ev, subs) = try probe()
            kept = Entry(stamp: stamp ?? "", events: ev, subscriptions: subs, types: nil)
            lock.lock()
            counters.probes += 1
            counters.probeSeconds += Date().timeIntervalSince(t1)
            entry = stamp == nil ? nil : kept
            lock.unlock()
        }
        let e = kept!
        let types = { [self] () throws -> Frame in
            if let f = e.types { return f }
            let t2 = Date()
            let f = try scan(e.events)
            lock.lock()
            counters.typeScans += 1
            counters.probeSeconds += Date().timeIntervalSince(t2)
            if stamp != nil, entry?.stamp == stamp { entry?.types = f }
            lock.unlock()
            return f
        }
        return (e.events, e.subscriptions, types)
    }
}
