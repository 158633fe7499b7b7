import Foundation

/// A malformed cron expression: which field and why.
public struct CronError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A standard five-field cron expression: minute hour day-of-month month day-of-week.
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b,c`, and
/// names for months (jan–dec) and weekdays (sun–sat; 0 and 7 are Sunday). As in Vixie
/// cron, when both day-of-month and day-of-week are restricted a day matches if EITHER does.
/// Macros: @yearly @annually @monthly @weekly @daily @midnight @hourly.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let source: String
    let minutes: UInt64      // bits 0–59
    let hours: UInt32        // bits 0–23
    let days: UInt32         // bits 1–31
    let months: UInt16       // bits 1–12
    let weekdays: UInt8      // bits 0–6 (Sunday = 0)
    let domStar: Bool
    let dowStar: Bool

    public var description: String { source }

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    static let macros = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                         "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]

    public init(_ text: String) throws {
        source = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = CronExpression.macros[trimmed.lowercased()] ?? trimmed
        if expanded.hasPrefix("@") { throw CronError("unknown macro '\(trimmed)' (use @hourly, @daily, @weekly, @monthly or @yearly)") }
        let f = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard f.count == 5 else {
            throw CronError("expected 5 fields (minute hour day-of-month month day-of-week), got \(f.count) in '\(text)'")
        }
        minutes = try CronExpression.field(f[0], "minute", 0, 59, names: nil)
        hours = UInt32(try CronExpression.field(f[1], "hour", 0, 23, names: nil))
        days = UInt32(try CronExpression.field(f[2], "day-of-month", 1, 31, names: nil))
        months = UInt16(try CronExpression.field(f[3], "month", 1, 12, names: CronExpression.monthNames, nameBase: 1))
        var dow = try CronExpression.field(f[4], "day-of-week", 0, 7, names: CronExpression.dayNames)
        if dow & (1 << 7) != 0 { dow = (dow | 1) & 0x7F }
        weekdays = UInt8(dow)
        domStar = f[2].hasPrefix("*")
        dowStar = f[4].hasPrefix("*")
    }

    static func field(_ text: String, _ name: String, _ lo: Int, _ hi: Int, names: [String]?, nameBase: Int = 0) throws -> UInt64 {
        func number(_ s: String) throws -> Int {
            if let v = Int(s) {
                guard v >= lo && v <= hi else { throw CronError("\(name) value \(v) is out of range \(lo)-\(hi)") }
                return v
            }
            if let names, let k = names.firstIndex(of: s.lowercased()) { return k + nameBase }
            throw CronError("\(name) field: '\(s)' is not a number" + (names == nil ? "" : " or a name (\(names!.first!)…\(names!.last!))"))
        }
        guard !text.isEmpty else { throw CronError("\(name) field is empty") }
        var bits: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !item.isEmpty else { throw CronError("\(name) field '\(text)': empty list item") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2 else { throw CronError("\(name) field '\(item)': more than one '/'") }
            var step = 1
            if parts.count == 2 {
                guard let s = Int(parts[1]), s > 0 else { throw CronError("\(name) field '\(item)': step must be a positive number") }
                step = s
            }
            var a: Int, b: Int
            if parts[0] == "*" { a = lo; b = hi }
            else if let dash = parts[0].firstIndex(of: "-") {
                a = try number(String(parts[0][..<dash]))
                b = try number(String(parts[0][parts[0].index(after: dash)...]))
                guard a <= b else { throw CronError("\(name) range '\(parts[0])' runs backwards") }
            } else {
                a = try number(parts[0]); b = parts.count == 2 ? hi : a
            }
            var v = a
            while v <= b { bits |= 1 << UInt64(v); v += step }
        }
        return bits
    }

    /// Does the civil date/time match (weekday: 0 = Sunday)?
    func matchesDay(day: Int, month: Int, weekday: Int) -> Bool {
        guard months & (1 << month) != 0 else { return false }
        let dom = days & (1 << day) != 0, dow = weekdays & (1 << weekday) != 0
        if domStar || dowStar { return dom && dow }
        return dom || dow
    }

    /// The first occurrence strictly after `date`, in `timeZone`, searching up to `years` ahead.
    ///
    /// DST: occurrences are wall-clock times. A time that does not exist on a spring-forward
    /// day is skipped; a time that happens twice on a fall-back day runs once, at its first instant.
    public func next(after date: Date, in timeZone: TimeZone, years: Int = 5) -> Date? {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let start = cal.dateComponents([.year, .month, .day], from: date)
        guard var day = cal.date(from: DateComponents(year: start.year, month: start.month, day: start.day, hour: 12)) else { return nil }
        for _ in 0..<(366 * years + 2) {
            let c = cal.dateComponents([.year, .month, .day, .weekday], from: day)
            if matchesDay(day: c.day!, month: c.month!, weekday: c.weekday! - 1) {
                for h in 0..<24 where hours & (1 << h) != 0 {
                    for m in 0..<60 where minutes & (1 << UInt64(m)) != 0 {
                        let want = DateComponents(year: c.year, month: c.month, day: c.day, hour: h, minute: m)
                        guard let t = cal.date(from: want), t > date else { continue }
                        let back = cal.dateComponents([.year, .month, .day, .hour, .minute], from: t)
                        guard back.hour == h && back.minute == m && back.day == c.day else { continue }   // in a DST gap
                        // Ambiguous (fall-back) times: take the earlier instant.
                        let earlier = t.addingTimeInterval(-3600)
                        let e = cal.dateComponents([.day, .hour, .minute], from: earlier)
                        if e.day == c.day && e.hour == h && e.minute == m {
                            if earlier > date { return earlier }
                            continue     // the first instant already passed: the occurrence ran
                        }
                        return t
                    }
                }
            }
            guard let n = cal.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = n
        }
        return nil
    }

    /// Occurrences in (from, to], at most `limit`.
    public func occurrences(after from: Date, through to: Date, in timeZone: TimeZone, limit: Int = 10_000) -> [Date] {
        var out: [Date] = []
        var t = from
        while out.count < limit, let n = next(after: t, in: timeZone), n <= to { out.append(n); t = n }
        return out
    }
}
