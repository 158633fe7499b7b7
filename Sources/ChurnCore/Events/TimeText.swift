import Foundation

extension TimeUnit {
    /// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM", "YYYY-MM-DD HH:MM:SS[.ffffff]"
    /// (optional trailing "Z"; always UTC) into µs since the epoch; nil if malformed.
    public static func parse(_ text: String) -> Int64? {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        if s.hasSuffix("Z") { s = s.dropLast() }
        let parts = s.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: { $0 == "T" || $0 == " " })
        let ymd = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard ymd.count == 3, ymd[0].count == 4, ymd[1].count == 2, ymd[2].count == 2,
              let y = Int64(ymd[0]), let m = Int64(ymd[1]), let d = Int64(ymd[2]),
              (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
        var micros = CalendarMonth.days(year: y, month: m, day: d) * microsPerDay
        guard parts.count == 2 else { return micros }
        let hms = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 2 || hms.count == 3, hms[0].count == 2, hms[1].count == 2,
              let h = Int64(hms[0]), let mi = Int64(hms[1]), h < 24, mi < 60 else { return nil }
        micros += h * 3_600_000_000 + mi * microsPerMinute
        if hms.count == 3 {
            let sec = hms[2].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard sec[0].count == 2, let ss = Int64(sec[0]), ss < 60 else { return nil }
            micros += ss * microsPerSecond
            if sec.count == 2 {
                let f = sec[1]
                guard (1...6).contains(f.count), f.allSatisfy({ $0.isASCII && $0.isNumber }), var frac = Int64(f) else { return nil }
                for _ in f.count..<6 { frac *= 10 }
                micros += frac
            }
        }
        return micros
    }

    private static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        let next = m == 12 ? CalendarMonth.days(year: y + 1, month: 1, day: 1) : CalendarMonth.days(year: y, month: m + 1, day: 1)
        return next - CalendarMonth.days(year: y, month: m, day: 1)
    }
}

/// Times of a column in µs since the epoch: timestamp, date (midnight UTC), or
/// ISO text (each distinct text parsed once). `isDate` is true for date columns
/// and for text holding dates only. Nulls become `Int64.max` when allowed,
/// otherwise an error naming the row.
func timeValues(_ c: Column, allowNull: Bool) throws -> (values: [Int64], isDate: Bool) {
    var out: [Int64]
    var isDate: Bool
    switch c.data {
    case .timestamp(let v): out = v; isDate = false
    case .date(let v): out = v.map { Int64($0) * TimeUnit.microsPerDay }; isDate = true
    case .string(let codes, let dict), .category(let codes, let dict):
        var parsed = [Int64](repeating: 0, count: dict.count)
        var used = [Bool](repeating: false, count: dict.count)
        for (i, code) in codes.enumerated() where !c.isNull(i) { used[Int(code)] = true }
        isDate = true
        for k in 0..<dict.count where used[k] {
            guard let t = TimeUnit.parse(dict[k]) else {
                let row = (0..<codes.count).first { Int(codes[$0]) == k && !c.isNull($0) } ?? 0
                throw EventError.invalidValue(column: c.name, row: row,
                                              message: "'\(dict[k])' is not a date or time like 2024-06-01 or 2024-06-01T12:00:00")
            }
            parsed[k] = t
            if dict[k].count > 10 { isDate = false }
        }
        out = codes.map { parsed[Int($0)] }
    default:
        throw EventError.columnType(column: c.name, expected: "timestamp, date or date text", got: c.dtype)
    }
    if let v = c.validity {
        for i in 0..<out.count where !v.isValid(i) {
            guard allowNull else { throw EventError.nullValue(column: c.name, row: i) }
            out[i] = Int64.max
        }
    }
    return (out, isDate)
}
