import ArgumentParser
import ChurnCore
import Foundation
import LuaRuntime

/// `churnlab rules …`: run retention rules into the exactly-once ledger and inspect it.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Retention rules: run them into the ledger, list runs, show a run, measure its effect.",
        subcommands: [RulesRunCommand.self, RulesHistoryCommand.self, RulesShowCommand.self, RulesEffectCommand.self, RulesVerifyCommand.self]
    )
}

/// Options shared by the rules subcommands.
struct LedgerOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite ledger.", valueName: "path"))
    var ledger: String = "churnlab.db"

    func validate() throws { try LedgerOption.validate(ledger) }

    /// `--ledger ""` (or ":memory:") is a usage error, never a throw-away database.
    static func validate(_ path: String) throws {
        do { try Ledger.checkPath(path) } catch { throw ValidationError("--ledger: \(error)") }
    }

    func open(mustExist: Bool = true) throws -> Ledger {
        if mustExist && !FileManager.default.fileExists(atPath: ledger) {
            printError("churnlab: no ledger at \(ledger)")
            throw ExitStatus.noInput
        }
        do { return try Ledger(path: ledger) } catch {
            printError("churnlab: \(error)")
            throw ExitStatus.software
        }
    }
}

struct RulesRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Evaluate a rule file over scored users and commit the decisions exactly once.",
        discussion: """
            The rule file runs sandboxed with --timeout and --memory-limit. A run is identified by its period and the \
            SHA-256 of the inputs and the rule file: re-running it writes nothing new, and a run killed at any instant \
            left either all of its decisions or none. The outbox (CSV, or JSON Lines for .jsonl) is written from the \
            committed ledger rows, atomically. It carries the treatment group only: control users stay in the ledger \
            (--include-control adds them, marked group=control and without a message). With --pseudonymize-key-file the \
            message and reason columns are left out, since they are rendered from user fields.

            Example:
              churnlab rules run rules.lua --users scored.csv --as-of 2024-10-01 --outbox outbox.csv
            """
    )

    @Argument(help: ArgumentHelp("The rule file (Lua).", valueName: "RULES.lua")) var rules: String
    @Option(help: ArgumentHelp("Scored users (CSV with a user_id column).", valueName: "SCORED.csv")) var users: String?
    @Option(help: ArgumentHelp("A pipeline script that returns the scored frame (instead of --users).", valueName: "PIPELINE.lua")) var script: String?
    @Option(name: .customLong("as-of"), help: ArgumentHelp("The run's date.", valueName: "YYYY-MM-DD")) var asOf: String
    @OptionGroup var ledger: LedgerOption
    @Option(help: ArgumentHelp("Write the run's decisions here (.csv or .jsonl).", valueName: "path")) var outbox: String?
    @Flag(name: .customLong("dry-run"), help: "Evaluate and print; write nothing.") var dryRun = false
    @Option(name: .customLong("pseudonymize-key-file"), help: ArgumentHelp("HMAC-SHA256 user ids in the outbox with this key.", valueName: "path"))
    var keyFile: String?
    @Flag(name: .customLong("include-control"), help: "Also put the control group in the outbox (marked group=control, no message).")
    var includeControl = false
    @Option(parsing: .unconditional, help: ArgumentHelp("Time limit for the Lua code.", valueName: "seconds")) var timeout: Double = 600
    @Option(name: .customLong("memory-limit"), parsing: .unconditional, help: ArgumentHelp("Lua heap limit.", valueName: "MB")) var memoryLimit: Double = 1024
    @Option(name: .customLong("allow-path"), help: ArgumentHelp("Also allow file access below this path (repeatable).", valueName: "path"))
    var allowPaths: [String] = []

    func validate() throws {
        if (users == nil) == (script == nil) { throw ValidationError("give exactly one of --users SCORED.csv or --script PIPELINE.lua") }
        if let e = LuaLimits.rangeError(timeout: timeout, memoryMegabytes: memoryLimit) { throw ValidationError(e) }
    }

    func run() throws {
        let runner = RulesRunner(rulesPath: rules, usersPath: users, scriptPath: script, asOf: asOf, ledgerPath: ledger.ledger,
                                 outboxPath: outbox, dryRun: dryRun, keyFile: keyFile, includeControl: includeControl, timeout: timeout, memoryLimitMB: memoryLimit,
                                 allowPaths: allowPaths)
        do { try runner.run() } catch let f as RulesRunner.Failure {
            printError("churnlab: rules run: \(f.description)")
            throw ExitCode(f.code)
        } catch {
            printError("churnlab: rules run: \(error)")
            throw ExitStatus.failure
        }
        fflush(stdout)
    }
}

