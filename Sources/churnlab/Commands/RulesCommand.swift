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
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List the ledger's runs, newest first.")
    @OptionGroup var ledger: LedgerOption
    @Option(parsing: .unconditional, help: "At most this many runs.") var limit: Int = 50

    func run() throws {
        let l = try ledger.open()
        let runs = try l.runs(limit: limit)
        print("run_id            as_of       period      status     decisions  duplicates  started_at")
        for r in runs {
            print([r.runID.padding(16), r.asOf.padding(10), r.period.padding(10), r.status.padding(9),
                   String(r.decisions).padding(9), String(r.duplicates).padding(10), r.startedAt].joined(separator: "  "))
        }
        if runs.isEmpty { print("(no runs)") }
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
        var per: [String: (t: Int, c: Int, cost: Double)] = [:]
        for d in rows {
            var x = per[d.rule] ?? (0, 0, 0)
            if d.group == "control" { x.c += 1 } else { x.t += 1; x.cost += d.cost }
            per[d.rule] = x
        }
        for (rule, x) in per.sorted(by: { $0.key < $1.key }) {
            print("  \(rule): \(x.t) treatment, \(x.c) control, cost \(String(format: "%.2f", x.cost))")
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
        abstract: "Treatment vs control retention of a run per rule and tier (lift, CI, p-value, cost per retained user).",
        discussion: "OUTCOMES.csv has user_id and retained (1/0, true/false) or churned, observed after the horizon.")
    @Argument(help: "The run id.") var runID: String
    @Option(help: ArgumentHelp("Outcomes CSV.", valueName: "OUTCOMES.csv")) var outcomes: String
    @OptionGroup var ledger: LedgerOption
    @Option(parsing: .unconditional, help: "Confidence level, in (0, 1).") var level: Double = 0.95

    func validate() throws {
        if !NumberRange.open(0, 1).contains(level) { throw ValidationError("--level must be a number in (0, 1), got \(level)") }
    }

    func run() throws {
        let l = try ledger.open()
        guard FileManager.default.isReadableFile(atPath: outcomes) else { printError("churnlab: cannot open \(outcomes)"); throw ExitStatus.noInput }
        do {
            let frame = try CSVReader(options: CSVReadOptions(types: ["user_id": .string])).read(path: outcomes).frame
            let out = try RuleEffect.outcomes(frame)
            let ds = try l.decisions(run: runID).map {
                RuleEffect.Decision(user: $0.userID, rule: $0.rule, tier: $0.tier, control: $0.group == "control", cost: $0.cost)
            }
            if ds.isEmpty { printError("churnlab: run '\(runID)' has no committed decisions"); throw ExitStatus.failure }
            let rep = try RuleEffect.report(ds, outcomes: out, level: level)
            print(try rep.toFrame().render(maxRows: 200, maxWidth: 200))
            if rep.missingOutcomes > 0 { print("(\(rep.missingOutcomes) decisions had no outcome and were left out)") }
        } catch let e as ExitCode { throw e } catch {
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
