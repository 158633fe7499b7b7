/// Hash grouping on typed keys: every row gets a dense group id, numbered in
/// order of first appearance. Shared by group_by, join, distinct, pivot,
/// nunique and the splits.
///
/// Keys are first turned into 64-bit words that compare equal exactly when the
/// values do (ints and dates by value, floats by normalized bit pattern, text by
/// a code into a merged dictionary, so frames with different dictionaries agree).
/// Small integer ranges (dictionary codes, user ids) use a direct-address table;
/// everything else an open-addressing hash table.
struct Factorized {
    /// Group id per row, 0..<count.
    var ids: [Int32]
    var count: Int
    /// First row of each group.
    var firstRow: [Int]
}

enum Factorizer {
    /// Key words for the concatenation of `parts` (one key column per frame,
    /// e.g. the left and right join key). Nulls are reported in the returned
    /// validity; their words are 0.
    static func keyWords(_ parts: [Column]) throws -> (words: [UInt64], validity: Validity?, smallRange: Bool) {
        guard let first = parts.first else { return ([], nil, true) }
        for p in parts where p.dtype != first.dtype && !(p.data.isText && first.data.isText) {
            throw FrameError.invalid("key column '\(p.name)' is \(p.dtype.rawValue) but '\(first.name)' is \(first.dtype.rawValue)")
        }
        var words: [UInt64] = []
        words.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        var small = false
        switch first.data {
        case .string, .category:
            var merger = DictionaryMerger()
            for p in parts {
                guard case .string(let c, let d) = p.data.textView else { continue }
                let map = merger.add(d)
                c.withUnsafeBufferPointer { cb in
                    for x in cb { words.append(UInt64(UInt32(bitPattern: map[Int(x)]))) }
                }
            }
            small = true
        case .bool:
            for p in parts { if case .bool(let v) = p.data { for b in v { words.append(b ? 1 : 0) } } }
            small = true
        case .float64:
            for p in parts {
                if case .float64(let v) = p.data {
                    for x in v { words.append(x == 0 ? 0 : (x.isNaN ? Double.nan.bitPattern : x.bitPattern)) }
                }
            }
        case .int64, .timestamp:
            for p in parts {
                switch p.data {
                case .int64(let v), .timestamp(let v): words.append(contentsOf: v.lazy.map { UInt64(bitPattern: $0) })
                default: break
                }
            }
        case .date:
            for p in parts { if case .date(let v) = p.data { words.append(contentsOf: v.lazy.map { UInt64(bitPattern: Int64($0)) }) } }
        }
        var validity: Validity? = nil
        if parts.contains(where: { $0.validity != nil }) {
            var w = [UInt64](repeating: 0, count: (words.count + 63) >> 6)
            var off = 0
            for p in parts {
                for i in 0..<p.count where !p.isNull(i) { w[(off + i) >> 6] |= 1 << UInt64((off + i) & 63) }
                off += p.count
            }
            validity = Validity(words: w, count: words.count)
            // Null slots hold arbitrary payload; zero them so they never look like values.
            for i in 0..<words.count where !validity!.isValid(i) { words[i] = 0 }
        }
        return (words, validity, small)
    }

    /// Dense ids for `words`, first-appearance order. Null rows (per `validity`)
    /// form one group of their own.
    static func factorize(_ words: [UInt64], validity: Validity? = nil) -> Factorized {
        words.withUnsafeBufferPointer { factorize($0, validity: validity) }
    }

