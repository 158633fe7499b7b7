/// The ledger's tables. One SQLite file (WAL) holds rule runs, their decisions and
/// the scheduler's occurrence claims, so every exactly-once guarantee comes from
/// SQLite transactions and UNIQUE constraints rather than from files or locks.
enum LedgerSchema {
    static let version = 1
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
        CREATE TABLE IF NOT EXISTS decisions (
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
            grp TEXT NOT NULL CHECK (grp IN ('treatment', 'control')),
            score REAL,
            message TEXT NOT NULL,
            reason TEXT NOT NULL,
            seq INTEGER NOT NULL,
            UNIQUE (rule, user_id, period)
        );
        CREATE INDEX IF NOT EXISTS decisions_run ON decisions(run_id, seq);
        CREATE INDEX IF NOT EXISTS decisions_user ON decisions(user_id, as_of_day);
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
}
