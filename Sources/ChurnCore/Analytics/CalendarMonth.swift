/// Calendar months for day numbers (days since 1970-01-01, proleptic Gregorian,
/// UTC). A month index is `year * 12 + (month − 1)`.
enum CalendarMonth {
    /// (year, month 1…12, day 1…31) of a day number (H. Hinnant's civil_from_days).
    static func civil(_ z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Day number of a civil date (days_from_civil).
    static func days(year y0: Int64, month m: Int64, day d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func index(ofDay d: Int64) -> Int64 { let c = civil(d); return c.year * 12 + c.month - 1 }
    static func firstDay(ofIndex i: Int64) -> Int64 {
        let y = i >= 0 ? i / 12 : -((-i + 11) / 12)
        return days(year: y, month: i - y * 12 + 1, day: 1)
    }
}
