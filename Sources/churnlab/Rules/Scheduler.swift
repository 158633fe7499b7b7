import ChurnCore
import ChurnServe
import Dispatch
import Foundation

/// Structured logs: one JSON object per line on standard error.
enum JSONLog {
    static func write(_ level: String, _ event: String, _ fields: [String: Any] = [:]) {
        var obj = fields
        obj["ts"] = Ledger.timestamp()
        obj["level"] = level
        obj["event"] = event
        guard let data = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}

/// Set by SIGTERM/SIGINT: finish (or let roll back) the current job, then exit.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var sources: [DispatchSourceSignal] = []
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
    func set() { lock.lock(); stopped = true; lock.unlock() }

    func install() {
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [weak self] in
                JSONLog.write("info", "signal", ["signal": sig == SIGTERM ? "SIGTERM" : "SIGINT"])
                self?.set()
            }
            s.resume()
            sources.append(s)
        }
    }
}

/// The foreground scheduler. Jobs run as child `churnlab` processes (a crash, loop or
/// memory blow-up in a job cannot take the scheduler down); occurrences are claimed in
/// the ledger so schedulers sharing it run each occurrence once.
struct Scheduler {
    var jobs: [ScheduledJob]
    var ledger: Ledger
    var once: Bool
    var fixedNow: Date?
    var grace: Double
    var logs: JobLogs
    /// `--source serve`: rules jobs without users/script read the server's scores at each attempt.
    var server: ServeClient? = nil
    let stop = StopFlag()
    let owner = "\(ProcessInfo.processInfo.hostName):\(getpid())"

    /// Returns the number of failed job runs.
    func run() -> Int {
        stop.install()
        JSONLog.write("info", "scheduler_start", ["jobs": jobs.map(\.name), "owner": owner, "once": once,
                                                  "logs": logs.directory, "keep_logs": logs.keep])
        var failures = recoverStaleClaims()
        while !stop.isSet {
            let now = fixedNow ?? Date()
            for job in jobs where !stop.isSet {
                do { failures += try tick(job, now: now) } catch {
                    JSONLog.write("error", "ledger_error", ["job": job.name, "error": "\(error)"])
                    failures += 1
                }
            }
            if once { break }
            // Sleep until the next minute boundary (cron resolution), waking to check for a stop.
            let next = (floor(Date().timeIntervalSince1970 / 60) + 1) * 60
            while !stop.isSet && Date().timeIntervalSince1970 < next { Thread.sleep(forTimeInterval: 0.2) }
        }
        JSONLog.write("info", "scheduler_stop", ["failures": failures, "reason": stop.isSet ? "signal" : "once"])
        return failures
    }

    /// Occurrences a killed scheduler on this host left `running`: re-run once under the
    /// `once` catch-up policy, otherwise recorded as `abandoned`. Returns failures.
    func recoverStaleClaims() -> Int {
        let host = ProcessInfo.processInfo.hostName
        var failures = 0
        do {
            for c in try ledger.staleClaims(host: host, isAlive: { kill($0, 0) == 0 || errno == EPERM }) {
                guard let job = jobs.first(where: { $0.name == c.job }), let occ = ScheduleClock.parse(c.scheduledAt) else { continue }
                let rerun = job.catchUp == .once
                guard try ledger.takeOver(c, owner: owner, status: rerun ? "running" : "abandoned") else { continue }
                JSONLog.write("warning", "claim_recovered", ["job": c.job, "scheduled_at": c.scheduledAt, "previous_owner": c.owner,
                                                             "action": rerun ? "rerun" : "abandoned"])
                guard rerun else { continue }
                let (ok, attempts, error) = execute(job, occurrence: occ)
                try ledger.finishClaim(job: job.name, scheduledAt: c.scheduledAt, status: ok ? "done" : "failed", attempts: attempts, error: error)
                if !ok { failures += 1 }
            }
        } catch {
            JSONLog.write("error", "ledger_error", ["error": "\(error)"])
            failures += 1
        }
        return failures
    }

    func tick(_ job: ScheduledJob, now: Date) throws -> Int {
        let last = try ledger.lastClaim(job: job.name).flatMap(ScheduleClock.parse)
        let plan = SchedulePlanner.plan(job, last: last, now: now, grace: grace)
        for s in plan.skip where try ledger.claim(job: job.name, scheduledAt: ScheduleClock.iso(s), owner: owner, status: "skipped") {
            JSONLog.write("info", "occurrence_skipped", ["job": job.name, "scheduled_at": ScheduleClock.iso(s), "policy": job.catchUp.rawValue])
        }
        var failures = 0
        for occ in plan.run where !stop.isSet {
            let at = ScheduleClock.iso(occ)
            guard try ledger.claim(job: job.name, scheduledAt: at, owner: owner) else {
                JSONLog.write("info", "occurrence_taken", ["job": job.name, "scheduled_at": at])
                continue
            }
            let (ok, attempts, error) = execute(job, occurrence: occ)
            try ledger.finishClaim(job: job.name, scheduledAt: at, status: ok ? "done" : "failed", attempts: attempts, error: error)
            if !ok { failures += 1 }
        }
        return failures
    }