struct RulesHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List the ledger's runs, newest first; export the decision log.",
        discussion: """
            `logged` counts a run's decisions that carry a propensity (ledger schema 2; older rows have none). \
            --logs writes every committed decision (or --run's) as a log: run_id, as_of, user_id, rule, group, action, \
            propensity, cost, horizon_days, one column per context field, and with --outcomes `retained` and `reward` \
            joined by user and horizon (an outcomes `date` column: the first outcome observed on or after as_of + horizon). \
            That file is what cl.policy.evaluate and policy:update read.
            """)
    @OptionGroup var ledger: LedgerOption
    @Option(parsing: .unconditional, help: "At most this many runs.") var limit: Int = 50
    @Option(help: ArgumentHelp("Write the decision log here (CSV).", valueName: "LOGS.csv")) var logs: String?
    @Option(name: .customLong("run"), help: ArgumentHelp("Only this run's decisions in --logs.", valueName: "run id")) var onlyRun: String?
    @Option(help: ArgumentHelp("Join outcomes into --logs.", valueName: "OUTCOMES.csv")) var outcomes: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("reward = value × retained − cost (default: reward = retained).", valueName: "value"))
    var value: Double?

    func validate() throws {
        if let v = value, !v.isFinite { throw ValidationError("--value must be a finite number, got \(v)") }
        if limit < 0 { throw ValidationError("--limit must be >= 0") }
        if logs == nil && (onlyRun != nil || outcomes != nil || value != nil) { throw ValidationError("--run, --outcomes and --value go with --logs") }
    }

    func run() throws {
        let l = try ledger.open()
        let runs = try l.runs(limit: limit)
        let logged = try l.loggedCounts()
        print("run_id            as_of       period      status     decisions  logged     duplicates  started_at")
        for r in runs {
            print([r.runID.padding(16), r.asOf.padding(10), r.period.padding(10), r.status.padding(9),
                   String(r.decisions).padding(9), String(logged[r.runID] ?? 0).padding(9), String(r.duplicates).padding(10), r.startedAt].joined(separator: "  "))
        }
        if runs.isEmpty { print("(no runs)") }
        guard let logs else { return }
        do {
            let table = try outcomes.map { try OutcomeTable(try RulesEffectCommand.readOutcomes($0)) }
            let rows = try l.decisionLog(run: onlyRun)
            let f = try DecisionLog.frame(rows, outcomes: table, options: DecisionLog.Options(value: value)).frame
            try f.writeCSV(path: logs)
            print("logs: \(logs) (\(f.nrow) decisions, \(rows.filter { $0.propensity != nil }.count) with a propensity)")
        } catch {
            printError("churnlab: rules history: \(error)")
            throw ExitStatus.failure
        }
    }
}

struct RulesShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a run: inputs, hashes, decisions per rule; optionally rewrite its outbox.")
    @Argument(help: "The run id.") var runID: String
    @OptionGroup var ledger: LedgerOption
    @Option(help: ArgumentHelp("(Re)write the run's outbox here from the ledger.", valueName: "path")) var outbox: String?
    @Option(name: .customLong("pseudonymize-key-file"), help: ArgumentHelp("HMAC user ids in the outbox.", valueName: "path")) var keyFile: String?
    @Flag(name: .customLong("include-control"), help: "Also put the control group in the outbox (marked group=control, no message).")
    var includeControl = false
    @Flag(help: "Also print every decision.") var all = false

    func run() throws {
        let l = try ledger.open()
        guard let r = try l.run(runID) else { printError("churnlab: no run '\(runID)' in \(ledger.ledger)"); throw ExitStatus.failure }
        print("run \(r.runID)  status \(r.status)\n  as_of \(r.asOf)  period \(r.period)\n  rules \(r.rulesFile)  sha256 \(r.rulesSHA256)")
        print("  inputs \(r.inputs)  sha256 \(r.inputsSHA256)\n  started \(r.startedAt)  finished \(r.finishedAt ?? "-")")
        print("  decisions \(r.decisions)  duplicates skipped \(r.duplicates)")
        let rows = try l.decisions(run: runID)
        var per: [String: (t: Int, c: Int, none: Int, cost: Double)] = [:]
        for d in rows {
            var x = per[d.rule] ?? (0, 0, 0, 0)
            switch d.group {
            case "control": x.c += 1
            case "none": x.none += 1
            default: x.t += 1; x.cost += d.cost
            }
            per[d.rule] = x
        }
        for (rule, x) in per.sorted(by: { $0.key < $1.key }) {
            print("  \(rule): \(x.t) treatment, \(x.c) control" + (x.none > 0 ? ", \(x.none) not contacted by the policy" : "")
                  + ", cost \(String(format: "%.2f", x.cost))")
        }
        if all { print(Outbox.text(rows, format: .csv, options: Outbox.Options(includeControl: true)), terminator: "") }
        if let outbox {
            try Outbox.writeReporting(rows, to: outbox,
                                      options: Outbox.Options(includeControl: includeControl, pseudonymizer: try keyFile.map(PseudonymKey.load)))
        }
    }
}

