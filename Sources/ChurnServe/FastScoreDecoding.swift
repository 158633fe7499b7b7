/// `/v1/score` bodies for a model whose inputs are all numeric features (no
/// pipeline), read in one pass straight into row-major values in the model's
/// feature order: no JSON tree, no frame (a booster scores those rows as they
/// are; other models take them as columns). Rows normally list the features in
/// the model's order, all written alike: each key is first compared with the
/// expected name only, and the rows after the first with the first row's bytes
/// between values (`WordStrings`, `sameLayout`); other orders and layouts fall
/// back to a scan of the names.
///
/// Accept-only (see `FastJSONScanner`): nil for anything unusual — an unknown,
/// repeated or missing key, a string value, an escape, too many rows — and
/// the strict path then answers, with the same result or the error naming
/// the field. A test checks both paths agree on random bodies.
enum FastScoreDecoding {
    struct Batch {
        /// Row-major: feature f of row r at `r · featureCount + f`, in the model's feature order; NaN for null.
        let values: [Double]
        let featureCount: Int
        let nrow: Int
        let reasons: Bool

        /// One column per model feature, `nrow` values each.
        var columns: [[Double]] {
            values.withUnsafeBufferPointer { v in
                (0..<featureCount).map { c in
                    [Double](unsafeUninitializedCapacity: nrow) { out, n in
                        for r in 0..<nrow { out[r] = v[r * featureCount + c] }
                        n = nrow
                    }
                }
            }
        }
    }

