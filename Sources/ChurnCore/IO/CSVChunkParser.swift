/// Parses the records of one chunk of a CSV buffer (a byte range that starts
/// at a record boundary) into per-column builders.
///
/// Quoting follows RFC 4180 with one strictness rule that makes parallel
/// splitting exact: every `"` toggles the quoted state, so the state at any
/// byte is the parity of the quotes before it. A quote inside an unquoted
/// field, or text after a closing quote, makes the field malformed (a bad row)
/// but never shifts record boundaries.
struct CSVChunkParser {
    /// What a file column becomes: an output builder index, or -1 (not read).
    let target: [Int]
    let sep: UInt8
    let na: NAMatcher
    let policy: BadRowPolicy
    let temporal: TemporalParsers
    /// Record ordinals to pass over (second pass after a skip in the first).
    let skipRecords: Set<Int>

    var builders: [ColumnBuilder]
    /// Rows kept, newlines seen, records seen (including skipped ones).
    var rows = 0
    var newlines = 0
    var records = 0
    /// Chunk-relative line (0-based), 0-based file column or nil, reason.
    var problems: [(line: Int, column: Int?, reason: String)] = []
    var skipped: [Int] = []
    /// Set under `BadRowPolicy.error`: parsing stopped at this problem.
    var failed = false
    /// Builders that met text under inference; the chunk must be parsed again with them as text.
    var needsText: [Int] = []
    /// Parsing stopped early because the work was cancelled (checked every 16384 records); the result is incomplete.
    var cancelled = false

    private var scratch: [UInt8] = []

    /// Frees the builders' storage (for a parse that is thrown away).
    mutating func releaseBuilders() {
        for b in builders.indices { builders[b].release() }
    }

    init(target: [Int], builders: [ColumnBuilder], sep: UInt8, na: NAMatcher, policy: BadRowPolicy,
         temporal: TemporalParsers, skipRecords: Set<Int> = []) {
        self.target = target; self.builders = builders; self.sep = sep; self.na = na
        self.policy = policy; self.temporal = temporal; self.skipRecords = skipRecords
    }

    /// Parses bytes [start, end) of `base`, of which bytes [0, readable) may be read
    /// (readable ≥ end; fields followed by 8 readable bytes take the word-at-a-time number parsers).
    mutating func run(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, readable: Int) {
        // The builders are moved out and used through a buffer pointer, so the hot loop
        // pays no copy-on-write checks; they are put back on every exit.
        var owned = builders
        builders = []
        owned.withUnsafeMutableBufferPointer { bs in parse(base, start, end, max(end, readable), bs) }
        builders = owned
    }