    /// Generic core over any integer payload (UInt64 words, Int64 values, Int32 codes),
    /// so single integer keys are grouped straight from column storage.
    static func factorize<T: FixedWidthInteger>(_ w: UnsafeBufferPointer<T>, validity: Validity?) -> Factorized {
        let n = w.count
        var ids = [Int32](repeating: 0, count: n)
        var firstRow: [Int] = []
        var nullId: Int32 = -1
        // Signed range check for the direct-address fast path.
        var lo = Int64.max, hi = Int64.min
        for x in w { let v = Int64(truncatingIfNeeded: x); if v < lo { lo = v }; if v > hi { hi = v } }
        let direct: Bool = {
            if n == 0 { return true }
            let (s, overflow) = hi.subtractingReportingOverflow(lo)
            return !overflow && s >= 0 && s < Int64(max(4 * n, 1 << 16)) && s < Int64(Int32.max)
        }()
        if direct && n >= 1 << 20 && Int(hi &- lo) + 1 <= n / 8 {
            return factorizeDirectParallel(w, validity: validity, lo: lo, size: Int(hi &- lo) + 1)
        }
        ids.withUnsafeMutableBufferPointer { out in
            if direct {
                let size = n == 0 ? 0 : Int(hi &- lo) + 1
                var table = [Int32](repeating: -1, count: size)
                table.withUnsafeMutableBufferPointer { t in
                    for i in 0..<n {
                        if let validity, !validity.isValid(i) {
                            if nullId < 0 { nullId = Int32(firstRow.count); firstRow.append(i) }
                            out[i] = nullId; continue
                        }
                        let slot = Int(Int64(truncatingIfNeeded: w[i]) &- lo)
                        var g = t[slot]
                        if g < 0 { g = Int32(firstRow.count); t[slot] = g; firstRow.append(i) }
                        out[i] = g
                    }
                }
            } else {
                var table = HashIndex(capacity: 1024)
                for i in 0..<n {
                    if let validity, !validity.isValid(i) {
                        if nullId < 0 { nullId = Int32(firstRow.count); firstRow.append(i) }
                        out[i] = nullId; continue
                    }
                    let g = table.idOrInsert(UInt64(truncatingIfNeeded: w[i]), next: Int32(firstRow.count))
                    if g == Int32(firstRow.count) { firstRow.append(i) }
                    out[i] = g
                }
            }
        }
        return Factorized(ids: ids, count: firstRow.count, firstRow: firstRow)
    }

    /// Direct-address grouping in two parallel passes over fixed row chunks
    /// (so the result never depends on the thread count): (1) each chunk notes
    /// the first row of every key it holds; the earliest chunk wins, and the
    /// first rows, visited in row order, number the groups; (2) every row looks
    /// up its group. Used when the key range is small next to the row count.
    static func factorizeDirectParallel<T: FixedWidthInteger>(_ w: UnsafeBufferPointer<T>, validity: Validity?,
                                                              lo: Int64, size: Int) -> Factorized {
        let n = w.count
        let chunks = Parallel.ranges(n, chunks: 8)
        // Pass 1: per-chunk first rows (slot `size` stands for null).
        let firsts: [[Int]] = Parallel.mapChunks(n, chunks: chunks.count) { r in
            var first = [Int](repeating: -1, count: size + 1)
            first.withUnsafeMutableBufferPointer { f in
                for i in r {
                    let slot: Int
                    if let validity, !validity.isValid(i) { slot = size } else { slot = Int(Int64(truncatingIfNeeded: w[i]) &- lo) }
                    if f[slot] < 0 { f[slot] = i }
                }
            }
            return first
        }
        var first = firsts[0]
        for f in firsts.dropFirst() { for s in 0...size where first[s] < 0 && f[s] >= 0 { first[s] = f[s] } }
        // Number groups by first row: set bits for first rows, then walk them in order.
        var isFirst = [UInt64](repeating: 0, count: (n + 63) >> 6)
        for s in 0...size where first[s] >= 0 { isFirst[first[s] >> 6] |= 1 << UInt64(first[s] & 63) }
        var idOfSlot = [Int32](repeating: -1, count: size + 1)
        var firstRow: [Int] = []
        for (k, var word) in isFirst.enumerated() {
            while word != 0 {
                let i = k << 6 + word.trailingZeroBitCount
                word &= word - 1
                let slot: Int
                if let validity, !validity.isValid(i) { slot = size } else { slot = Int(Int64(truncatingIfNeeded: w[i]) &- lo) }
                idOfSlot[slot] = Int32(firstRow.count)
                firstRow.append(i)
            }
        }
        // Pass 2: look up every row's group.
        var ids = [Int32](repeating: 0, count: n)
        ids.withUnsafeMutableBufferPointer { out in
            idOfSlot.withUnsafeBufferPointer { table in
                let o = out.baseAddress!
                Parallel.forEach(chunks.count) { c in
                    for i in chunks[c] {
                        if let validity, !validity.isValid(i) { o[i] = table[size]; continue }
                        o[i] = table[Int(Int64(truncatingIfNeeded: w[i]) &- lo)]
                    }
                }
            }
        }
        return Factorized(ids: ids, count: firstRow.count, firstRow: firstRow)
    }

