import ChurnCore
import ChurnLua
import Foundation
import LuaRuntime

/// `churnlab rules run`: load the scored users (CSV or a pipeline script's returned
/// frame), run the rule file in a sandboxed state with limits, evaluate with the ledger's
/// contact history, commit exactly once, then derive the outbox from the committed rows.
struct RulesRunner {
    var rulesPath: String
    var usersPath: String?
    var scriptPath: String?
    var asOf: String
    var ledgerPath: String
    var outboxPath: String?
    var dryRun: Bool
    var keyFile: String?
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
        var decisions: RuleDecisions?
        var csvFrame: Frame?
        if let usersPath {
            do { csvFrame = try CSVReader().read(path: usersPath).frame }
            catch { throw Failure(description: "\(error)", code: 1) }
        }
        do {
            try state.load(file: rulesPath)
            try state.pcall(nargs: 0, nresults: 0)
            let book = RuleBook.of(state)
            // Already committed (same period, inputs and rules)? Then only re-derive the outbox.
            let period = book.ruleSet.period.label(asOf: day)
            let id = Ledger.runID(period: period, inputsSHA256: inputsSHA, rulesSHA256: rulesSHA)
            if !dryRun, let ledger, let r = try ledger.run(id), r.status == "committed" {
                print("run \(id): already committed for period \(period) (\(r.decisions) decisions); nothing new written")
                try writeOutbox(ledger, id, pseudonymizer)
                return
            }
            let lookback = max(book.ruleSet.rules.compactMap(\.cooldownDays).max() ?? 0, book.ruleSet.caps.map(\.windowDays).max() ?? 0)
            let history = try ledger?.history(asOf: day, lookbackDays: lookback) ?? ContactHistory()
            state.push(function: "rules.run") { c in
                let frame = try csvFrame ?? c.frame(1)
                decisions = try book.evaluate(c, frame: frame, asOf: day, history: history)
                return 0
            }
            var nargs: Int32 = 0
            if let scriptPath {
                try state.load(file: scriptPath)
                try state.pcall(nargs: 0, nresults: 1)
                nargs = 1
            }
            try state.pcall(nargs: nargs, nresults: 0)
        } catch let e as LuaError {
            throw Failure(description: e.fullReport, code: 1)
        }
        guard let d = decisions else { throw Failure(description: "no decisions were computed", code: 70) }
        let summary = d.summary()
        if dryRun {
            print("dry run: \(d.count) decisions for period \(d.period) (nothing written)")
            printSummary(summary, skipped: d.skipped)
            print(try d.toFrame().render(maxRows: 10))
            return
        }
        guard let ledger else { throw Failure(description: "no ledger", code: 70) }
        let commit = try ledger.commit(d, inputsSHA256: inputsSHA, rulesSHA256: rulesSHA, rulesFile: rulesPath,
                                       inputs: usersPath ?? scriptPath ?? "")
        if commit.alreadyCommitted {
            print("run \(commit.runID): already committed for period \(d.period); nothing new written")
        } else {
            print("run \(commit.runID): \(commit.inserted) decisions committed for period \(d.period)"
                  + (commit.duplicates > 0 ? ", \(commit.duplicates) already in the ledger (skipped)" : ""))
        }
        printSummary(summary, skipped: d.skipped)
        try writeOutbox(ledger, commit.runID, pseudonymizer)
    }

    /// The outbox always comes from committed ledger rows, so it can be regenerated.
    func writeOutbox(_ ledger: Ledger, _ runID: String, _ pseudonymizer: Pseudonymizer?) throws {
        guard let outboxPath else { return }
        let rows = try ledger.decisions(run: runID)
        try Outbox.write(rows, to: outboxPath, pseudonymizer: pseudonymizer)
        print("outbox: \(outboxPath) (\(rows.count) rows)")
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