    private mutating func parse(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ readable: Int,
                                _ builders: UnsafeMutableBufferPointer<ColumnBuilder>) {
        let sep = self.sep, na = self.na, temporal = self.temporal
        let target = self.target
        let ncol = target.count
        // Every separator, newline and quote of the chunk, found by the vector kernel
        // `ck_csv_specials` one window at a time (offsets from the window start). Unquoted
        // fields end at the next one; quoted fields scan their bytes themselves, and the
        // cursor then passes over the offsets they covered.
        let window = 1 << 16
        let specials = UnsafeMutablePointer<UInt32>.allocate(capacity: window + 8)
        defer { specials.deallocate() }
        var winStart = start, winEnd = start, winCount = 0, at = 0
        /// First index ≥ from (or `end`) holding the separator, a newline or a quote.
        @inline(__always) func nextSpecial(_ from: Int) -> Int {
            while true {
                while at < winCount {
                    let q = winStart &+ Int(specials[at])
                    if q >= from { return q }
                    at &+= 1
                }
                if winEnd >= end { return end }
                winStart = Swift.max(from, winEnd)
                winEnd = Swift.min(end, winStart + window)
                winCount = Int(ck_csv_specials(base + winStart, Int64(winEnd - winStart), sep, specials))
                at = 0
            }
        }

        var pos = start
        while pos < end {
            if records & 0x3FFF == 0 && ExecutionContext.isCancelled { cancelled = true; return }
            let recordLine = newlines
            let passOver = !skipRecords.isEmpty && skipRecords.contains(records)
            var field = 0
            var rowProblem: (line: Int, column: Int?, reason: String)? = nil
            var stopDelivering = passOver
            var recordEnded = false
            while !recordEnded {
                let fieldLine = newlines
                var fs = pos, fe = pos
                var quoted = false, escaped = false
                // A literal, not a String: a String local costs a release call on every field.
                var malformed: StaticString? = nil
                var next = end          // where the following field or record starts
                var endsRecord = true
                if pos < end, base[pos] == 34 {
                    quoted = true
                    fs = pos + 1
                    var i = fs
                    var closed = false
                    while i < end {
                        let b = base[i]
                        if b == 34 {
                            if i + 1 < end, base[i + 1] == 34 { escaped = true; i += 2; continue }
                            closed = true
                            break
                        }
                        if b == 10 { newlines += 1 }
                        i += 1
                    }
                    fe = i
                    if !closed {
                        malformed = "unterminated quote"
                        next = end
                    } else {
                        i += 1
                        if i >= end { next = end }
                        else if base[i] == sep { next = i + 1; endsRecord = false }
                        else if base[i] == 10 { next = i + 1; newlines += 1 }
                        else if base[i] == 13, i + 1 < end, base[i + 1] == 10 { next = i + 2; newlines += 1 }
                        else if base[i] == 13, i + 1 == end { next = end }
                        else {
                            malformed = "unexpected text after a closing quote"
                            (next, endsRecord) = skipMalformed(base, i, end, sep, inQuote: false)
                        }
                    }
                } else {
                    let i = nextSpecial(pos)
                    fe = i
                    if i >= end { next = end }
                    else if base[i] == sep { next = i + 1; endsRecord = false }
                    else if base[i] == 10 { next = i + 1; newlines += 1 }
                    else {
                        malformed = "quote inside an unquoted field"
                        (next, endsRecord) = skipMalformed(base, i + 1, end, sep, inQuote: true)
                    }
                    if endsRecord, fe > fs, base[fe - 1] == 13 { fe -= 1 }
                }
                // A blank line (empty, or only spaces and tabs) is no record, whatever the
                // number of columns, as pandas' skip_blank_lines=True; a null in a one-column
                // file is written NA or similar.
                if field == 0, endsRecord, !quoted, malformed == nil, isBlank(base, fs, fe) {
                    pos = next
                    recordEnded = true
                    field = -1
                    break
                }
                if field < ncol, !stopDelivering {
                    let b = target[field]
                    if b >= 0 {
                        if let m = malformed {
                            if !report(&rowProblem, fieldLine, field, "\(m)", builders, b, stop: &stopDelivering) { return }
                        } else {
                            let outcome: ColumnBuilder.Outcome
                            if escaped {
                                unescape(base + fs, fe - fs)
                                outcome = scratch.withUnsafeBufferPointer { s in
                                    builders[b].add(s.baseAddress!, s.count, mayBeNull: false, na, temporal)
                                }
                            } else {
                                outcome = builders[b].add(base + fs, fe - fs, mayBeNull: !quoted, na, temporal,
                                                          wordLoadable: fs + 8 <= readable)
                            }
                            switch outcome {
                            case .ok: break
                            case .needsText:
                                needsText.append(b)
                                return
                            case .unparsable, .invalidUTF8, .nulByte:
                                // The message is built only here (the unescaped bytes are still in `scratch`).
                                let reason = escaped
                                    ? scratch.withUnsafeBufferPointer { s in builders[b].failureReason(outcome, s.baseAddress!, s.count) }
                                    : builders[b].failureReason(outcome, base + fs, fe - fs)
                                if !report(&rowProblem, fieldLine, field, reason, builders, b, stop: &stopDelivering) { return }
                            }
                        }
                    }
                }
                field += 1
                pos = next
                recordEnded = endsRecord
            }
            if field < 0 { continue }   // blank line
            if !passOver, field != ncol {
                let reason = "expected \(ncol) fields, found \(field)"
                if field < ncol {
                    if !report(&rowProblem, recordLine, field, reason, builders, nil, stop: &stopDelivering) { return }
                    if policy == .null {
                        for f in field..<ncol where target[f] >= 0 { builders[target[f]].appendNull() }
                    }
                } else {
                    if !report(&rowProblem, recordLine, nil, reason, builders, nil, stop: &stopDelivering) { return }
                }
            }
            if let p = rowProblem {
                problems.append(p)
                if policy == .skip {
                    skipped.append(records)
                    for b in builders.indices { builders[b].truncate(to: rows) }
                } else {
                    rows += 1
                }
            } else if !passOver {
                rows += 1
            }
            records += 1
        }
    }

