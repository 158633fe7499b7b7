/// Civil-calendar conversions for date literals ("2024-10-01") and
/// timestamps ("2024-10-01 12:30:00", ISO-8601 with optional fraction and Z).
/// Proleptic Gregorian, UTC, using Howard Hinnant's days-from-civil algorithm.
public enum DateText {
    public static let microsPerDay: Int64 = 86_400_000_000

    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(days z0: Int) -> (year: Int, month: Int, day: Int) {
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

    /// Parses `YYYY-MM-DD`; nil when malformed or out of range.
    public static func parseDate(_ s: String) -> Int32? {
        let b = Array(s.utf8)
        guard b.count == 10, let (d, _) = parseDay(b) else { return nil }
        return Int32(exactly: d)
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.ffffff]]` or the ISO `T` form with optional `Z`.
    public static func parseTimestamp(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        guard let (d, _) = parseDay(b) else { return nil }
        var us = Int64(d) * microsPerDay
        if b.count == 10 { return us }
        guard b.count >= 16, b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "T"),
              let h = num(b, 11, 2), b[13] == UInt8(ascii: ":"), let mi = num(b, 14, 2), h < 24, mi < 60 else { return nil }
        var i = 16
        var sec = 0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard let s2 = num(b, 17, 2), s2 < 61 else { return nil }
            sec = s2; i = 19
        }
        var frac: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 6 { frac = frac * 10 + Int64(b[i] - 48) }
                digits += 1; i += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 6)..<6 { frac *= 10 }
        }
        if i < b.count, b[i] == UInt8(ascii: "Z") { i += 1 }
        guard i == b.count else { return nil }
        us += Int64(h * 3600 + mi * 60 + sec) * 1_000_000 + frac
        return us
    }

    public static func format(days: Int32) -> String {
        let (y, m, d) = civil(days: Int(days))
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    public static func format(micros: Int64) -> String {
        let day = micros >= 0 ? micros / microsPerDay : (micros - microsPerDay + 1) / microsPerDay
        let rest = micros - day * microsPerDay
        let secs = Int(rest / 1_000_000), frac = Int(rest % 1_000_000)
        var s = format(days: Int32(day)) + " " + pad(secs / 3600, 2) + ":" + pad(secs / 60 % 60, 2) + ":" + pad(secs % 60, 2)
        if frac != 0 { s += "." + pad(frac, 6) }
        return s
    }

    private static func pad(_ v: Int, _ w: Int) -> String {
        let s = String(v)
        return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
    }

    private static func num(_ b: [UInt8], _ at: Int, _ len: Int) -> Int? {
        guard at + len <= b.count else { return nil }
        var v = 0
        for i in at..<(at + len) {
            guard b[i] >= 48, b[i] <= 57 else { return nil }
            v = v * 10 + Int(b[i] - 48)
        }
        return v
    }

    private static func parseDay(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 10, let y = num(b, 0, 4), b[4] == UInt8(ascii: "-"), let m = num(b, 5, 2),
              b[7] == UInt8(ascii: "-"), let d = num(b, 8, 2), (1...12).contains(m), d >= 1 else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let mdays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        guard d <= mdays else { return nil }
        return (days(year: y, month: m, day: d), 10)
    }
}
