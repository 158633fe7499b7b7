/// Multi-key sorting. Each key becomes order-preserving 64-bit words (floats by
/// IEEE bit trick, ints with the sign flipped, text by the rank of each
/// dictionary entry in byte order) and the row permutation is radix-sorted
/// key by key from the last to the first (LSD over keys), so the sort is
/// always stable. Nulls go last (or first) for every key; NaN sorts above +inf.

/// One sort key: column name and direction.
public struct SortKey: Sendable {
    public var column: String
    public var descending: Bool
    public init(_ column: String, descending: Bool = false) {
        self.column = column
        self.descending = descending
    }
}

extension Frame {
    /// Rows ordered by `keys` (first key most significant). Always stable: rows
    /// with equal keys keep their input order. `nullsLast` applies to every key
    /// whatever its direction.
    public func sortBy(_ keys: [SortKey], nullsLast: Bool = true) throws -> Frame {
        try take(rows: argsort(keys, nullsLast: nullsLast))
    }

    /// The permutation `sortBy` applies (0-based row indices).
    public func argsort(_ keys: [SortKey], nullsLast: Bool = true) throws -> [Int] {
        guard !keys.isEmpty else { throw FrameError.invalid("sort_by needs at least one key") }
        let cols = try keys.map { try column($0.column) }
        let words = zip(keys, cols).map { Frame.orderWords($1, descending: $0.descending) }
        if let packed = Frame.packKeys(words, cols.map(\.validity), nullsLast: nullsLast) {
            return try RadixSort.stableOrder(Array(0..<nrow), by: packed)
        }
        var perm = Array(0..<nrow)
        for (col, words) in zip(cols, words).reversed() {
            perm = try RadixSort.stableOrder(perm, by: words)
            if let validity = col.validity {
                // Stable partition: nulls to the requested end.
                var valid: [Int] = [], nulls: [Int] = []
                valid.reserveCapacity(perm.count)
                for r in perm { if validity.isValid(r) { valid.append(r) } else { nulls.append(r) } }
                perm = nullsLast ? valid + nulls : nulls + valid
            }
        }
        return perm
    }

    /// All keys packed into one word per row (null flag above each key's value
    /// bits, keys reduced by their minimum), or nil when they need more than
    /// 64 bits. One radix sort on the packed words then orders by every key.
    static func packKeys(_ words: [[UInt64]], _ validity: [Validity?], nullsLast: Bool) -> [UInt64]? {
        guard let n = words.first?.count else { return nil }
        var layout: [(lo: UInt64, bits: Int, hasNulls: Bool)] = []
        var total = 0
        for (w, v) in zip(words, validity) {
            var lo = UInt64.max, hi = UInt64.min
            for i in 0..<n where v?.isValid(i) ?? true { lo = Swift.min(lo, w[i]); hi = Swift.max(hi, w[i]) }
            if lo > hi { lo = 0; hi = 0 }     // all null
            let bits = 64 - (hi &- lo).leadingZeroBitCount
            layout.append((lo, bits, v != nil))
            total += bits + (v != nil ? 1 : 0)
        }
        guard total <= 64 else { return nil }
        var packed = [UInt64](repeating: 0, count: n)
        for ((w, v), key) in zip(zip(words, validity), layout) {
            let width = UInt64(key.bits + (key.hasNulls ? 1 : 0))
            let lo = key.lo
            packed.withUnsafeMutableBufferPointer { p in
                w.withUnsafeBufferPointer { wb in
                    if let v {
                        for i in 0..<n {
                            let isNull = !v.isValid(i)
                            let flag: UInt64 = isNull == nullsLast ? 1 : 0
                            p[i] = (p[i] << width) | (flag << UInt64(key.bits)) | (isNull ? 0 : wb[i] &- lo)
                        }
                    } else {
                        for i in 0..<n { p[i] = (p[i] << width) | (wb[i] &- lo) }
                    }
                }
            }
        }
        return packed
    }