    /// Records a problem. Returns false when parsing must stop (policy `error`).
    /// Under `null` the offending cell becomes null; under `skip` the row is dropped later.
    private mutating func report(_ row: inout (line: Int, column: Int?, reason: String)?, _ line: Int, _ column: Int?,
                                 _ reason: String, _ builders: UnsafeMutableBufferPointer<ColumnBuilder>, _ builder: Int?,
                                 stop: inout Bool) -> Bool {
        if row == nil { row = (line, column, reason) }
        switch policy {
        case .error:
            problems.append((line, column, reason))
            failed = true
            return false
        case .skip:
            stop = true
        case .null:
            if let builder { builders[builder].appendNull() }
        }
        return true
    }

    /// Scans past a malformed field, toggling on every quote, to the next
    /// separator or newline outside quotes. Returns where parsing resumes and
    /// whether the record ended.
    private mutating func skipMalformed(_ base: UnsafePointer<UInt8>, _ from: Int, _ end: Int, _ sep: UInt8,
                                        inQuote: Bool) -> (Int, Bool) {
        var q = inQuote
        var i = from
        while i < end {
            let b = base[i]
            if b == 34 { q.toggle() }
            else if b == 10 { newlines += 1; if !q { return (i + 1, true) } }
            else if b == sep, !q { return (i + 1, false) }
            i += 1
        }
        return (end, true)
    }

    /// True when [from, to) holds only spaces and tabs (or nothing).
    @inline(__always) private func isBlank(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        var i = from
        while i < to { let b = base[i]; if b != 32 && b != 9 { return false }; i += 1 }
        return true
    }

    /// Copies a quoted field's content with `""` collapsed to `"` into `scratch`.
    private mutating func unescape(_ p: UnsafePointer<UInt8>, _ n: Int) {
        scratch.removeAll(keepingCapacity: true)
        var i = 0
        while i < n {
            scratch.append(p[i])
            i += (p[i] == 34 && i + 1 < n && p[i + 1] == 34) ? 2 : 1
        }
    }
}

/// Membership test for the `na` strings. Tokens up to 8 bytes (the usual
/// `NA`, `null`, …) are compared as one packed word, so the common "not a
/// null" answer costs a length check and a load.
final class NAMatcher: Sendable {
    /// Index n (0…8): the tokens of n bytes, packed little-endian into a word (a field is
    /// compared with the few tokens of its own length only).
    private let shortByLength: [[UInt64]]
    private let long: [[UInt8]]
    private let lengthMask: UInt64   // bit n set when some short token has length n
    private let matchesEmpty: Bool
    /// No token parses as a number, bool, date or timestamp, so typed columns may parse before looking up.
    let tokensAreText: Bool

    init(_ values: [String], temporal: TemporalParsers = TemporalParsers(date: nil, timestamp: nil)) {
        var short = [[UInt64]](repeating: [], count: 9), long: [[UInt8]] = []
        var mask: UInt64 = 0
        for v in Set(values) {
            let b = Array(v.utf8)
            if b.count <= 8 {
                short[b.count].append(NAMatcher.pack(b))
                mask |= 1 << UInt64(b.count)
            } else { long.append(b) }
        }
        shortByLength = short; self.long = long; lengthMask = mask
        matchesEmpty = values.contains("")
        tokensAreText = values.allSatisfy { v in
            let b = Array(v.utf8)
            return b.isEmpty || b.withUnsafeBufferPointer { p in
                let q = p.baseAddress!, n = p.count
                return FieldParse.double(q, n) == nil && FieldParse.bool(q, n) == nil
                    && temporal.days(q, n) == nil && temporal.micros(q, n) == nil
            }
        }
    }

    @inline(__always) func couldMatch(_ n: Int) -> Bool {
        n <= 8 ? (lengthMask >> UInt64(n)) & 1 != 0 : !long.isEmpty
    }

    private static func pack(_ b: [UInt8]) -> UInt64 {
        var w: UInt64 = 0
        for (i, x) in b.enumerated() { w |= UInt64(x) << UInt64(8 * i) }
        return w
    }

    @inline(__always) func matches(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if n == 0 { return matchesEmpty }
        if n <= 8 {
            guard (lengthMask >> UInt64(n)) & 1 != 0 else { return false }
            var w: UInt64 = 0
            for i in 0..<n { w |= UInt64(p[i]) << UInt64(8 * i) }
            return shortByLength[n].contains(w)
        }
        for t in long where t.count == n && t.withUnsafeBufferPointer({ memcmp($0.baseAddress!, p, n) == 0 }) { return true }
        return false
    }
}

import CKernels
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
