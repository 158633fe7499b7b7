#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Byte-level parsers for CSV fields: no `String` is created for numbers,
/// booleans, dates or timestamps. Each returns nil when the bytes are not a
/// complete, valid value of the type.
enum FieldParse {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }

    /// `[+-]?[0-9]+` within Int64 range.
    @inline(__always) static func int64(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        if n == 0 { return nil }
        var i = 0
        var neg = false
        if p[0] == 45 || p[0] == 43 { neg = p[0] == 45; i = 1; if n == 1 { return nil } }
        if n - i > 19 { return nil }   // 19 digits always fit UInt64
        var v: UInt64 = 0
        while i < n {
            let d = p[i] &- 48
            if d >= 10 { return nil }
            v = v &* 10 &+ UInt64(d)
            i += 1
        }
        if neg { return v <= UInt64(Int64.max) + 1 ? Int64(bitPattern: 0 &- v) : nil }
        return v <= UInt64(Int64.max) ? Int64(v) : nil
    }

    /// `[+-]?[0-9]+`, of any length (an integer literal, whether or not it fits Int64).
    static func isIntegerSyntax(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = n > 0 && (p[0] == 45 || p[0] == 43) ? 1 : 0
        if i == n { return false }
        while i < n { if !isDigit(p[i]) { return false }; i += 1 }
        return true
    }

    /// Decimal float (`12`, `-1.5`, `.5`, `3.`, `1e-5`, `2.5E+10`) or the specials
    /// `NaN`, `nan`, `inf`, `Inf`, `Infinity` with optional sign. Correctly rounded:
    /// an exact fast path when the mantissa fits 2^53 and |exponent| ≤ 22, `strtod` otherwise.
    @inline(__always) static func double(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        if n == 0 { return nil }
        var i = 0
        let neg = p[0] == 45
        if neg || p[0] == 43 { i = 1 }
        var mant: UInt64 = 0
        let intStart = i
        while i < n {
            let d = p[i] &- 48
            if d >= 10 { break }
            mant = mant &* 10 &+ UInt64(d)
            i += 1
        }
        var digits = i - intStart
        var exp10 = 0
        if i < n, p[i] == 46 {
            i += 1
            let fracStart = i
            while i < n {
                let d = p[i] &- 48
                if d >= 10 { break }
                mant = mant &* 10 &+ UInt64(d)
                i += 1
            }
            exp10 = fracStart - i
            digits += i - fracStart
        }
        if digits == 0 { return special(p, n) }
        if i < n, p[i] | 0x20 == 101 {   // e / E
            i += 1
            var eneg = false
            if i < n, p[i] == 45 || p[i] == 43 { eneg = p[i] == 45; i += 1 }
            if i == n { return nil }
            var e = 0
            while i < n {
                let d = p[i] &- 48
                if d >= 10 { break }
                if e < 100_000 { e = e * 10 + Int(d) }
                i += 1
            }
            exp10 += eneg ? -e : e
        }
        if i != n { return nil }
        // Clinger's fast path: an exact mantissa times an exact power of ten rounds once.
        if digits <= 19, mant <= 1 << 53, exp10 >= -22, exp10 <= 22 {
            var v = Double(mant)
            v = exp10 < 0 ? v / PowersOfTen.exact(-exp10) : v * PowersOfTen.exact(exp10)
            return neg ? -v : v
        }
        return slowDouble(p, n)
    }

    // MARK: Word-at-a-time fast paths
    //
    // Most numeric CSV fields are short plain decimals (`23`, `104.85`, `-0.5457`). These
    // parse them from one 8-byte load without a branch per byte: the field must be followed
    // by at least 8 - n readable bytes (`word(_:_:)`). They accept exactly the plain forms
    // `[+-]?[0-9]*[.]?[0-9]*` with at least one digit, 8 bytes at most, and
    // return nil for everything else, which the callers then hand to the full parsers above —
    // so results are those of the full parsers, bit for bit.

    /// The n ≤ 8 bytes at p as a little-endian word, the bytes past n zero. 8 bytes from p must be readable.
    @inline(__always) static func word(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let w = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        return n >= 8 ? w : w & ((1 &<< UInt64(truncatingIfNeeded: 8 &* n)) &- 1)
    }

    @inline(__always) private static var bytes30: UInt64 { 0x3030_3030_3030_3030 }

    /// The low n bytes of a word set to 0xFF (0 ≤ n ≤ 8).
    @inline(__always) private static func lowBytes(_ n: Int) -> UInt64 {
        n >= 8 ? ~0 : (1 &<< UInt64(truncatingIfNeeded: 8 &* n)) &- 1
    }

    /// True when every byte of w is an ASCII digit.
    @inline(__always) private static func allDigits(_ w: UInt64) -> Bool {
        // A byte is a digit iff its high nibble is 3 and stays 3 after adding 6. A carry out
        // of a byte ≥ 0xFA can only spoil the next byte's second test, and such a byte
        // already fails the first.
        let f: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        return w & f == bytes30 && (w &+ 0x0606_0606_0606_0606) & f == bytes30
    }

    /// The value of m ≥ 1 digit values (0…9) held in bytes 0..<m of v, byte 0 most significant.
    @inline(__always) private static func digitsValue(_ v: UInt64, _ m: Int) -> UInt64 {
        var x = v &<< UInt64(truncatingIfNeeded: 8 &* (8 &- m))   // leading zeros in the low bytes
        x = x &* 10 &+ (x >> 8)
        x = ((x & 0x0000_00FF_0000_00FF) &* 0x000F_4240_0000_0064
            &+ ((x >> 16) & 0x0000_00FF_0000_00FF) &* 0x0000_2710_0000_0001) >> 32
        return x
    }

    /// The field's word without a leading '+' or '-': (bytes, their count m ≥ 1, negative), or nil
    /// when n > 8 or only a sign is left.
    @inline(__always) private static func unsigned(word w0: UInt64, _ n: Int) -> (UInt64, Int, Bool)? {
        var w = w0, m = n
        let c = UInt8(truncatingIfNeeded: w)
        let neg = c == 45
        if neg || c == 43 { w >>= 8; m &-= 1 }
        guard m >= 1, n <= 8 else { return nil }
        return (w, m, neg)
    }

    /// `[+-]?[0-9]+` in n ≤ 8 bytes, from the field's `word`: the value `int64(_:_:)` gives, or nil (not that form).
    @inline(__always) static func int64(word w0: UInt64, _ n: Int) -> Int64? {
        guard let (w, m, neg) = unsigned(word: w0, n) else { return nil }
        let keep = lowBytes(m)
        let filled = (w & keep) | (bytes30 & ~keep)
        guard allDigits(filled) else { return nil }
        let v = Int64(truncatingIfNeeded: digitsValue(filled &- bytes30, m))
        return neg ? -v : v
    }

    /// `[+-]?[0-9]*[.]?[0-9]*` in n ≤ 8 bytes with at least one digit, from the field's `word`:
    /// the value `double(_:_:)` gives, or nil (not that form).
    @inline(__always) static func double(word w0: UInt64, _ n: Int) -> Double? {
        guard let (w, m, neg) = unsigned(word: w0, n) else { return nil }
        let keep = lowBytes(m)
        // The first '.' (the lowest zero byte of w ^ '.' is exact), or m when there is none.
        let t = w ^ 0x2E2E_2E2E_2E2E_2E2E
        let dots = (t &- 0x0101_0101_0101_0101) & ~t & 0x8080_8080_8080_8080 & keep
        let d = dots == 0 ? m : dots.trailingZeroBitCount >> 3
        let digitBytes = keep & ~(dots == 0 ? 0 : 0xFF &<< UInt64(truncatingIfNeeded: 8 &* d))
        let filled = (w & digitBytes) | (bytes30 & ~digitBytes)
        guard allDigits(filled) else { return nil }
        let nd = dots == 0 ? m : m &- 1        // digits
        guard nd >= 1 else { return nil }
        // Digit values with the '.' taken out: bytes below d stay, bytes above move down one.
        let v = filled &- bytes30
        let below = lowBytes(d)
        let joined = (v & below) | ((v >> 8) & ~below)
        let mant = digitsValue(joined, nd)
        // mant < 10^8 and 10^(m - 1 - d) ≤ 10^7 are exact: one correctly rounded division (Clinger).
        var r = Double(Int64(truncatingIfNeeded: mant))
        if dots != 0 { r = r / PowersOfTen.exact(m &- 1 &- d) }
        return neg ? -r : r
    }

    /// strtod on a NUL-terminated copy; the syntax was already validated.
    static func slowDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf in
            for k in 0..<n { buf[k] = CChar(bitPattern: p[k]) }
            buf[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(buf.baseAddress!, &end)
            return end == buf.baseAddress! + n ? v : nil
        }
    }

    private static func special(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        var i = 0
        var neg = false
        if p[0] == 45 || p[0] == 43 { neg = p[0] == 45; i = 1 }
        let rest = UnsafeBufferPointer(start: p + i, count: n - i)
        func eq(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == rest.count && memcmp(s.utf8Start, rest.baseAddress!, rest.count) == 0
        }
        if i == 0, eq("NaN") || eq("nan") { return .nan }
        if eq("inf") || eq("Inf") || eq("Infinity") || eq("infinity") { return neg ? -.infinity : .infinity }
        return nil
    }

    /// `true`/`false` in lower, Title or UPPER case.
    @inline(__always) static func bool(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool? {
        if n == 4 {
            let w = UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
            if w == 0x6575_7274 || w == 0x6575_7254 || w == 0x4555_5254 { return true } // true True TRUE
        } else if n == 5 {
            let s = UnsafeBufferPointer(start: p, count: 5)
            if s.elementsEqual("false".utf8) || s.elementsEqual("False".utf8) || s.elementsEqual("FALSE".utf8) { return false }
        }
        return nil
    }

    @inline(__always) static func twoDigits(_ p: UnsafePointer<UInt8>) -> Int? {
        let a = p[0] &- 48, b = p[1] &- 48
        return a < 10 && b < 10 ? Int(a) * 10 + Int(b) : nil
    }

    /// `YYYY-MM-DD` → days since 1970-01-01.
    @inline(__always) static func isoDate(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        guard n == 10, p[4] == 45, p[7] == 45,
              let y1 = twoDigits(p), let y2 = twoDigits(p + 2),
              let m = twoDigits(p + 5), let d = twoDigits(p + 8) else { return nil }
        let y = y1 * 100 + y2
        guard m >= 1, m <= 12, d >= 1, d <= CivilDate.daysInMonth(y, m) else { return nil }
        return Int32(CivilDate.days(y, m, d))
    }

    /// ISO-8601 timestamp → µs since the epoch, UTC: `YYYY-MM-DD` then `T` or space,
    /// `HH:MM[:SS[.fraction]]`, optional `Z`, `±HH`, `±HHMM` or `±HH:MM`. A bare date is midnight.
    /// Fractions beyond microseconds are truncated. Without an offset the time is taken as UTC.
    static func isoTimestamp(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n >= 10, let days = isoDate(p, 10) else { return nil }
        var us = Int64(days) * CivilDate.microsPerDay
        if n == 10 { return us }
        guard n >= 16, p[10] == 84 || p[10] == 32, p[13] == 58,
              let hh = twoDigits(p + 11), let mm = twoDigits(p + 14), hh < 24, mm < 60 else { return nil }
        var i = 16
        var sec = 0
        var frac: Int64 = 0
        if i < n, p[i] == 58 {
            guard n >= i + 3, let s = twoDigits(p + i + 1), s < 61 else { return nil }
            sec = s; i += 3
            if i < n, p[i] == 46 || p[i] == 44 {
                i += 1
                var k = 0
                while i < n, isDigit(p[i]) {
                    if k < 6 { frac = frac * 10 + Int64(p[i] &- 48) }
                    k += 1; i += 1
                }
                if k == 0 { return nil }
                while k < 6 { frac *= 10; k += 1 }
            }
        }
        us += Int64(hh * 3600 + mm * 60 + sec) * 1_000_000 + frac
        if i == n { return us }
        guard let off = offsetSeconds(p + i, n - i) else { return nil }
        return us - Int64(off) * 1_000_000
    }

    /// `Z`, `±HH`, `±HHMM`, `±HH:MM` → seconds east of UTC.
    static func offsetSeconds(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        if n == 1, p[0] == 90 { return 0 }
        guard n >= 3, p[0] == 43 || p[0] == 45, let h = twoDigits(p + 1), h <= 23 else { return nil }
        var m = 0
        if n == 5 { guard let mm = twoDigits(p + 3), mm < 60 else { return nil }; m = mm }
        else if n == 6 { guard p[3] == 58, let mm = twoDigits(p + 4), mm < 60 else { return nil }; m = mm }
        else if n != 3 { return nil }
        let s = h * 3600 + m * 60
        return p[0] == 45 ? -s : s
    }
}

/// Proleptic Gregorian calendar arithmetic (H. Hinnant's days-from-civil algorithms).
enum CivilDate {
    static let microsPerDay: Int64 = 86_400_000_000

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a civil date.
    @inline(__always) static func days(_ y: Int, _ m: Int, _ d: Int) -> Int { DateText.days(year: y, month: m, day: d) }

    /// Civil date of days since 1970-01-01.
    @inline(__always) static func civil(_ z: Int) -> (year: Int, month: Int, day: Int) { DateText.civil(days: z) }
}
