import Foundation

/// A bad schedule file entry: the line it starts on and why.
public struct ScheduleError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let line: Int
    public let reason: String
    public init(file: String, line: Int, reason: String) { self.file = file; self.line = line; self.reason = reason }
    public var description: String { "\(file):\(line): \(reason)" }
}

/// What to do about occurrences missed while no scheduler was running.
public enum CatchUpPolicy: String, Sendable, CaseIterable {
    /// Record them as skipped; run only occurrences that are due now.
    case skip
    /// Run the most recent missed occurrence once; record the older ones as skipped.
    case once
}

/// One scheduled job. `arguments` are `churnlab` arguments (e.g. `["rules", "run", ...]`
/// or `["run", "script.lua"]`); `{date}` in them becomes the occurrence's local date
/// (YYYY-MM-DD) and `{time}` its ISO instant.
public struct ScheduledJob: Sendable {
    public var name: String
    public var cron: CronExpression
    public var timeZone: TimeZone
    public var arguments: [String]
    /// Per-attempt wall-clock limit (the child is killed after it) and the Lua limits passed on.
    public var timeout: Double
    public var memoryLimitMB: Double
    /// Lua scripts run with --sandbox unless false.
    public var sandbox: Bool
    public var retries: Int
    /// First retry delay; doubles each retry.
    public var backoff: Double
    public var catchUp: CatchUpPolicy
    /// Line of the job in the schedule file.
    public var line: Int

    public init(name: String, cron: CronExpression, timeZone: TimeZone = TimeZone(identifier: "UTC")!, arguments: [String],
                timeout: Double = 3600, memoryLimitMB: Double = 1024, sandbox: Bool = true, retries: Int = 0, backoff: Double = 1,
                catchUp: CatchUpPolicy = .skip, line: Int = 0) {
        self.name = name; self.cron = cron; self.timeZone = timeZone; self.arguments = arguments; self.timeout = timeout
        self.memoryLimitMB = memoryLimitMB; self.sandbox = sandbox; self.retries = retries; self.backoff = backoff
        self.catchUp = catchUp; self.line = line
    }

    /// Delay before retry `k` (1-based): backoff × 2^(k−1).
    public func retryDelay(_ k: Int) -> Double { backoff * pow(2, Double(max(0, k - 1))) }

    /// Arguments with `{date}` / `{time}` filled for an occurrence.
    public func arguments(for occurrence: Date) -> [String] {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let c = cal.dateComponents([.year, .month, .day], from: occurrence)
        let date = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        let time = ScheduleClock.iso(occurrence)
        return arguments.map { $0.replacingOccurrences(of: "{date}", with: date).replacingOccurrences(of: "{time}", with: time) }
    }
}

/// Which occurrences a job should run now, given the last claimed one.
public enum SchedulePlanner {
    public struct Plan: Sendable, Equatable {
        /// Occurrences to record as skipped.
        public var skip: [Date]
        /// Occurrences to run (at most one unless nothing was missed).
        public var run: [Date]
    }

    /// Occurrences in (last, now] — with no `last`, only one in the `grace` seconds before now.
    /// An occurrence older than `grace` is "missed": the policy decides.
    public static func plan(_ job: ScheduledJob, last: Date?, now: Date, grace: Double = 60) -> Plan {
        let from = last ?? now.addingTimeInterval(-grace)
        let due = job.cron.occurrences(after: from, through: now, in: job.timeZone)
        guard !due.isEmpty else { return Plan(skip: [], run: []) }
        let onTime = due.filter { now.timeIntervalSince($0) <= grace }
        let missed = due.filter { now.timeIntervalSince($0) > grace }
        switch job.catchUp {
        case .skip: return Plan(skip: missed, run: onTime)
        case .once:
            if !onTime.isEmpty { return Plan(skip: missed, run: onTime) }
            return Plan(skip: Array(missed.dropLast()), run: [missed.last!])
        }
    }
}

public enum ScheduleClock {
    public static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }
    public static func parse(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s)
    }
}
