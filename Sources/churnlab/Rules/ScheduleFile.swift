import ChurnCore
import Foundation
import LuaRuntime

/// Reads a schedule file: Lua with one `job{...}` call per job.
///
///     job{ name = "nightly_rules", cron = "0 6 * * *", tz = "Europe/Berlin",
///          rules = "rules.lua", users = "scored.csv", outbox = "out/{date}.csv",
///          timeout = 600, memory_limit = 512, retries = 2, backoff = 30, catchup = "once" }
///     job{ name = "refresh", cron = "*/30 * * * *", run = "pipeline.lua", args = { "{date}" } }
///     job{ name = "raw", cron = "@daily", command = { "run", "--allow-path", "/data", "x.lua" } }
///
/// Relative paths are relative to the schedule file. `{date}` is the occurrence's local date.
/// Any problem is reported as `FILE:LINE: reason` before the scheduler starts.
enum ScheduleFile {
    static let keys: Set<String> = ["name", "cron", "tz", "run", "args", "rules", "users", "script", "outbox", "as_of", "command",
                                    "timeout", "memory_limit", "sandbox", "retries", "backoff", "catchup", "pseudonymize_key_file",
                                    "include_control"]

    static func load(_ path: String, ledgerPath: String) throws -> [ScheduledJob] {
        guard FileManager.default.isReadableFile(atPath: path) else { throw ScheduleError(file: path, line: 0, reason: "cannot open the schedule file") }
        let dir = URL(fileURLWithPath: ScriptHost.directory(of: path)).standardizedFileURL.path
        let state = try LuaState(LuaOptions(limits: LuaLimits(timeout: 5, memoryBytes: LuaLimits.megabytes(64)), sandbox: nil))
        try state.run("""
            local jobs, getinfo = {}, debug.getinfo
            function job(t)
              if type(t) ~= "table" then error("job{...} expects a table, got " .. type(t), 2) end
              t.__line = getinfo(2, "l").currentline
              jobs[#jobs + 1] = t
            end
            function __jobs() return jobs end
            debug, os, io, package, require, dofile, loadfile = nil, nil, nil, nil, nil, nil, nil
            """, name: "=schedule")
        do {
            try state.load(file: path)
            try state.pcall(nargs: 0, nresults: 0)
        } catch let e as LuaError {
            let (line, reason) = splitLocation(e.message, file: path)
            throw ScheduleError(file: path, line: line, reason: reason)
        }
        try state.load(string: "return __jobs()", name: "=schedule")
        try state.pcall(nargs: 0, nresults: 1)
        let value = state.value(at: -1, depth: 4)
        state.pop()
        guard case .table(let list) = value else { return [] }
        var jobs: [ScheduledJob] = []
        var names = Set<String>()
        for (_, v) in list.sorted(by: { "\($0.key)".count != "\($1.key)".count ? "\($0.key)".count < "\($1.key)".count : "\($0.key)" < "\($1.key)" }) {
            guard case .table(let kv) = v else { continue }
            var t: [String: LuaValue] = [:]
            for (k, x) in kv { if case .string(let s) = k { t[s] = x } }
            let line: Int = { if case .integer(let l)? = t["__line"] { return Int(l) } else { return 0 } }()
            func fail(_ reason: String) -> ScheduleError { ScheduleError(file: path, line: line, reason: reason) }
            for k in t.keys where k != "__line" && !keys.contains(k) { throw fail("unknown job field '\(k)'") }
            func str(_ k: String) throws -> String? {
                guard let x = t[k] else { return nil }
                guard case .string(let s) = x else { throw fail("'\(k)' must be a string") }
                return s
            }
            func num(_ k: String) throws -> Double? {
                guard let x = t[k] else { return nil }
                switch x {
                case .integer(let i): return Double(i)
                case .number(let d): return d
                default: throw fail("'\(k)' must be a number")
                }
            }
            func strings(_ k: String) throws -> [String] {
                guard let x = t[k] else { return [] }
                guard case .table(let a) = x else { throw fail("'\(k)' must be an array of strings") }
                return try a.sorted { "\($0.key)".count != "\($1.key)".count ? "\($0.key)".count < "\($1.key)".count : "\($0.key)" < "\($1.key)" }.map {
                    switch $0.value {
                    case .string(let s): return s
                    case .integer(let i): return String(i)
                    case .number(let d): return LuaValue.format(d)
                    default: throw fail("'\(k)' must be an array of strings")
                    }
                }
            }
            func abs(_ p: String) -> String { p.hasPrefix("/") ? p : dir + "/" + p }
            guard let name = try str("name"), !name.isEmpty else { throw fail("job needs a name") }
            guard names.insert(name).inserted else { throw fail("job '\(name)' is defined twice") }
            guard let cronText = try str("cron") else { throw fail("job '\(name)': cron is required") }
            let cron: CronExpression
            do { cron = try CronExpression(cronText) } catch { throw fail("job '\(name)': bad cron '\(cronText)': \(error)") }
            let tzName = try str("tz") ?? "UTC"
            guard let tz = TimeZone(identifier: tzName) else { throw fail("job '\(name)': unknown time zone '\(tzName)'") }
            var args: [String]
            let kinds = ["run", "rules", "command"].filter { t[$0] != nil }
            guard kinds.count == 1 else { throw fail("job '\(name)': give exactly one of run = SCRIPT, rules = RULES.lua, command = {...}") }
            switch kinds[0] {
            case "run": args = ["run", abs(try str("run")!)] + (try strings("args"))
            case "rules":
                args = ["rules", "run", abs(try str("rules")!), "--as-of", try str("as_of") ?? "{date}", "--ledger", ledgerPath]
                guard (t["users"] == nil) != (t["script"] == nil) else { throw fail("job '\(name)': rules jobs need users = CSV or script = PIPELINE") }
                if let u = try str("users") { args += ["--users", abs(u)] }
                if let s = try str("script") { args += ["--script", abs(s)] }
                if let o = try str("outbox") { args += ["--outbox", abs(o)] }
                if let k = try str("pseudonymize_key_file") { args += ["--pseudonymize-key-file", abs(k)] }
                if let c = t["include_control"] {
                    guard case .bool(let b) = c else { throw fail("job '\(name)': include_control must be true or false") }
                    if b { args.append("--include-control") }
                }
            default: args = try strings("command")
                guard !args.isEmpty else { throw fail("job '\(name)': command is empty") }
            }
            let catchText = try str("catchup") ?? "skip"
            guard let catchUp = CatchUpPolicy(rawValue: catchText) else { throw fail("job '\(name)': catchup must be skip or once, got '\(catchText)'") }
            let timeout = try num("timeout") ?? 3600, mem = try num("memory_limit") ?? 1024
            let retries = try num("retries") ?? 0, backoff = try num("backoff") ?? 1
            guard timeout > 0, mem > 0 else { throw fail("job '\(name)': timeout and memory_limit must be positive") }
            guard retries >= 0, retries == retries.rounded(), backoff >= 0 else { throw fail("job '\(name)': retries must be a whole number ≥ 0 and backoff ≥ 0") }
            var sandbox = true
            if let s = t["sandbox"] { guard case .bool(let b) = s else { throw fail("'sandbox' must be true or false") }; sandbox = b }
            jobs.append(ScheduledJob(name: name, cron: cron, timeZone: tz, arguments: args, timeout: timeout, memoryLimitMB: mem,
                                     sandbox: sandbox, retries: Int(retries), backoff: backoff, catchUp: catchUp, line: line))
        }
        if jobs.isEmpty { throw ScheduleError(file: path, line: 0, reason: "no jobs (add job{ name = ..., cron = ..., ... })") }
        return jobs
    }

    /// "path:12: message" → (12, "message").
    static func splitLocation(_ message: String, file: String) -> (Int, String) {
        let parts = message.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        if parts.count == 3, let line = Int(parts[1]) { return (line, parts[2].trimmingCharacters(in: .whitespaces)) }
        return (0, message)
    }
}
