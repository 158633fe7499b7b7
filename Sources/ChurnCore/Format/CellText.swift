import Foundation

/// Text of single cells for display and export.
enum CellText {
    /// Plain text: shortest round-trip floats (`NaN`, `inf`, `-inf`), `true`/`false`,
    /// ISO dates and timestamps; nil for null.
    static func plain(_ c: Column, _ i: Int) -> String? {
        if c.isNull(i) { return nil }
        switch c.data {
        case .float64(let v): return float(v[i])
        case .int64(let v): return String(v[i])
        case .bool(let v): return v[i] ? "true" : "false"
        case .string(let k, let d), .category(let k, let d): return d[Int(k[i])]
        case .date(let v): return date(v[i])
        case .timestamp(let v): return timestamp(v[i])
        }
    }

    static func float(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return x.description
    }

    /// Compact float for tables: the shortest repr when short, else 6 significant digits.
    static func shortFloat(_ x: Double) -> String {
        let s = float(x)
        return s.count <= 10 ? s : String(format: "%.6g", x)
    }

    static func date(_ days: Int32) -> String {
        let (y, m, d) = CivilDate.civil(Int(days))
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// `YYYY-MM-DDTHH:MM:SS` plus `.ffffff` (trailing zeros trimmed) when there is a fraction. UTC.
    static func timestamp(_ us: Int64) -> String {
        let (dayCount, rem) = floorDiv(us, CivilDate.microsPerDay)
        var s = date(Int32(clamping: dayCount)) + "T"
        let secs = Int(rem / 1_000_000), frac = Int(rem % 1_000_000)
        s += pad(secs / 3600, 2) + ":" + pad(secs / 60 % 60, 2) + ":" + pad(secs % 60, 2)
        if frac != 0 {
            var f = pad(frac, 6)
            while f.hasSuffix("0") { f.removeLast() }
            s += "." + f
        }
        return s
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b, r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }

    private static func pad(_ v: Int, _ w: Int) -> String {
        let s = String(abs(v))
        return (v < 0 ? "-" : "") + String(repeating: "0", count: Swift.max(0, w - s.count)) + s
    }
}

/// Terminal display width: East Asian wide and fullwidth characters take two
/// columns, combining marks and format characters none.
enum DisplayWidth {
    static func of(_ s: String) -> Int {
        var w = 0
        for u in s.unicodeScalars { w += of(u) }
        return w
    }

    static func of(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x300 { return v < 0x20 || (v >= 0x7F && v < 0xA0) ? 0 : 1 }
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v) {
            return 2
        }
        return 1
    }

    /// `s` cut to at most `width` columns, ending in `…` when cut.
    static func truncate(_ s: String, to width: Int) -> String {
        if of(s) <= width { return s }
        var out = ""
        var w = 0
        for ch in s {
            let cw = of(String(ch))
            if w + cw > width - 1 { break }
            out.append(ch); w += cw
        }
        return out + "…"
    }

    static func padRight(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - of(s))) }
    static func padLeft(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - of(s))) + s }
}