    /// Runs one occurrence with retries; (succeeded, attempts, last error).
    func execute(_ job: ScheduledJob, occurrence: Date) -> (Bool, Int, String?) {
        let args = childArguments(job, occurrence: occurrence)
        var lastError: String? = nil
        var attempt = 0
        while attempt <= job.retries {
            attempt += 1
            let at = ScheduleClock.iso(occurrence)
            let logPath = logs.path(job: job.name, occurrence: occurrence)
            var args = args
            if let server, Self.readsServer(args) {
                // The server's state scored now is this attempt's users table (kept beside the log).
                let users = String(logPath.dropLast(4)) + ".users.csv"
                do {
                    try FileManager.default.createDirectory(atPath: logs.jobDirectory(job.name), withIntermediateDirectories: true)
                    let n = try server.fetchScores(to: users, timeout: max(1, min(job.timeout, 600)))
                    JSONLog.write("info", "scores_fetched", ["job": job.name, "scheduled_at": at, "attempt": attempt, "users": n, "file": users])
                    args += ["--users", users]
                } catch {
                    lastError = "\(error)"
                    JSONLog.write("error", "job_failed", ["job": job.name, "scheduled_at": at, "attempt": attempt, "error": lastError!])
                    if attempt <= job.retries && !stop.isSet { Thread.sleep(forTimeInterval: min(job.retryDelay(attempt), 60)) }
                    if stop.isSet { break }
                    continue
                }
            }
            JSONLog.write("info", "job_start", ["job": job.name, "scheduled_at": at, "attempt": attempt, "argv": args, "log": logPath])
            let started = Date()
            let (status, output, killed) = runChild(args, wallLimit: job.timeout + 5, log: { try logs.open(job: job.name, occurrence: occurrence, attempt: attempt, argv: args) })
            logs.rotate(job: job.name)
            let seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
            if status == 0 {
                JSONLog.write("info", "job_done", ["job": job.name, "scheduled_at": at, "attempt": attempt, "seconds": seconds, "log": logPath])
                return (true, attempt, nil)
            }
            lastError = killed ? "killed after the \(job.timeout) s timeout" : (output.isEmpty ? "exit status \(status)" : output)
            JSONLog.write("error", "job_failed", ["job": job.name, "scheduled_at": at, "attempt": attempt, "status": Int(status),
                                                  "seconds": seconds, "error": lastError!, "log": logPath])
            if attempt <= job.retries && !stop.isSet {
                let delay = job.retryDelay(attempt)
                JSONLog.write("info", "job_retry", ["job": job.name, "scheduled_at": at, "in_seconds": delay])
                let until = Date().addingTimeInterval(delay)
                while Date() < until && !stop.isSet { Thread.sleep(forTimeInterval: min(0.05, max(0, until.timeIntervalSinceNow))) }
            }
            if stop.isSet { break }
        }
        return (false, attempt, lastError)
    }

    /// A rules run given neither --users nor --script: its users come from the server (`--source serve`).
    static func readsServer(_ args: [String]) -> Bool {
        args.count >= 2 && args[0] == "rules" && args[1] == "run" && !args.contains("--users") && !args.contains("--script")
    }

    func childArguments(_ job: ScheduledJob, occurrence: Date) -> [String] {
        var a = job.arguments(for: occurrence)
        // The job's limits, unless its own arguments already set them.
        var limits: [String] = []
        if !a.contains("--timeout") { limits += ["--timeout", LuaValueFormat.number(job.timeout)] }
        if !a.contains("--memory-limit") { limits += ["--memory-limit", LuaValueFormat.number(job.memoryLimitMB)] }
        if a.first == "run" {
            a.insert(contentsOf: limits + (job.sandbox && !a.contains("--sandbox") ? ["--sandbox"] : []), at: 1)
        } else if a.count >= 2 && a[0] == "rules" && a[1] == "run" {
            a += limits
        }
        return a
    }

    /// Runs `churnlab ARGS` with its standard output and error appended to the job's log
    /// (kept, see `JobLogs`); kills it after `wallLimit` seconds. Returns the status, the
    /// last lines of this attempt's output and whether it was killed.
    func runChild(_ args: [String], wallLimit: Double, log: () throws -> (FileHandle, UInt64, String)) -> (Int32, String, Bool) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Scheduler.selfPath)
        p.arguments = args
        let h: FileHandle, start: UInt64, out: URL
        do { let opened = try log(); (h, start, out) = (opened.0, opened.1, URL(fileURLWithPath: opened.2)) } catch {
            return (70, "cannot write the job log in \(logs.directory): \(error)", false)
        }
        p.standardOutput = h
        p.standardError = h
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return (70, "cannot start \(Scheduler.selfPath): \(error)", false) }
        let deadline = Date().addingTimeInterval(wallLimit)
        var killed = false
        while p.isRunning {
            if Date() > deadline { kill(p.processIdentifier, SIGKILL); killed = true; break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        p.waitUntilExit()
        try? h.close()
        let attemptOutput = (try? FileHandle(forReadingFrom: out)).flatMap { r -> Data? in
            defer { try? r.close() }
            try? r.seek(toOffset: start)
            return try? r.readToEnd()
        } ?? Data()
        let text = String(decoding: attemptOutput, as: UTF8.self)
        let tail = text.split(separator: "\n").suffix(6).joined(separator: "\n")
        return (p.terminationStatus, tail, killed)
    }

    /// This executable (children are `churnlab` itself).
    static let selfPath: String = {
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        return CommandLine.arguments[0]
    }()
}

enum LuaValueFormat {
    static func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d) }
}
