import ArgumentParser
import ChurnCore
import ChurnFiles
import Foundation

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Run pipeline and rule jobs on cron schedules, in the foreground.",
        discussion: """
            SCHEDULE_FILE is Lua with one job{...} per job (see scripts/examples/schedule.lua): name, cron (5 fields or \
            @daily…), tz, and one of run = SCRIPT [args = {...}], rules = RULES.lua (users = CSV | script = PIPELINE, \
            outbox =), command = {churnlab args}; timeout (s), memory_limit (MB), sandbox (default true), retries, \
            backoff (s, doubling), catchup = "skip" | "once". Limits: timeout up to 30 days, memory_limit 1 MB to 1 TiB, retries \
            0–100, backoff up to a day; the files a job runs must exist. Every problem of the file is reported, one per line. Jobs run as child processes with those limits. Occurrences \
            are claimed in the ledger (UNIQUE(job, scheduled_at)), so several schedulers on one ledger run each once. \
            An occurrence left running by a killed scheduler on this host is re-run at the next start under catchup = "once" \
            (else recorded as abandoned). SIGTERM lets the current job finish (or its transaction roll back), then the scheduler exits. Logs are JSON \
            lines on standard error. --once runs what is due now and exits (status 1 if a job failed).
            """
    )

    @Argument(help: ArgumentHelp("The schedule file.", valueName: "SCHEDULE_FILE")) var file: String
    @Flag(help: "Run due jobs once and exit.") var once = false
    @Option(help: ArgumentHelp("The ledger (claims, and the default for rules jobs).", valueName: "path")) var ledger: String = "churnlab.db"
    @Option(help: ArgumentHelp("Pretend it is this instant (ISO 8601; for tests, with --once).", valueName: "time")) var now: String?
    @Option(help: ArgumentHelp("An occurrence up to this many seconds old is on time; older ones are missed (catch-up policy).", valueName: "seconds"))
    var grace: Double = 60
    @Flag(name: .customLong("check"), help: "Only validate the schedule file and print the next occurrence of each job.") var check = false

    func run() throws {
        let ledgerPath = URL(fileURLWithPath: ledger).standardizedFileURL.path
        let jobs: [ScheduledJob]
        do { jobs = try ScheduleFile.load(file, ledgerPath: ledgerPath) } catch let e as ScheduleFileErrors {
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
        let l: Ledger
        do { l = try Ledger(path: ledgerPath) } catch { printError("churnlab: schedule: \(error)"); throw ExitStatus.software }
        let failures = Scheduler(jobs: jobs, ledger: l, once: once, fixedNow: fixed, grace: grace).run()
        if once && failures > 0 { throw ExitStatus.failure }
    }
}
