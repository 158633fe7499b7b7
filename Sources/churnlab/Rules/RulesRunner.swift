import ChurnCore
import ChurnLua
import Foundation
import LuaRuntime

/// `churnlab rules run`: load the scored users (CSV or a pipeline script's returned
/// frame), run the rule file in a sandboxed state with limits, evaluate with the ledger's
/// contact history and commit exactly once — history read, evaluation and commit in one
/// locked ledger transaction, so concurrent runs are serialized — then derive the outbox
/// from the committed rows.
struct RulesRunner {
    var rulesPath: String
    var usersPath: String?
    var scriptPath: String?
    var asOf: String
    var ledgerPath: String
    var outboxPath: String?
    var dryRun: Bool
    var keyFile: String?
    var includeControl = false
    var timeout: Double
    var memoryLimitMB: Double
    var allowPaths: [String]

    struct Failure: Error, CustomStringConvertible {
        let description: String
        let code: Int32
    }

    func run() throws {
        let fm = FileManager.default
        for p in [rulesPath] + [usersPath, scriptPath, keyFile].compactMap({ $0 }) where !fm.isReadableFile(atPath: p) {
            throw Failure(description: "cannot open \(p)", code: 66)
        }
        guard let day = DateText.parseDate(asOf) else { throw Failure(description: "--as-of: '\(asOf)' is not a YYYY-MM-DD date", code: 64) }
        let pseudonymizer = try keyFile.map(PseudonymKey.load)
        let rulesSHA = Hex.encode(try SHA256.hashFile(atPath: rulesPath))
        let inputsSHA = Hex.encode(try SHA256.hashFile(atPath: usersPath ?? scriptPath!))

        let roots = [ScriptHost.directory(of: rulesPath)] + [usersPath, scriptPath].compactMap { $0.map(ScriptHost.directory(of:)) } + allowPaths
        let options = LuaOptions(limits: LuaLimits(timeout: timeout, memoryBytes: LuaLimits.megabytes(memoryLimitMB)),
                                 sandbox: SandboxPolicy(roots: roots))
        // The rule file is untrusted: confine the process before anything starts
        // threads. The ledger's and outbox's directories are the host's outputs.
        OSConfinement.apply(roots: options.sandbox!.roots,
                            hostWritable: [ledgerPath, outboxPath].compactMap { $0.map(ScriptHost.directory(of:)) })

        // The ledger's history (read-only in a dry run; nothing is created).
        let ledger: Ledger? = dryRun && !fm.fileExists(atPath: ledgerPath) ? nil : try Ledger(path: ledgerPath)

        let state = try ScriptHost.makeState(options: options, scriptPath: rulesPath, args: [])
        state.userInfo[RuleBook.baseKey] = ScriptHost.directory(of: rulesPath)
        var scored: Frame?
        if let usersPath {
            do { scored = try CSVReader().read(path: usersPath).frame }
            catch { throw Failure(description: "\(error)", code: 1) }
        }
        let book: RuleBook
        let period: String
        do {
            try state.load(file: rulesPath)
            try state.pcall(nargs: 0, nresults: 0)
            book = RuleBook.of(state)
            // Already committed (same period, inputs and rules)? Then only re-derive the outbox.
            period = book.ruleSet.period.label(asOf: day)
            let id = Ledger.runID(period: period, inputsSHA256: inputsSHA, rulesSHA256: rulesSHA)
            if !dryRun, let ledger, let r = try ledger.run(id), r.status == "committed" {
                print("run \(id): already committed for period \(period) (\(r.decisions) decisions); nothing new written")
                try writeOutbox(ledger, id, pseudonymizer)
                return
            }
            if let scriptPath {
                // The pipeline's scoring runs before the ledger is locked: only the rules' evaluation is serialized.
                state.push(function: "rules.run") { c in scored = try c.frame(1); return 0 }
                try state.load(file: scriptPath)
                try state.pcall(nargs: 0, nresults: 1)
                try state.pcall(nargs: 1, nresults: 0)
            }
        } catch let e as LuaError {
            throw Failure(description: e.fullReport, code: 1)
        }
        guard let frame = scored else { throw Failure(description: "no users frame was computed", code: 70) }
        let lookback = book.ruleSet.historyLookbackDays
        /// Evaluates the rules with this history (inside a Lua call: per-user rule functions run Lua).
        func evaluate(_ history: ContactHistory) throws -> RuleDecisions {
            var decisions: RuleDecisions?
            state.push(function: "rules.evaluate") { c in
                decisions = try book.evaluate(c, frame: frame, asOf: day, history: history)
                return 0
            }
            do { try state.pcall(nargs: 0, nresults: 0) } catch let e as LuaError { throw Failure(description: e.fullReport, code: 1) }
            guard let d = decisions else { throw Failure(description: "no decisions were computed", code: 70) }
            return d
        }
        if dryRun {
            let d = try evaluate(try ledger?.history(asOf: day, lookbackDays: lookback) ?? ContactHistory())
            print("dry run: \(d.count) decisions for period \(d.period) (nothing written)")
            printSummary(d.summary(), skipped: d.skipped)
            print(try d.toFrame().render(maxRows: 10))
            return
        }
        guard let ledger else { throw Failure(description: "no ledger", code: 70) }
        // Cooldown and cap checks read the history inside the transaction that commits: a
        // concurrent run waits (up to the time limit) and then sees these decisions.
        var evaluated: RuleDecisions?
        let commit = try ledger.commit(period: period, asOf: day, lookbackDays: lookback, inputsSHA256: inputsSHA, rulesSHA256: rulesSHA,
                                       rulesFile: rulesPath, inputs: usersPath ?? scriptPath ?? "", wait: timeout) { history in
            let d = try evaluate(history)
            evaluated = d
            return d
        }
        if commit.alreadyCommitted {
            print("run \(commit.runID): already committed for period \(period); nothing new written")
        } else {
            print("run \(commit.runID): \(commit.inserted) decisions committed for period \(period)"
                  + (commit.duplicates > 0 ? ", \(commit.duplicates) already in the ledger (skipped)" : ""))
        }
        if let d = evaluated { printSummary(d.summary(), skipped: d.skipped) }
        try writeOutbox(ledger, commit.runID, pseudonymizer)
    }

    /// The outbox always comes from committed ledger rows, so it can be regenerated.
    func writeOutbox(_ ledger: Ledger, _ runID: String, _ pseudonymizer: Pseudonymizer?) throws {
        guard let outboxPath else { return }
        try Outbox.writeReporting(try ledger.decisions(run: runID), to: outboxPath,
                                  options: Outbox.Options(includeControl: includeControl, pseudonymizer: pseudonymizer))
    }

    func printSummary(_ s: [(rule: String, treatment: Int, control: Int, cost: Double)], skipped: [String: [String: Int]]) {
        for r in s {
            var line = "  \(r.rule): \(r.treatment) treatment, \(r.control) control, cost \(LuaValue.format(r.cost))"
            if let sk = skipped[r.rule], !sk.isEmpty {
                line += "; skipped " + sk.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            }
            print(line)
        }
        if let n = skipped["*"]?["suppressed"] { print("  suppressed (opt-outs): \(n)") }
    }
}
