import CSQLite

/// Scheduler occurrence claims: UNIQUE(job, scheduled_at) means that of any number of
/// schedulers sharing a ledger exactly one wins each occurrence.
extension Ledger {
    /// Tries to take (job, scheduledAt); true when this caller owns it now.
    /// `status` is `running` for an occurrence to run, `skipped` for one passed over by the catch-up policy.
    public func claim(job: String, scheduledAt: String, owner: String, status: String = "running") throws -> Bool {
        var won = false
        try transaction {
            try execute("INSERT OR IGNORE INTO claims(job, scheduled_at, owner, status, claimed_at) VALUES (?,?,?,?,?)",
                        [.text(job), .text(scheduledAt), .text(owner), .text(status), .text(Ledger.timestamp())])
            won = changes == 1
        }
        return won
    }

    public func finishClaim(job: String, scheduledAt: String, status: String, attempts: Int, error: String?) throws {
        try transaction {
            try execute("UPDATE claims SET status = ?, finished_at = ?, attempts = ?, error = ? WHERE job = ? AND scheduled_at = ?",
                        [.text(status), .text(Ledger.timestamp()), .int(Int64(attempts)), error.map { .text($0) } ?? .null,
                         .text(job), .text(scheduledAt)])
        }
    }

    /// Gives an occurrence back (its run was interrupted before starting real work).
    public func releaseClaim(job: String, scheduledAt: String) throws {
        try transaction { try execute("DELETE FROM claims WHERE job = ? AND scheduled_at = ?", [.text(job), .text(scheduledAt)]) }
    }

    /// The latest claimed occurrence of a job (ISO text sorts by time), or nil.
    public func lastClaim(job: String) throws -> String? {
        try query("SELECT MAX(scheduled_at) FROM claims WHERE job = ?", [.text(job)]) { Ledger.optText($0, 0) }.first ?? nil
    }

    public struct Claim: Sendable, Equatable {
        public var job: String, scheduledAt: String, owner: String, status: String, attempts: Int, error: String?
    }

    public func claims(job: String? = nil) throws -> [Claim] {
        let sql = "SELECT job, scheduled_at, owner, status, attempts, error FROM claims" + (job == nil ? "" : " WHERE job = ?") + " ORDER BY scheduled_at, job"
        return try query(sql, job.map { [.text($0)] } ?? []) { s in
            Claim(job: Ledger.text(s, 0), scheduledAt: Ledger.text(s, 1), owner: Ledger.text(s, 2), status: Ledger.text(s, 3),
                  attempts: Int(sqlite3_column_int64(s, 4)), error: Ledger.optText(s, 5))
        }
    }
}