    private static let rowsKey = Array("rows".utf8), reasonsKey = Array("reasons".utf8)

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, names: [[UInt8]], maxRows: Int) -> Batch? {
        var s = FastJSONScanner(bytes)
        let nf = names.count
        guard nf > 0, s.take(0x7B) else { return nil }
        // Word tables, built once a second row follows (a single row is read
        // without them: building them would cost it half as much again).
        var keys: WordStrings?        // the quoted names
        var gaps: WordStrings?        // from the first row
        var reasons: Bool?
        var values: [Double] = []     // row-major while reading
        var nrow = 0, sawRows = false
        // One row is read into `row`, then appended whole: every feature is set
        // exactly once in an accepted row (no repeat, `seen == nf`), so nothing
        // needs filling first. `stamp`: the row that last set each feature.
        // `starts`/`ends`: where the first row's values begin and end. One
        // allocation for the four (a single-row request is ~100 us of server
        // CPU, and per-request allocations show there).
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 4 * nf * 8, alignment: 8)
        let row = scratch.bindMemory(to: Double.self, capacity: nf)
        let stamp = (scratch + nf * 8).bindMemory(to: Int.self, capacity: 3 * nf), starts = stamp + nf, ends = starts + nf
        stamp.initialize(repeating: -1, count: nf)
        defer { scratch.deallocate(); keys?.free(); gaps?.free() }
        while true {
            guard let key = s.plainString(), s.take(0x3A) else { return nil }
            if s.equals(key, reasonsKey) {
                guard reasons == nil else { return nil }
                if s.literal("true") { reasons = true } else if s.literal("false") { reasons = false } else { return nil }
            } else if s.equals(key, rowsKey) {
                guard !sawRows, s.take(0x5B) else { return nil }
                sawRows = true
                if s.peek() == 0x5D { return nil }   // empty: the strict path names the error
                var inOrder = true                   // the first row's keys in the model's order
                repeat {
                    guard nrow < maxRows, s.take(0x7B) else { return nil }
                    if nrow == 1 {
                        keys = WordStrings(quoting: names)
                        if inOrder { gaps = WordStrings(gapsOf: bytes, starts: starts, ends: ends, count: nf) }
                    }
                    let rowStart = s.i
                    var seen = 0
                    if s.peek() != 0x7D {
                        while true {
                            var c = -1
                            if seen > 0 {
                                // After a value: the gap the first row had before this feature's value
                                // (`, "name": `, its own spacing), else `,` and a key read as below, else the end.
                                if seen < nf, let g = gaps, g.take(seen, &s) { c = seen } else if !s.take(0x2C) { break }
                            }
                            if c < 0 {
                                // Expected position first (word compares), then a scan.
                                s.skipSpace()
                                if seen < nf, let w = keys, w.take(seen, &s) { c = seen } else {
                                    guard let k = s.plainString() else { return nil }
                                    if seen < nf, s.equals(k, names[seen]) { c = seen }
                                    else { for j in 0..<nf where s.equals(k, names[j]) { c = j; break } }
                                }
                                guard c >= 0, s.take(0x3A) else { return nil }
                            }
                            guard stamp[c] != nrow else { return nil }
                            stamp[c] = nrow
                            let isNull = s.peek() == 0x6E
                            let at = s.i
                            if isNull {
                                guard s.literal("null") else { return nil }
                                row[c] = .nan
                            } else {
                                guard let x = s.number() else { return nil }
                                row[c] = x
                            }
                            if nrow == 0 {
                                if c != seen { inOrder = false }
                                starts[c] = at; ends[c] = s.i
                            }
                            seen += 1
                            if seen == 1, c == 0, let g = gaps {
                                // The rest of a row laid out like the first, in a loop of its own.
                                let t = Self.sameLayout(&s, g, row, nf)
                                guard t > 0 else { return nil }
                                // The general loop's duplicate check needs the features read (a
                                // complete row needs none: any further key fails `seen == nf`).
                                if t < nf { for j in 1..<t { stamp[j] = nrow } }
                                seen = t
                            }
                        }
                    }
                    guard s.take(0x7D), seen == nf else { return nil }
                    if nrow == 0 {
                        // Room for as many rows as the rest of the body holds at the first row's length
                        // (+25 %), so a batch is not copied while it grows.
                        let rest = (bytes.count - s.i) / max(1, s.i - rowStart)
                        values.reserveCapacity(nf * min(maxRows, 1 + rest + rest / 4))
                    }
                    values.append(contentsOf: UnsafeBufferPointer(start: row, count: nf))
                    nrow += 1
                } while s.take(0x2C)
                guard s.take(0x5D) else { return nil }
            } else {
                return nil
            }
            if s.take(0x2C) { continue }
            guard s.take(0x7D) else { return nil }
            break
        }
        s.skipSpace()
        guard s.atEnd, sawRows else { return nil }
        return Batch(values: values, featureCount: nf, nrow: nrow, reasons: reasons ?? true)
    }

    /// Reads features 1, 2, … of a row while the bytes before each value are the
    /// first row's (`gaps`): returns the next feature's index (nf: the row is
    /// complete), with the scanner after the last value read; 0 for a value
    /// that is not a number or null (the body is refused). Out of line and
    /// small, so the number reading inlines into it, and on a local copy of the
    /// scanner, so its position stays in a register (through memory, the store
    /// and reload per number cost about 6 % of the decode).
    @inline(never)
    private static func sameLayout(_ scanner: inout FastJSONScanner, _ gaps: WordStrings,
                                   _ row: UnsafeMutablePointer<Double>, _ nf: Int) -> Int {
        var s = scanner
        defer { scanner = s }
        var j = 1
        while j < nf, gaps.take(j, &s) {
            if let x = s.shortNumber() { row[j] = x }
            else if s.peek() == 0x6E { guard s.literal("null") else { return 0 }; row[j] = .nan }
            else { guard let x = s.anyNumber() else { return 0 }; row[j] = x }
            j += 1
        }
        return j
    }

    /// Byte strings in 8-byte words (the first byte lowest), recognised at the
    /// scanner's position by a word compare per 8 bytes rather than byte by byte.
    ///
    /// Two uses. `keys`: each feature's quoted name, for the key at a row's
    /// expected position. `gaps`: learnt from a first row whose keys came in
    /// the model's order, the bytes between feature j-1's value and feature j's
    /// (`, "f7": ` with that body's spacing). The same bytes read the same way
    /// in every row, so a matching gap is the comma, feature j's key and the
    /// colon at once — instead of a comma, a scan to the closing quote, a name
    /// compare and a colon, each after skipping space. A mismatch goes the
    /// general way, so what is accepted does not change.
    struct WordStrings {
        /// Per string j: `meta[j]` = first word · 2^32 + word count · 2^16 + byte length (0: none),
        /// `meta[n + j]` the mask of its last word; the words from `meta[2n]` on. One allocation of
        /// plain words (no reference counting in the loop), freed by `free()`.
        private let meta: UnsafeMutablePointer<UInt64>

        /// Strings j in 0..<n of `length(j)` bytes (nil: none; over 64 bytes: none) given by `byte(j, k)`.
        @inline(__always)
        private init(count n: Int, length: (Int) -> Int?, byte: (Int, Int) -> UInt8) {
            var total = 2 * n
            for j in 0..<n { if let l = length(j), l > 0, l <= 64 { total += (l + 7) / 8 } }
            meta = .allocate(capacity: total)
            meta.initialize(repeating: 0, count: total)
            var next = 2 * n
            for j in 0..<n {
                guard let l = length(j), l > 0, l <= 64 else { continue }
                let words = (l + 7) / 8
                meta[j] = UInt64(next) << 32 | UInt64(words) << 16 | UInt64(l)
                for k in 0..<l { meta[next + k / 8] |= UInt64(byte(j, k)) << (8 * (k % 8)) }
                meta[n + j] = l % 8 == 0 ? ~0 : (1 << (8 * (l % 8))) - 1
                next += words
            }
            self.n = n
        }
        private let n: Int

        /// `"name"` for every name `FastJSONScanner.plainString` reads as it is
        /// (printable ASCII, no quote or backslash); none for the others.
        init(quoting names: [[UInt8]]) {
            self.init(count: names.count, length: { j in
                names[j].allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C } ? names[j].count + 2 : nil
            }, byte: { j, k in k == 0 || k == names[j].count + 1 ? 0x22 : names[j][k - 1] })
        }

        /// The gaps before values 1..<count of a row whose values span `starts[j]..<ends[j]` in `bytes` (entry 0: none).
        init(gapsOf bytes: UnsafeBufferPointer<UInt8>, starts: UnsafePointer<Int>, ends: UnsafePointer<Int>, count n: Int) {
            self.init(count: n, length: { j in j == 0 ? nil : starts[j] - ends[j - 1] }, byte: { j, k in bytes[ends[j - 1] + k] })
        }

        func free() { meta.deallocate() }

        /// Consumes string j if the scanner's next bytes (no space skipped) are it.
        @inline(__always)
        func take(_ j: Int, _ s: inout FastJSONScanner) -> Bool {
            let m = meta[j]
            let words = Int(truncatingIfNeeded: m >> 16) & 0xFFFF
            guard words > 0, let p = s.b.baseAddress, s.b.count &- s.i >= 8 &* words else { return false }
            let at = p + s.i, w = meta + Int(truncatingIfNeeded: m >> 32)
            for k in 0..<(words &- 1) where DigitRun.load(at + 8 &* k) != w[k] { return false }
            guard DigitRun.load(at + 8 &* (words &- 1)) & meta[n &+ j] == w[words &- 1] else { return false }
            s.i &+= Int(truncatingIfNeeded: m & 0xFFFF)
            return true
        }
    }
}