    /// Words whose unsigned order is the column's value order (descending: reversed).
    static func orderWords(_ col: Column, descending: Bool) -> [UInt64] {
        let signFlip: UInt64 = 1 << 63
        var w: [UInt64]
        switch col.data {
        case .float64(let v):
            w = v.map { x in
                let b = x.isNaN ? Double.nan.bitPattern : (x == 0 ? 0 : x.bitPattern)
                return b & signFlip != 0 ? ~b : b | signFlip
            }
        case .int64(let v), .timestamp(let v): w = v.map { UInt64(bitPattern: $0) ^ signFlip }
        case .date(let v): w = v.map { UInt64(bitPattern: Int64($0)) ^ signFlip }
        case .bool(let v): w = v.map { $0 ? 1 : 0 }
        case .string(let c, let d), .category(let c, let d):
            let rank = textRanks(d)
            w = c.map { UInt64(rank[Int($0)]) }
        }
        if descending { for i in 0..<w.count { w[i] = ~w[i] } }
        // Null slots hold arbitrary payload: make them equal so sorting keeps their order.
        if let v = col.validity { for i in 0..<w.count where !v.isValid(i) { w[i] = 0 } }
        return w
    }

    /// Rank of each dictionary entry in byte (code point) order, as pandas and polars sort text.
    static func textRanks(_ dict: [String]) -> [Int32] {
        let order = dict.indices.sorted { dict[$0].utf8.lexicographicallyPrecedes(dict[$1].utf8) }
        var rank = [Int32](repeating: 0, count: dict.count)
        var r: Int32 = -1
        for (k, i) in order.enumerated() {
            if k == 0 || dict[order[k - 1]] != dict[i] { r += 1 }
            rank[i] = r
        }
        return rank
    }
}

/// Stable LSD radix sort of row indices by 64-bit words, 11-bit digits,
/// skipping digits on which all keys agree.
enum RadixSort {
    static func stableOrder(_ perm: [Int], by words: [UInt64]) throws -> [Int] {
        let n = perm.count
        if n < 2 { return perm }
        var keys = [UInt64](unsafeUninitializedCapacity: n) { b, c in
            words.withUnsafeBufferPointer { w in for i in 0..<n { (b.baseAddress! + i).initialize(to: w[perm[i]]) } }
            c = n
        }
        var lo = UInt64.max, hi = UInt64.min
        for k in keys { lo = Swift.min(lo, k); hi = Swift.max(hi, k) }
        if lo == hi { return perm }
        for i in 0..<n { keys[i] &-= lo }
        let span = hi &- lo
        let bits = 64 - span.leadingZeroBitCount
        if n < 256 {
            // Small inputs: a comparison sort on (key, position) is stable and cheaper.
            let order = (0..<n).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
            return order.map { perm[$0] }
        }
        var idx = perm
        var keys2 = [UInt64](repeating: 0, count: n)
        var idx2 = [Int](repeating: 0, count: n)
        let digit = 11, radix = 1 << digit
        var shift = 0
        var counts = [Int](repeating: 0, count: radix)
        while shift < bits {
            try ExecutionContext.check()   // per pass: two sweeps over n keys
            for i in 0..<radix { counts[i] = 0 }
            let s = UInt64(shift), m = UInt64(radix - 1)
            keys.withUnsafeBufferPointer { k in
                counts.withUnsafeMutableBufferPointer { c in for x in k { c[Int((x >> s) & m)] += 1 } }
            }
            if counts.contains(n) { shift += digit; continue }
            var sum = 0
            for i in 0..<radix { let c = counts[i]; counts[i] = sum; sum += c }
            keys.withUnsafeBufferPointer { k in
                idx.withUnsafeBufferPointer { ix in
                    keys2.withUnsafeMutableBufferPointer { k2 in
                        idx2.withUnsafeMutableBufferPointer { i2 in
                            counts.withUnsafeMutableBufferPointer { c in
                                for i in 0..<n {
                                    let d = Int((k[i] >> s) & m)
                                    let p = c[d]; c[d] = p + 1
                                    k2[p] = k[i]; i2[p] = ix[i]
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &keys2); swap(&idx, &idx2)
            shift += digit
        }
        return idx
    }
}
