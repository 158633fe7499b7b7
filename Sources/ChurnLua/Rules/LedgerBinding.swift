import ChurnCore
import Foundation
import LuaRuntime

/// `cl.rules.run` and `cl.rules.history`: the declared rules committed to a decision ledger
/// from a script (a notebook's "deploy as a rule" step), and the ledger's decisions read
/// back as a log frame. The commit is the CLI's (`churnlab rules run`): `Ledger.commit`
/// reads the contact history, evaluates and writes in one locked transaction, so cooldowns
/// and caps see every earlier run, a committed run id writes nothing again and
/// (rule, user, period) is never duplicated. The ledger file is opened through
/// `LuaCall.databaseFile`: a sandboxed script reaches only ledgers inside its roots.
enum LedgerBinding {
    static func register(_ m: ModuleBuilder) {
        m.function("run", "run(frame, {ledger =, as_of = \"YYYY-MM-DD\", run_id =, wait = 600})",
                   "Evaluates the declared rules over the scored users and commits the decisions to the ledger exactly once, as `churnlab rules run` does: cooldowns and caps read the ledger's history in the same locked transaction; a run id already committed writes nothing (already_committed = true); a (rule, user, period) already in the ledger is skipped (duplicates). run_id: 1…64 printable characters (default: derived from the period, the frame's user ids and the declared rules). wait: seconds (0…86400) to wait for another run holding the ledger. Returns {run_id, period, as_of, inserted, duplicates, already_committed}. Read the decisions back with cl.rules.history(ledger, {run_id =}).") { c in
            let f = try c.frame(1)
            let o = try c.options(2)
            try o.checkKeys(["ledger", "as_of", "run_id", "wait"])
            guard let path = try o.string("ledger") else { throw LuaArgumentError(2, "field 'ledger' (the ledger file) is required") }
            let asOf = try RulesModule.date(try o.string("as_of"), arg: 2)
            let runID = try o.string("run_id")
            if let runID { try c.core { try Ledger.checkRunID(runID) } }
            let wait = try o.number("wait", in: .closed(0, 86_400)) ?? Ledger.defaultWait
            let book = RuleBook.of(c.state)
            let rs = book.ruleSet
            guard !rs.rules.isEmpty else { throw LuaScriptError("cl.rules.run: no rules declared (cl.rules.rule{…} first)") }
            let period = rs.period.label(asOf: asOf)
            let users = try c.core { try f.column(rs.userColumn) }
            let inputsSHA = Hex.encode(SHA256.hash((0..<f.nrow).map { RuleEngine.userText(users, $0) }.joined(separator: "\n")))
            let rulesSHA = Hex.encode(SHA256.hash(describe(rs)))
            let db = try c.databaseFile(path, write: true)
            // A rule function's own failure (its error, a time or memory limit) keeps its kind;
            // the ledger's errors become script errors. Either way the transaction rolled back.
            var ruleFailure: LuaError?
            let commit: LedgerCommit
            do {
                commit = try c.core { () -> LedgerCommit in
                    let ledger = try Ledger(path: db.path, confined: db.confined)
                    return try ledger.commit(period: period, asOf: asOf, lookbackDays: rs.historyLookbackDays, inputsSHA256: inputsSHA,
                                             rulesSHA256: rulesSHA, rulesFile: "cl.rules.run", inputs: "frame of \(f.nrow) users",
                                             wait: wait, runID: runID) { history in
                        do { return try book.evaluate(c, frame: f, asOf: asOf, history: history) }
                        catch let e as LuaError { ruleFailure = e; throw e }
                    }
                }
            } catch {
                if let ruleFailure { throw ruleFailure }
                throw error
            }
            let t = c.newTable(record: 6)
            t.set("run_id", commit.runID); t.set("period", period); t.set("as_of", DateText.format(days: asOf))
            t.set("inserted", commit.inserted); t.set("duplicates", commit.duplicates)
            t.set("already_committed", commit.alreadyCommitted)
            return 1
        }

        m.function("history", "history(ledger [, {run_id =, outcomes =, value =, usable_only = false, user_id = \"user_id\", date = \"date\"}])",
                   "The ledger's committed decisions as a log frame (as `churnlab rules history --logs`): run_id, as_of, user_id, rule, group, action, propensity (P of the logged action), cost, horizon_days, p_<action> (the whole distribution, schema 3), one column per logged context field; with `outcomes` (a frame: user_id and retained or churned, optional date) also retained and reward joined by user and horizon (reward = value × retained − cost, or retained without value). usable_only keeps rows with a propensity and an outcome. This is the frame cl.policy.evaluate and policy:update read. value finite.") { c in
            let path = try c.string(1)
            let o = try c.options(2)
            try o.checkKeys(["run_id", "outcomes", "value", "usable_only", "user_id", "date"])
            let runID = try o.string("run_id")
            let value = try o.number("value", in: .finite)
            let usable = try o.bool("usable_only") ?? false
            var outcomes: OutcomeTable? = nil
            if o.has("outcomes") {
                _ = o.push("outcomes")
                defer { c.state.pop() }
                let of = try c.frame(-1)
                let user = try o.string("user_id") ?? "user_id", date = try o.string("date") ?? "date"
                outcomes = try c.core { try OutcomeTable(of, userColumn: user, dateColumn: date) }
            } else if o.has("user_id") || o.has("date") || value != nil {
                throw LuaArgumentError(2, "fields 'user_id', 'date' and 'value' go with outcomes = <frame>")
            }
            // The ledger must exist (reading never creates one); it is opened for writing
            // only because opening brings an older ledger to the current schema.
            let existing = try c.databaseFile(path, write: false)
            guard FileManager.default.fileExists(atPath: existing.path) else { throw LuaScriptError("cl.rules.history: no ledger at \(path)") }
            let db = try c.databaseFile(path, write: true)
            let frame = try c.core { () -> Frame in
                let ledger = try Ledger(path: db.path, confined: db.confined)
                if let runID, try ledger.run(runID) == nil { throw RulesError("ledger \(path) has no run '\(runID)'") }
                let rows = try ledger.decisionLog(run: runID)
                return try DecisionLog.frame(rows, outcomes: outcomes, options: DecisionLog.Options(value: value, usableOnly: usable)).frame
            }
            return c.push(frame: frame)
        }
    }

    /// The declared rules as text for the default run id: what a rule does, not how
    /// its condition is written (a Lua function has no stable text).
    static func describe(_ rs: RuleSet) -> String {
        var lines = ["period \(rs.period.rawValue)", "user \(rs.userColumn)", "experiment \(rs.experiment ?? "")"]
        for r in rs.rules {
            lines.append([r.name, "\(r.priority)", r.action.channel, r.action.offer, "\(r.action.cost)", r.action.name,
                          "\(r.holdout)", "\(r.cooldownDays ?? -1)", "\(r.budget.maxUsers ?? -1)", "\(r.budget.maxCost ?? -1)",
                          r.tiers.joined(separator: ","), "\(r.horizonDays ?? -1)", r.policy.map { "policy \($0.policy.summary)" } ?? ""]
                .joined(separator: "|"))
        }
        for cap in rs.caps { lines.append("cap \(cap.channel) \(cap.maxContacts) \(cap.windowDays)") }
        return lines.joined(separator: "\n")
    }
}
