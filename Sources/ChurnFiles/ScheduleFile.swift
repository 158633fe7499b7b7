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
/// Every problem of the file is reported (`FILE:LINE: reason`, one per line)
/// before the scheduler starts, not only the first: `schedule --check` is how
/// an operator finds them all at once. Numbers are range-checked here (the
/// scheduler computes deadlines and retry counts from them), strings may not
/// hold NUL (they become process arguments), and the files a job runs must exist.
public enum ScheduleFile {
    static let keys: Set<String> = ["name", "cron", "tz", "run", "args", "rules", "users", "script", "outbox", "as_of", "command",
                                    "timeout", "memory_limit", "sandbox", "retries", "backoff", "catchup", "pseudonymize_key_file",
                                    "include_control"]

    /// Largest schedule file read (a schedule is a few lines per job).
    public static let maxBytes = 1 << 20

    /// Accepted ranges of the numeric fields: (range, whole numbers only).
    public static let limits: [String: (ClosedRange<Double>, integral: Bool)] = [
        "timeout": (1e-3...2_592_000, false),          // seconds, up to 30 days
        "memory_limit": (1...1_048_576, false),         // MB, up to 1 TiB
        "retries": (0...100, true),
        "backoff": (0...86_400, false),                 // seconds before the first retry, up to a day
    ]

    /// Reads and validates the schedule file at `path`.
    /// `usersFromServer` (`schedule --source serve`): a rules job may give neither users nor script; its
    /// users table is then read from the server at each occurrence.
    public static func load(_ path: String, ledgerPath: String, usersFromServer: Bool = false) throws -> [ScheduledJob] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
              let data = FileManager.default.contents(atPath: path) else {
            throw ScheduleFileErrors([ScheduleError(file: path, line: 0, reason: "cannot open the schedule file")])
        }
        guard data.count <= maxBytes else {
            throw ScheduleFileErrors([ScheduleError(file: path, line: 0, reason: "the schedule file is larger than \(maxBytes) bytes")])
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path, ledgerPath: ledgerPath, usersFromServer: usersFromServer)
    }

    /// Validates schedule file text; `path` names it in errors and anchors relative paths.
    public static func parse(_ text: String, path: String, ledgerPath: String, usersFromServer: Bool = false) throws -> [ScheduledJob] {
        let tables = try evaluate(text, path: path)
        let dirPart = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let dir = URL(fileURLWithPath: dirPart.isEmpty ? "." : dirPart).standardizedFileURL.path
        var jobs: [ScheduledJob] = [], errors: [ScheduleError] = []
        var names = Set<String>()
        for (line, fields) in tables {
            var reader = JobReader(fields: fields, line: line, file: path, directory: dir, usersFromServer: usersFromServer)
            if let job = reader.job(ledgerPath: ledgerPath, names: &names) { jobs.append(job) }
            errors += reader.errors
        }
        if tables.isEmpty { errors.append(ScheduleError(file: path, line: 0, reason: "no jobs (add job{ name = ..., cron = ..., ... })")) }
        guard errors.isEmpty else { throw ScheduleFileErrors(errors) }
        return jobs
    }

    /// Runs the file in a small Lua state (no io/os/debug/require, text chunks
    /// only: a crafted binary chunk can crash Lua) and returns each `job{}`
    /// table's fields with its line, in file order.
    static func evaluate(_ text: String, path: String) throws -> [(line: Int, fields: [String: LuaValue])] {
        let state = try LuaState(LuaOptions(limits: LuaLimits(timeout: 5, memoryBytes: LuaLimits.megabytes(64)), sandbox: nil))
        try state.run("""
            local jobs, getinfo, rawload = {}, debug.getinfo, load
            function job(t)
              if type(t) ~= "table" then error("job{...} expects a table, got " .. type(t), 2) end
              jobs[#jobs + 1] = { line = getinfo(2, "l").currentline, fields = t }
            end
            function __jobs() return jobs end
            load = function(chunk, name, mode, ...)   -- text only; an absent env stays absent
              if select("#", ...) > 0 then return rawload(chunk, name, "t", ...) end
              return rawload(chunk, name, "t")
            end
            debug, os, io, package, require, dofile, loadfile, string.dump = nil, nil, nil, nil, nil, nil, nil, nil
            """, name: "=schedule")
        var source = text
        if source.hasPrefix("#") {   // a shebang line, skipped as lua does, keeping line numbers
            if let nl = source.firstIndex(of: "\n") { source = "--" + source[nl...] } else { source = "" }
        }
        do {
            try state.load(string: source, name: "@" + path)
            try state.pcall(nargs: 0, nresults: 0)
        } catch let e as LuaError {
            let (line, reason) = splitLocation(e.message, file: path)
            throw ScheduleFileErrors([ScheduleError(file: path, line: line, reason: reason)])
        }
        try state.load(string: "return __jobs()", name: "=schedule")
        try state.pcall(nargs: 0, nresults: 1)
        let value = state.value(at: -1, depth: 5)
        state.pop()
        guard case .table(let list) = value else { return [] }
        return list.compactMap { entry -> (Int, Int, [String: LuaValue])? in
            guard case .integer(let order) = entry.key, case .table(let job) = entry.value else { return nil }
            var line = 0, fields: [String: LuaValue] = [:]
            for (k, v) in job {
                if case .string("line") = k, case .integer(let l) = v { line = Int(clamping: l) }
                if case .string("fields") = k, case .table(let kv) = v {
                    for (fk, fv) in kv { if case .string(let s) = fk { fields[s] = fv } else { fields["[\(fk)]"] = fv } }
                }
            }
            return (Int(clamping: order), line, fields)
        }.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
    }

    /// "path:12: message" → (12, "message").
    static func splitLocation(_ message: String, file: String) -> (Int, String) {
        let parts = message.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        if parts.count == 3, let line = Int(parts[1]) { return (line, parts[2].trimmingCharacters(in: .whitespaces)) }
        return (0, message)
    }
}

