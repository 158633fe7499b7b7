/// Column chunk statistics as Parquet stores them (the `Statistics` struct of a
/// column chunk's metadata): the null count and the min and max values in
/// PLAIN encoding without a length prefix (little-endian INT32/INT64/DOUBLE, one
/// byte for BOOLEAN, the raw UTF-8 bytes of text). Text is ordered bytewise
/// (unsigned), the UTF8 sort order. Floats follow the format's rules: NaN is
/// never a bound (a chunk of only NaN has none), a zero minimum is written as
/// -0.0 and a zero maximum as +0.0.
struct ParquetStatistics: Sendable, Equatable {
    var nullCount: Int
    var min: [UInt8]?
    var max: [UInt8]?

    /// Statistics of `c` over `rows` (the non-null rows of a chunk).
    init(_ c: Column, rows: [Int]) {
        nullCount = 0
        min = nil; max = nil
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        switch c.data {
        case .float64(let x):
            var lo = Double.infinity, hi = -Double.infinity, any = false
            for i in rows where !x[i].isNaN { lo = Swift.min(lo, x[i]); hi = Swift.max(hi, x[i]); any = true }
            if any {
                if lo == 0 { lo = -0.0 }
                if hi == 0 { hi = 0.0 }
                min = le(lo.bitPattern); max = le(hi.bitPattern)
            }
        case .int64(let x), .timestamp(let x):
            if let lo = rows.lazy.map({ x[$0] }).min(), let hi = rows.lazy.map({ x[$0] }).max() { min = le(lo); max = le(hi) }
        case .date(let x):
            if let lo = rows.lazy.map({ x[$0] }).min(), let hi = rows.lazy.map({ x[$0] }).max() { min = le(lo); max = le(hi) }
        case .bool(let x):
            if !rows.isEmpty {
                let anyFalse = rows.contains { !x[$0] }, anyTrue = rows.contains { x[$0] }
                min = [anyFalse ? 0 : 1]; max = [anyTrue ? 1 : 0]
            }
        case .string(let codes, let dict), .category(let codes, let dict):
            // Each dictionary entry used once compared (bytewise), not every row.
            var used = [Bool](repeating: false, count: dict.count)
            for i in rows { used[Int(codes[i])] = true }
            var lo: [UInt8]? = nil, hi: [UInt8]? = nil
            for (k, s) in dict.enumerated() where used[k] {
                let b = Array(s.utf8)
                if lo == nil || b.lexicographicallyPrecedes(lo!) { lo = b }
                if hi == nil || hi!.lexicographicallyPrecedes(b) { hi = b }
            }
            min = lo; max = hi
        }
    }
}