    /// Group ids of one column, straight from its storage when it is an integer type.
    static func factorize(column c: Column) throws -> Factorized {
        switch c.data {
        case .int64(let v), .timestamp(let v): return v.withUnsafeBufferPointer { factorize($0, validity: c.validity) }
        case .date(let v): return v.withUnsafeBufferPointer { factorize($0, validity: c.validity) }
        case .string(let codes, let d), .category(let codes, let d):
            // Codes are unique per entry unless the dictionary repeats a string.
            if Set(d).count == d.count { return codes.withUnsafeBufferPointer { factorize($0, validity: c.validity) } }
            fallthrough
        default:
            let (w, v, _) = try keyWords([c])
            return factorize(w, validity: v)
        }
    }

    /// Group ids for the row-wise combination of several key columns, each given
    /// as parts (one per frame). Rows with a null in a key group with each other.
    static func factorize(keys: [[Column]]) throws -> Factorized {
        guard !keys.isEmpty else { throw FrameError.invalid("no key columns given") }
        var acc: Factorized? = nil
        for parts in keys {
            let f: Factorized
            if parts.count == 1 { f = try factorize(column: parts[0]) } else {
                let (w, v, _) = try keyWords(parts)
                f = factorize(w, validity: v)
            }
            guard let prev = acc else { acc = f; continue }
            // Combine (previous id, this id) into one word and re-factorize.
            var combined = [UInt64](repeating: 0, count: f.ids.count)
            let card = UInt64(f.count)
            for i in 0..<combined.count {
                combined[i] = UInt64(UInt32(bitPattern: prev.ids[i])) &* card &+ UInt64(UInt32(bitPattern: f.ids[i]))
            }
            acc = factorize(combined)
        }
        return acc!
    }

    /// Whether row `i` of the concatenated key parts has a null in any key.
    static func nullRows(keys: [[Column]], total: Int) -> [Bool]? {
        var out: [Bool]? = nil
        for parts in keys where parts.contains(where: { $0.validity != nil }) {
            if out == nil { out = [Bool](repeating: false, count: total) }
            var off = 0
            for p in parts {
                if p.validity != nil { for i in 0..<p.count where p.isNull(i) { out![off + i] = true } }
                off += p.count
            }
        }
        return out
    }
}

/// Open-addressing map from 64-bit keys to dense ids (linear probing, power-of-two size).
struct HashIndex {
    private var keys: [UInt64]
    private var vals: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        vals = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    @inline(__always) static func hash(_ k: UInt64) -> Int {
        var h = k &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }

    /// The id stored for `key`, or `next` after inserting it.
    @inline(__always) mutating func idOrInsert(_ key: UInt64, next: Int32) -> Int32 {
        if count * 2 >= mask { grow() }
        var slot = HashIndex.hash(key) & mask
        while true {
            let v = vals[slot]
            if v < 0 { keys[slot] = key; vals[slot] = next; count += 1; return next }
            if keys[slot] == key { return v }
            slot = (slot + 1) & mask
        }
    }

    /// The id for `key`, or -1.
    @inline(__always) func find(_ key: UInt64) -> Int32 {
        var slot = HashIndex.hash(key) & mask
        while true {
            let v = vals[slot]
            if v < 0 { return -1 }
            if keys[slot] == key { return v }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let oldK = keys, oldV = vals
        let size = (mask + 1) * 2
        keys = [UInt64](repeating: 0, count: size)
        vals = [Int32](repeating: -1, count: size)
        mask = size - 1
        for i in 0..<oldV.count where oldV[i] >= 0 {
            var slot = HashIndex.hash(oldK[i]) & mask
            while vals[slot] >= 0 { slot = (slot + 1) & mask }
            keys[slot] = oldK[i]; vals[slot] = oldV[i]
        }
    }
}
