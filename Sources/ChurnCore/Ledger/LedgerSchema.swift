/// The ledger's tables. One SQLite file (WAL) holds rule runs, their decisions and
/// the scheduler's occurrence claims, so every exactly-once guarantee comes from
/// SQLite transactions and UNIQUE constraints rather than from files or locks.
///
/// Schema 2 makes every decision a log row usable for off-policy evaluation: the
/// `action` taken ("none" for a holdout control or a policy that chose not to contact),
/// the `propensity` it was chosen with (holdout randomisation × a policy's exploration),
/// the `context` the decision saw (a JSON object of named columns) and the outcome
/// `horizon_days`. Group 'none' is a policy's logged choice not to contact: not a contact,
/// not a holdout control. The version lives in `PRAGMA user_version` (schema 1 left it 0).
///
/// Schema 3 adds `probabilities`: the whole distribution the decision was drawn from, a JSON
/// object action → P(action) over every action the rule could have logged for that user
/// (holdout control = "none" included, zero-probability actions kept). The chosen action's
/// propensity alone cannot tell whether a candidate policy stays within the logged support,
/// nor give the direct-method and switch estimators their Σₐ π(a|x) q̂(x, a) over all actions.
enum LedgerSchema {
    static let version: Int64 = 3

    /// The decisions table of schema 3 (also the 1 → 2 rebuild's target, then given the schema-3 column).
    static func decisionsTable(_ name: String) -> String {
        """
        CREATE TABLE \(name) (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            as_of TEXT NOT NULL,
            as_of_day INTEGER NOT NULL,
            period TEXT NOT NULL,
            user_id TEXT NOT NULL,
            rule TEXT NOT NULL,
            tier TEXT NOT NULL,
            channel TEXT NOT NULL,
            offer TEXT NOT NULL,
            cost REAL NOT NULL,
            grp TEXT NOT NULL CHECK (grp IN ('treatment', 'control', 'none')),
            score REAL,
            message TEXT NOT NULL,
            reason TEXT NOT NULL,
            seq INTEGER NOT NULL,
            action TEXT NOT NULL DEFAULT '',
            propensity REAL,
            context TEXT NOT NULL DEFAULT '{}',
            horizon_days INTEGER,
            probabilities TEXT,
            UNIQUE (rule, user_id, period)
        );
        """
    }

    static let indexes = """
        CREATE INDEX IF NOT EXISTS decisions_run ON decisions(run_id, seq);
        CREATE INDEX IF NOT EXISTS decisions_user ON decisions(user_id, as_of_day);
        """

    static let sql = """
        CREATE TABLE IF NOT EXISTS runs (
            run_id TEXT PRIMARY KEY,
            as_of TEXT NOT NULL,
            period TEXT NOT NULL,
            inputs_sha256 TEXT NOT NULL,
            rules_sha256 TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'committed')),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            n_decisions INTEGER NOT NULL DEFAULT 0,
            n_duplicates INTEGER NOT NULL DEFAULT 0,
            rules_file TEXT NOT NULL DEFAULT '',
            inputs TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE IF NOT EXISTS claims (
            job TEXT NOT NULL,
            scheduled_at TEXT NOT NULL,
            owner TEXT NOT NULL,
            status TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            finished_at TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            UNIQUE (job, scheduled_at)
        );
        """

    /// Schema 1 → 2, inside the caller's write transaction. SQLite cannot alter a CHECK
    /// constraint, so the decisions table is rebuilt (the documented 12-step way: new
    /// table, copy, drop, rename). Old rows get action = their rule (treatment) or "none"
    /// (control) and a NULL propensity: the holdout they were drawn with was not recorded,
    /// so off-policy evaluation leaves them out rather than guess.
    static let migrate1to2 = decisionsTable("decisions_v2") + """
        INSERT INTO decisions_v2 (run_id, as_of, as_of_day, period, user_id, rule, tier, channel, offer, cost, grp, score,
                                  message, reason, seq, action, propensity, context, horizon_days)
            SELECT run_id, as_of, as_of_day, period, user_id, rule, tier, channel, offer, cost, grp, score, message, reason, seq,
                   CASE grp WHEN 'control' THEN 'none' ELSE rule END, NULL, '{}', NULL FROM decisions;
        DROP TABLE decisions;
        ALTER TABLE decisions_v2 RENAME TO decisions;
        """

    /// Schema 2 → 3: one nullable column, so a plain ALTER TABLE (no rebuild). Schema-2 rows
    /// keep a NULL vector: their chosen action's propensity still serves IPS/SNIPS/DR, but the
    /// support check and the estimators that need every action's probability leave them out.
    static let migrate2to3 = "ALTER TABLE decisions ADD COLUMN probabilities TEXT;"
}
