/// A compiled strftime-like pattern for parsing dates and timestamps from bytes.
/// Directives: `%Y` (4-digit year), `%y` (2-digit year: 69–99 → 19xx, 00–68 → 20xx),
/// `%m`, `%d`, `%H`, `%M`, `%S` (1–2 digits), `%f` (1–9 fraction digits, kept to µs),
/// `%z` (`Z`, `±HH`, `±HHMM`, `±HH:MM`), `%b` (English month abbreviation, any case),
/// `%j` (day of year, 1–3 digits), `%F` (= `%Y-%m-%d`), `%T` (= `%H:%M:%S`), `%%`.
/// Any other character must match itself.
public struct TimeFormat: Sendable, Equatable {
    enum Token: Sendable, Equatable {
        case literal(UInt8), year4, year2, month, day, hour, minute, second, fraction, offset, monthName, dayOfYear
    }
    let tokens: [Token]
    public let pattern: String

    public init(_ pattern: String) throws {
        var out: [Token] = []
        var it = Array(pattern.utf8).makeIterator()
        while let c = it.next() {
            guard c == 37 else { out.append(.literal(c)); continue }
            guard let d = it.next() else { throw CSVError.option("time format '\(pattern)' ends with a lone %") }
            switch d {
            case UInt8(ascii: "Y"): out.append(.year4)
            case UInt8(ascii: "y"): out.append(.year2)
            case UInt8(ascii: "m"): out.append(.month)
            case UInt8(ascii: "d"): out.append(.day)
            case UInt8(ascii: "H"): out.append(.hour)
            case UInt8(ascii: "M"): out.append(.minute)
            case UInt8(ascii: "S"): out.append(.second)
            case UInt8(ascii: "f"): out.append(.fraction)
            case UInt8(ascii: "z"): out.append(.offset)
            case UInt8(ascii: "b"): out.append(.monthName)
            case UInt8(ascii: "j"): out.append(.dayOfYear)
            case UInt8(ascii: "F"): out += [.year4, .literal(45), .month, .literal(45), .day]
            case UInt8(ascii: "T"): out += [.hour, .literal(58), .minute, .literal(58), .second]
            case 37: out.append(.literal(37))
            default:
                throw CSVError.option("unsupported directive %\(Character(Unicode.Scalar(d))) in time format '\(pattern)' "
                                      + "(supported: %Y %y %m %d %H %M %S %f %z %b %j %F %T %%)")
            }
        }
        tokens = out
        self.pattern = pattern
    }

    private static let months: [UInt32] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .map { s in s.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }

    /// µs since the epoch (UTC), or nil when the bytes do not match the pattern exactly.
    func parseMicros(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        var i = 0
        var y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0, doy = -1
        var frac: Int64 = 0
        var off = 0
        func num(_ maxDigits: Int, _ minDigits: Int = 1) -> Int? {
            var v = 0, k = 0
            while k < maxDigits, i < n, FieldParse.isDigit(p[i]) { v = v * 10 + Int(p[i] &- 48); i += 1; k += 1 }
            return k >= minDigits ? v : nil
        }
        for t in tokens {
            switch t {
            case .literal(let c): guard i < n, p[i] == c else { return nil }; i += 1
            case .year4: guard let v = num(4, 4) else { return nil }; y = v
            case .year2: guard let v = num(2, 2) else { return nil }; y = v < 69 ? 2000 + v : 1900 + v
            case .month: guard let v = num(2), v >= 1, v <= 12 else { return nil }; mo = v
            case .day: guard let v = num(2), v >= 1 else { return nil }; d = v
            case .hour: guard let v = num(2), v < 24 else { return nil }; h = v
            case .minute: guard let v = num(2), v < 60 else { return nil }; mi = v
            case .second: guard let v = num(2), v < 61 else { return nil }; s = v
            case .dayOfYear: guard let v = num(3), v >= 1, v <= 366 else { return nil }; doy = v
            case .fraction:
                var k = 0
                while i < n, FieldParse.isDigit(p[i]) {
                    if k < 6 { frac = frac * 10 + Int64(p[i] &- 48) }
                    k += 1; i += 1
                }
                guard k > 0, k <= 9 else { return nil }
                for _ in min(k, 6)..<6 { frac *= 10 }
            case .offset:
                var j = i
                if j < n, p[j] == 90 { j += 1 } else {
                    guard j < n, p[j] == 43 || p[j] == 45 else { return nil }
                    j += 1
                    while j < n, FieldParse.isDigit(p[j]) || p[j] == 58 { j += 1 }
                }
                guard let o = FieldParse.offsetSeconds(p + i, j - i) else { return nil }
                off = o; i = j
            case .monthName:
                guard i + 3 <= n else { return nil }
                let w = (UInt32(p[i] | 0x20) << 16) | (UInt32(p[i + 1] | 0x20) << 8) | UInt32(p[i + 2] | 0x20)
                guard let k = TimeFormat.months.firstIndex(of: w) else { return nil }
                mo = k + 1; i += 3
            }
        }
        guard i == n else { return nil }
        let days: Int
        if doy > 0 {
            guard doy <= (CivilDate.isLeap(y) ? 366 : 365) else { return nil }
            days = CivilDate.days(y, 1, 1) + doy - 1
        } else {
            guard d <= CivilDate.daysInMonth(y, mo) else { return nil }
            days = CivilDate.days(y, mo, d)
        }
        return Int64(days) * CivilDate.microsPerDay + Int64(h * 3600 + mi * 60 + s - off) * 1_000_000 + frac
    }

    /// Days since the epoch when the value is a whole day (no time of day), else nil.
    func parseDays(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        guard let us = parseMicros(p, n) else { return nil }
        let (q, r) = us.quotientAndRemainder(dividingBy: CivilDate.microsPerDay)
        return r == 0 ? Int32(exactly: q) : nil
    }
}