/// All problems found in a schedule file, in file order.
public struct ScheduleFileErrors: Error, CustomStringConvertible {
    public let errors: [ScheduleError]
    public init(_ errors: [ScheduleError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Reads one `job{}` table, collecting every problem instead of stopping at the first.
struct JobReader {
    let fields: [String: LuaValue]
    let line: Int
    let file: String
    let directory: String
    var usersFromServer = false
    var errors: [ScheduleError] = []
    var name = ""

    private mutating func fail(_ reason: String) {
        errors.append(ScheduleError(file: file, line: line, reason: name.isEmpty ? reason : "job '\(name)': \(reason)"))
    }

    mutating func string(_ k: String) -> String? {
        guard let x = fields[k] else { return nil }
        guard case .string(let s) = x else { fail("'\(k)' must be a string, got \(x.typeName)"); return nil }
        guard !s.contains("\0") else { fail("'\(k)' contains a NUL byte"); return nil }
        return s
    }

    /// A number in the field's documented range (`ScheduleFile.limits`), or `default`.
    mutating func number(_ k: String, default d: Double) -> Double {
        guard let x = fields[k] else { return d }
        let v: Double
        switch x {
        case .integer(let i): v = Double(i)
        case .number(let n): v = n
        default: fail("'\(k)' must be a number, got \(x.typeName)"); return d
        }
        let (range, integral) = ScheduleFile.limits[k]!
        guard v.isFinite, range.contains(v), !integral || v == v.rounded() else {
            let kind = integral ? "a whole number" : "a number"
            func show(_ b: Double) -> String { b == b.rounded() ? String(Int(b)) : "\(b)" }
            fail("'\(k)' must be \(kind) in \(show(range.lowerBound))...\(show(range.upperBound)), got \(x)")
            return d
        }
        return v
    }

    /// An array of strings (numbers are accepted and formatted as Lua prints them).
    mutating func strings(_ k: String) -> [String] {
        guard let x = fields[k] else { return [] }
        guard case .table(let a) = x else { fail("'\(k)' must be an array of strings"); return [] }
        var out = [String?](repeating: nil, count: a.count)
        for (key, value) in a {
            guard case .integer(let i) = key, i >= 1, i <= Int64(a.count) else { fail("'\(k)' must be an array of strings (key \(key))"); return [] }
            switch value {
            case .string(let s) where !s.contains("\0"): out[Int(i) - 1] = s
            case .string: fail("'\(k)'[\(i)] contains a NUL byte"); return []
            case .integer(let n): out[Int(i) - 1] = String(n)
            case .number(let d): out[Int(i) - 1] = LuaValue.format(d)
            default: fail("'\(k)'[\(i)] must be a string, got \(value.typeName)"); return []
            }
        }
        return out.compactMap { $0 }
    }

    func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : directory + "/" + p }

    /// `p` (relative to the schedule) as an absolute path, which must be an existing regular file.
    mutating func existingFile(_ k: String) -> String? {
        guard let p = string(k) else { return nil }
        let a = absolute(p)
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: a, isDirectory: &isDir) { fail("\(k) file '\(a)' does not exist") }
        else if isDir.boolValue { fail("\(k) file '\(a)' is a directory") }
        return a
    }

    mutating func job(ledgerPath: String, names: inout Set<String>) -> ScheduledJob? {
        for k in fields.keys.sorted() where !ScheduleFile.keys.contains(k) { fail("unknown job field '\(k)'") }
        // A bad name is reported and the rest of the job still checked (messages then carry no name).
        var n = string("name") ?? ""   // a wrong type or NUL is reported by string()
        if n.isEmpty {
            if fields["name"] == nil || fields["name"] == .string("") { fail("job needs a name") }
        } else if n.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            fail("job name contains a control character"); n = ""
        } else if !names.insert(n).inserted {
            fail("job '\(n)' is defined twice"); n = ""
        }
        name = n
        var cron: CronExpression?
        if let text = string("cron") {
            do { cron = try CronExpression(text) } catch { fail("bad cron '\(text)': \(error)") }
        } else if fields["cron"] == nil { fail("cron is required") }
        let tzName = string("tz") ?? "UTC"
        let tz = TimeZone(identifier: tzName)
        if tz == nil { fail("unknown time zone '\(tzName)'") }
        var args: [String] = []
        let kinds = ["run", "rules", "command"].filter { fields[$0] != nil }
        if kinds.count != 1 {
            fail("give exactly one of run = SCRIPT, rules = RULES.lua, command = {...}")
        } else {
            switch kinds[0] {
            case "run":
                if let s = existingFile("run") { args = ["run", s] + strings("args") }
            case "rules":
                if let r = existingFile("rules") {
                    args = ["rules", "run", r, "--as-of", string("as_of") ?? "{date}", "--ledger", ledgerPath]
                }
                if fields["users"] != nil && fields["script"] != nil { fail("rules jobs need users = CSV or script = PIPELINE") }
                else if fields["users"] == nil && fields["script"] == nil && !usersFromServer {
                    fail("rules jobs need users = CSV or script = PIPELINE (or run the scheduler with --source serve)")
                }
                if let u = existingFile("users") { args += ["--users", u] }
                if let s = existingFile("script") { args += ["--script", s] }
                if let o = string("outbox") { args += ["--outbox", absolute(o)] }
                if let k = existingFile("pseudonymize_key_file") { args += ["--pseudonymize-key-file", k] }
                if let c = fields["include_control"] {
                    if case .bool(let b) = c { if b { args.append("--include-control") } }
                    else { fail("'include_control' must be true or false") }
                }
            default:
                args = strings("command")
                if args.isEmpty && errors.isEmpty { fail("command is empty") }
            }
        }
        let catchText = string("catchup") ?? "skip"
        let catchUp = CatchUpPolicy(rawValue: catchText)
        if catchUp == nil { fail("catchup must be skip or once, got '\(catchText)'") }
        let timeout = number("timeout", default: 3600), mem = number("memory_limit", default: 1024)
        let retries = number("retries", default: 0), backoff = number("backoff", default: 1)
        var sandbox = true
        if let s = fields["sandbox"] {
            if case .bool(let b) = s { sandbox = b } else { fail("'sandbox' must be true or false") }
        }
        guard errors.isEmpty, !n.isEmpty, let cron, let tz, let catchUp else { return nil }
        return ScheduledJob(name: n, cron: cron, timeZone: tz, arguments: args, timeout: timeout, memoryLimitMB: mem,
                            sandbox: sandbox, retries: Int(retries), backoff: backoff, catchUp: catchUp, line: line)
    }
}

extension LuaValue {
    /// Lua's name for the value's type, for messages.
    var typeName: String {
        switch self {
        case .nil: return "nil"
        case .bool: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .table: return "table"
        case .other(let t): return t
        }
    }
}
