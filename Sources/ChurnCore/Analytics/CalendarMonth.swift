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
}
