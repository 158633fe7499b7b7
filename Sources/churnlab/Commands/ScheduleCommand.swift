import ArgumentParser
import ChurnCore
import ChurnFiles
import ChurnServe
import Foundation
import LuaRuntime

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Run pipeline and rule jobs on cron schedules, in the foreground.",
        discussion: """
            SCHEDULE_FILE is Lua with one job{...} per job (see scripts/examples/schedule.lua): name, cron (5 fields or \
            @daily…), tz, and one of run = SCRIPT [args = {...}], rules = RULES.lua (users = CSV | script = PIPELINE, \
            outbox =, include_control, pseudonymize_key_file), command = {churnlab args}; timeout (s), memory_limit (MB), sandbox (default true), retries, \
            backoff (s, doubling), catchup = "skip" | "once". Limits: timeout up to 30 days, memory_limit 1 MB to 1 TiB, retries \
            0–100, backoff up to a day; the files a job runs must exist. Every problem of the file is reported, one per line. Jobs run as child processes with those limits. Occurrences \
            are claimed in the ledger (UNIQUE(job, scheduled_at)), so several schedulers on one ledger run each once. \
            An occurrence left running by a killed scheduler on this host is re-run at the next start under catchup = "once" \
            (else recorded as abandoned). SIGTERM lets the current job finish (or its transaction roll back), then the scheduler exits. Logs are JSON \
            lines on standard error. Each occurrence's output (stdout and stderr of every attempt) is kept in \
            LOG_DIR/JOB/OCCURRENCE.log (default LOG_DIR: logs/ next to the ledger; the newest --keep-logs per job are kept); \
            the JSON log names the file and --status lists recent occurrences with their logs. \
            --once runs what is due now and exits (status 1 if a job failed). \
            With --source serve, a rules job without users = or script = reads its users from a running `churnlab serve` \
            (--server, --token-file): GET /v1/scores, every user of the server's online state scored now, fetched at each \
            attempt into LOG_DIR/JOB/OCCURRENCE.users.csv and passed as --users, so its decisions go through the ledger exactly once.
            """
    )

    @Argument(help: ArgumentHelp("The schedule file.", valueName: "SCHEDULE_FILE")) var file: String
    @Flag(help: "Run due jobs once and exit.") var once = false
    @Option(help: ArgumentHelp("The ledger (claims, and the default for rules jobs).", valueName: "path")) var ledger: String = "churnlab.db"
    @Option(help: ArgumentHelp("Pretend it is this instant (ISO 8601; for tests, with --once).", valueName: "time")) var now: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("An occurrence up to this many seconds old is on time; older ones are missed (catch-up policy).", valueName: "seconds"))
    var grace: Double = 60
    @Flag(name: .customLong("check"), help: "Only validate the schedule file and print the next occurrence of each job.") var check = false
    @Flag(name: .customLong("status"), help: "Print each job's recent occurrences (status, attempts, error) and their log files, then exit.")
    var status = false
    @Option(name: .customLong("log-dir"), help: ArgumentHelp("Where job output logs are kept (default: logs/ next to the ledger).", valueName: "dir"))
    var logDir: String?
    @Option(help: ArgumentHelp("Where rules jobs without users/script read their users: 'serve' (a running churnlab serve, see --server).", valueName: "serve"))
    var source: String?
    @Option(help: ArgumentHelp("With --source serve: the server's address.", valueName: "http://HOST:PORT")) var server: String = "http://127.0.0.1:8080"
    @Option(name: .customLong("token-file"), help: ArgumentHelp("With --source serve: the file holding the server's bearer token (mode 600).", valueName: "F"))
    var tokenFile: String?
    @Option(name: .customLong("keep-logs"), parsing: .unconditional, help: ArgumentHelp("Occurrence logs kept per job (1…100000).", valueName: "n")) var keepLogs: Int = 30

    func validate() throws {
        // Seconds added to dates: NaN or ±inf would make every occurrence search meaningless.
        let range = NumberRange.closed(0, 31_536_000)
        if !range.contains(grace) { throw ValidationError("--grace must be \(range) (seconds), got \(grace)") }
        try LedgerOption.validate(ledger)
        guard (1...100_000).contains(keepLogs) else { throw ValidationError("--keep-logs must be in 1...100000, got \(keepLogs)") }
        if let source, source != "serve" { throw ValidationError("--source must be 'serve', got '\(source)'") }
    }

    func run() throws {
        let ledgerPath = URL(fileURLWithPath: ledger).standardizedFileURL.path
        // A schedule file that is not there is a missing input (66, as the README's
        // exit-code table says), not a usage error.
        guard FileManager.default.isReadableFile(atPath: file) else {
            printError("churnlab: schedule: cannot read \(file): " + (FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file"))
            throw ExitStatus.noInput
        }
        let jobs: [ScheduledJob]
        do { jobs = try ScheduleFile.load(file, ledgerPath: ledgerPath, usersFromServer: source == "serve") } catch let e as ScheduleFileErrors {
            for problem in e.errors { printError("churnlab: schedule: \(problem)") }   // every problem, not only the first
            throw ExitStatus.usage
        } catch {
            printError("churnlab: schedule: \(error)")
            throw ExitStatus.usage
        }
        var fixed: Date? = nil
        if let now {
            guard let d = ScheduleClock.parse(now) else { printError("churnlab: --now: '\(now)' is not an ISO 8601 instant"); throw ExitStatus.usage }
            fixed = d
        }
        if check {
            for j in jobs {
                let n = j.cron.next(after: fixed ?? Date(), in: j.timeZone).map(ScheduleClock.iso) ?? "never"
                print("\(j.name): \(j.cron) (\(j.timeZone.identifier)) next \(n)")
            }
            return
        }
        let logs = JobLogs(directory: logDir.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? JobLogs.defaultDirectory(ledgerPath: ledgerPath),
                           keep: keepLogs)
        if status { return try printStatus(jobs, ledgerPath: ledgerPath, logs: logs) }
        let l: Ledger
        do { l = try Ledger(path: ledgerPath) } catch { printError("churnlab: schedule: \(error)"); throw ExitStatus.software }
        var scheduler = Scheduler(jobs: jobs, ledger: l, once: once, fixedNow: fixed, grace: grace, logs: logs)
        if source == "serve" {
            do { scheduler.server = try ServeClient(url: server, tokenFile: tokenFile) } catch { printError("churnlab: schedule: \(error)"); throw ExitStatus.usage }
        }
        let failures = scheduler.run()
        if once && failures > 0 { throw ExitStatus.failure }
    }

    /// `--status`: the last occurrences of each job from the ledger's claims, with their logs.
    func printStatus(_ jobs: [ScheduledJob], ledgerPath: String, logs: JobLogs) throws {
        guard FileManager.default.fileExists(atPath: ledgerPath) else {
            print("no ledger at \(ledgerPath): no job has run yet (logs go to \(logs.directory))")
            return
        }
        let l: Ledger
        do { l = try Ledger(path: ledgerPath) } catch { printError("churnlab: schedule: \(error)"); throw ExitStatus.software }
        print("logs: \(logs.directory) (newest \(logs.keep) per job)")
        for j in jobs {
            let claims = try l.claims(job: j.name).suffix(5)
            print("\(j.name): \(j.cron) (\(j.timeZone.identifier))" + (claims.isEmpty ? " — no runs yet" : ""))
            for c in claims.reversed() {
                var line = "  \(c.scheduledAt)  \(c.status)"
                if c.attempts > 0 { line += "  attempts \(c.attempts)" }
                if let occ = ScheduleClock.parse(c.scheduledAt) {
                    let p = logs.path(job: j.name, occurrence: occ)
                    line += FileManager.default.fileExists(atPath: p) ? "  log \(p)" : ""
                }
                if let e = c.error { line += "\n      error: " + (e.split(separator: "\n").last.map(String.init) ?? e) }
                print(line)
            }
        }
    }
}
