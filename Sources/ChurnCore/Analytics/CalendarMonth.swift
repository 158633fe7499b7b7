/// Calendar months for day numbers (days since 1970-01-01, proleptic Gregorian,
/// UTC). A month index is `year * 12 + (month − 1)`.
enum CalendarMonth {
    /// (year, month 1…12, day 1…31) of a day number.
    static func civil(_ z: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let c = DateText.civil(days: Int(z))
        return (Int64(c.year), Int64(c.month), Int64(c.day))
    }

    /// Day number of a civil date.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        Int64(DateText.days(year: Int(year), month: Int(month), day: Int(day)))
    }

    static func index(ofDay d: Int64) -> Int64 { let c = civil(d); return c.year * 12 + c.month - 1 }
    static func firstDay(ofIndex i: Int64) -> Int64 {
        let y = i >= 0 ? i / 12 : -((-i + 11) / 12)
        return days(year: y, month: i - y * 12 + 1, day: 1)
    }

    /// Days in month `m` (1…12) of year `y`.
    static func length(year y: Int64, month m: Int64) -> Int64 {
        let i = y * 12 + m - 1
        return firstDay(ofIndex: i + 1) - firstDay(ofIndex: i)
    }

    /// The number of whole calendar months from `start` to `end` (µs since epoch), or nil
    /// when the span is not k ≥ 1 whole months. The end must fall at the same time of day
    /// on the same day of the month — clamped to shorter months (Jan 31 → Feb 29 is one
    /// month) — or both ends must be month-ends (Feb 29 → Mar 31, billing anchored on the 31st).
    static func wholeMonths(from start: Int64, to end: Int64) -> Int64? {
        let dayMicros = TimeUnit.microsPerDay
        guard end > start else { return nil }
        let (sd, st) = CellText.floorDiv(start, dayMicros), (ed, et) = CellText.floorDiv(end, dayMicros)
        guard st == et else { return nil }
        let a = civil(sd), b = civil(ed)
        let k = (b.year * 12 + b.month) - (a.year * 12 + a.month)
        guard k >= 1 else { return nil }
        let bLen = length(year: b.year, month: b.month)
        if b.day == min(a.day, bLen) { return k }
        if a.day == length(year: a.year, month: a.month) && b.day == bLen { return k }
        return nil
    }
}