struct RulesEffectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "effect",
        abstract: "Treatment vs control retention of a run per rule and tier (lift, CI, p-value, cost per retained user); with --policy, a candidate policy's off-policy value.",
        discussion: """
            OUTCOMES.csv has user_id and retained (1/0, true/false) or churned, observed after the horizon; with a `date` \
            column each decision takes its user's first outcome observed on or after as_of + the rule's horizon. \
            --policy CANDIDATE.lua (a script returning a cl.Policy) adds the candidate's estimated value from the run's \
            logged actions, propensities, action distributions and contexts: IPS, SNIPS, DM, DR and switch-DR (ridge \
            reward model per action on the logged context) with percentile-bootstrap intervals, effective sample sizes \
            and a warning when the candidate puts probability where the logging rule never acted (ledger schema 3 rows).
            """)
    @Argument(help: "The run id.") var runID: String
    @Option(help: ArgumentHelp("Outcomes CSV.", valueName: "OUTCOMES.csv")) var outcomes: String
    @OptionGroup var ledger: LedgerOption
    @Option(parsing: .unconditional, help: "Confidence level, in (0, 1).") var level: Double = 0.95
    @Option(help: ArgumentHelp("A candidate policy to evaluate off-policy (Lua script returning a cl.Policy).", valueName: "CANDIDATE.lua"))
    var policy: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("For --policy: reward = value × retained − cost (default: reward = retained).", valueName: "value"))
    var value: Double?
    @Option(parsing: .unconditional, help: "Bootstrap seed for --policy.") var seed: UInt64 = 42
    @Option(parsing: .unconditional, help: ArgumentHelp("For --policy's switch_dr: importance weights above tau use the reward model alone.", valueName: "tau"))
    var tau: Double = 10
    @Option(parsing: .unconditional, help: ArgumentHelp("Time limit for the policy script.", valueName: "seconds")) var timeout: Double = 600
    @Option(name: .customLong("memory-limit"), parsing: .unconditional, help: ArgumentHelp("Lua heap limit for the policy script.", valueName: "MB")) var memoryLimit: Double = 1024

    func validate() throws {
        if !NumberRange.open(0, 1).contains(level) { throw ValidationError("--level must be a number in (0, 1), got \(level)") }
        if let v = value, !v.isFinite { throw ValidationError("--value must be a finite number, got \(v)") }
        if let e = LuaLimits.rangeError(timeout: timeout, memoryMegabytes: memoryLimit) { throw ValidationError(e) }
        if !(tau >= 0) { throw ValidationError("--tau must be a number >= 0, got \(tau)") }
    }

    static func readOutcomes(_ path: String) throws -> Frame {
        guard FileManager.default.isReadableFile(atPath: path) else { throw RulesError("cannot open \(path)") }
        return try CSVReader(options: CSVReadOptions(types: ["user_id": .string])).read(path: path).frame
    }

    func run() throws {
        let l = try ledger.open()
        guard FileManager.default.isReadableFile(atPath: outcomes) else { printError("churnlab: cannot open \(outcomes)"); throw ExitStatus.noInput }
        do {
            let table = try OutcomeTable(try RulesEffectCommand.readOutcomes(outcomes))
            let rows = try l.decisions(run: runID)
            if rows.isEmpty { printError("churnlab: run '\(runID)' has no committed decisions"); throw ExitStatus.failure }
            // A policy's logged non-contacts (group none) are not part of the randomised holdout comparison.
            let ds = rows.filter { $0.group != "none" }.map {
                RuleEffect.Decision(user: $0.userID, rule: $0.rule, tier: $0.tier, control: $0.group == "control", cost: $0.cost,
                                    asOfDay: $0.asOfDay, horizonDays: $0.horizonDays)
            }
            let rep = try RuleEffect.report(ds, outcomes: table, level: level)
            print(try rep.toFrame().render(maxRows: 200, maxWidth: 200))
            if rep.missingOutcomes > 0 { print("(\(rep.missingOutcomes) decisions had no outcome and were left out)") }
            if let policy {
                guard FileManager.default.isReadableFile(atPath: policy) else { printError("churnlab: cannot open \(policy)"); throw ExitStatus.noInput }
                let (p, state) = try PolicyEffect.loadPolicy(policy, timeout: timeout, memoryMB: memoryLimit)
                let lines = try withExtendedLifetime(state) {
                    try PolicyEffect.report(rows, outcomes: table, policy: p, value: value, level: level, seed: seed, tau: tau)
                }
                for line in lines { print(line) }
            }
        } catch let e as ExitCode { throw e } catch let e as LuaError {
            printError("churnlab: rules effect: \(e.fullReport)")
            throw ExitStatus.failure
        } catch {
            printError("churnlab: rules effect: \(error)")
            throw ExitStatus.failure
        }
    }
}

struct RulesVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the ledger's invariants: committed runs hold exactly their decisions, uncommitted runs none, no duplicate (rule, user, period).")
    @OptionGroup var ledger: LedgerOption

    func run() throws {
        let l = try ledger.open()
        let problems = try l.verify()
        if problems.isEmpty { print("ledger ok"); return }
        for p in problems { print(p) }
        throw ExitStatus.failure
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
