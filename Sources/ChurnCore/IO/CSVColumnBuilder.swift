#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Type inference lattice of a CSV column. A column starts `unknown` (only
/// nulls so far) and widens as values arrive: int → float, date → timestamp;
/// any other conflict makes it text.
enum CellKind: UInt8, Sendable {
    case unknown, bool, int, float, date, timestamp, string

    /// The least kind holding both (used to combine chunks).
    func join(_ o: CellKind) -> CellKind {
        if self == o || o == .unknown { return self }
        if self == .unknown { return o }
        switch (self, o) {
        case (.int, .float), (.float, .int): return .float
        case (.date, .timestamp), (.timestamp, .date): return .timestamp
        default: return .string
        }
    }

    init(forced t: DType) {
        switch t {
        case .float64: self = .float
        case .int64: self = .int
        case .bool: self = .bool
        case .string, .category: self = .string
        case .date: self = .date
        case .timestamp: self = .timestamp
        }
    }

    var typeName: String {
        switch self {
        case .unknown: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .string: return "string"
        }
    }
}

/// Date and timestamp parsing as configured by the options.
final class TemporalParsers: Sendable {
    let date: TimeFormat?
    let timestamp: TimeFormat?

    init(date: TimeFormat?, timestamp: TimeFormat?) {
        self.date = date; self.timestamp = timestamp
    }

    @inline(__always) func days(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        if let date { return date.parseDays(p, n) }
        return FieldParse.isoDate(p, n)
    }

    @inline(__always) func micros(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        if let timestamp { return timestamp.parseMicros(p, n) }
        return FieldParse.isoTimestamp(p, n)
    }
}

/// Accumulates one column of one chunk, typed as it goes. Null slots hold 0 and
/// are listed in `nullRows` (chunk-relative). Storage is `RawVec`: whoever drops
/// a builder calls `release()`.
struct ColumnBuilder {
    enum Outcome: UInt8 { case ok, needsText, unparsable, invalidUTF8, nulByte }

    private(set) var kind: CellKind
    /// A forced type never widens; values that do not parse are bad rows.
    let forced: Bool
    var ints = RawVec<Int64>()      // int and timestamp
    var floats = RawVec<Double>()
    var bools = RawVec<Bool>()
    var days = RawVec<Int32>()
    var codes = RawVec<Int32>()
    var interner = ByteInterner()
    var nullRows: [Int32] = []
    private(set) var count = 0
    private var reserve: Int

    init(kind: CellKind, forced: Bool, expectedRows: Int) {
        self.kind = kind
        self.forced = forced
        self.reserve = expectedRows
        reserveStorage()
    }

    private mutating func reserveStorage() {
        switch kind {
        case .unknown: break
        case .bool: bools.reserve(reserve)
        case .int, .timestamp: ints.reserve(reserve)
        case .float: floats.reserve(reserve)
        case .date: days.reserve(reserve)
        case .string: codes.reserve(reserve)
        }
    }

    /// Frees the storage.
    mutating func release() {
        ints.free(); floats.free(); bools.free(); days.free(); codes.free()
        interner = ByteInterner(capacity: 0)
        nullRows = []
        count = 0
    }

    /// Appends a field, or a null when it is one of the null tokens (`mayBeNull` is false for
    /// quoted fields). Text looks tokens up first; typed kinds parse first and look up only on
    /// failure, as no null token parses as a number or date (`tokensAreText`).
    /// `wordLoadable`: 8 bytes from p may be read (the word-at-a-time number parsers apply).
    @inline(__always) mutating func add(_ p: UnsafePointer<UInt8>, _ n: Int, mayBeNull: Bool,
                                        _ na: NAMatcher, _ tp: TemporalParsers, wordLoadable: Bool = false) -> Outcome {
        let maybe = mayBeNull && na.couldMatch(n)
        if maybe, n == 0 || kind == .string || kind == .unknown || !na.tokensAreText, na.matches(p, n) {
            appendNull()
            return .ok
        }
        let r = append(p, n, tp, wordLoadable: wordLoadable)
        if r == .ok { return r }
        if maybe, na.matches(p, n) { appendNull(); return .ok }
        return r
    }

    @inline(__always) mutating func appendNull() {
        nullRows.append(Int32(truncatingIfNeeded: count))
        switch kind {
        case .unknown: break
        case .bool: bools.append(false)
        case .int, .timestamp: ints.append(0)
        case .float: floats.append(0)
        case .date: days.append(0)
        case .string: codes.append(0)
        }
        count += 1
    }

    /// Appends the field's bytes, widening the kind when inference allows.
    @inline(__always) mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int, _ tp: TemporalParsers,
                                           wordLoadable: Bool = false) -> Outcome {
        if kind == .unknown { infer(p, n, tp) }
        switch kind {
        case .int:
            if wordLoadable, n <= 8, let v = FieldParse.int64(word: FieldParse.word(p, n), n) { ints.append(v) }
            else if let v = FieldParse.int64(p, n) { ints.append(v) }
            else if !forced, !FieldParse.isIntegerSyntax(p, n), let d = FieldParse.double(p, n) { widen(to: .float); floats.append(d) }
            else { return forced ? .unparsable : .needsText }
        case .float:
            if wordLoadable, n <= 8, let v = FieldParse.double(word: FieldParse.word(p, n), n) { floats.append(v); break }
            // An integer literal past Int64 would round silently; under inference it makes the column text.
            if !forced, n >= 19, FieldParse.isIntegerSyntax(p, n), FieldParse.int64(p, n) == nil { return .needsText }
            guard let v = FieldParse.double(p, n) else { return forced ? .unparsable : .needsText }
            floats.append(v)
        case .string:
            guard let c = interner.intern(p, n) else { return memchr(p, 0, n) != nil ? .nulByte : .invalidUTF8 }
            codes.append(c)
        case .bool:
            guard let v = FieldParse.bool(p, n) else { return forced ? .unparsable : .needsText }
            bools.append(v)
        case .date:
            if let v = tp.days(p, n) { days.append(v) }
            else if !forced, let t = tp.micros(p, n) { widen(to: .timestamp); ints.append(t) }
            else { return forced ? .unparsable : .needsText }
        case .timestamp:
            guard let v = tp.micros(p, n) else { return forced ? .unparsable : .needsText }
            ints.append(v)
        case .unknown:
            return .needsText   // not reached: infer() always picks a kind
        }
        count += 1
        return .ok
    }

    /// Picks the narrowest kind that parses the first non-null value.
    private mutating func infer(_ p: UnsafePointer<UInt8>, _ n: Int, _ tp: TemporalParsers) {
        let k: CellKind
        if FieldParse.bool(p, n) != nil { k = .bool }
        else if FieldParse.int64(p, n) != nil { k = .int }
        else if FieldParse.isIntegerSyntax(p, n) { k = .string }   // past Int64: keep the exact digits
        else if FieldParse.double(p, n) != nil { k = .float }
        else if tp.days(p, n) != nil { k = .date }
        else if tp.micros(p, n) != nil { k = .timestamp }
        else { k = .string }
        widen(to: k)
    }

    /// The message for an `.unparsable` or `.invalidUTF8` outcome on these bytes.
    func failureReason(_ outcome: Outcome, _ p: UnsafePointer<UInt8>, _ n: Int) -> String {
        if outcome == .invalidUTF8 { return "invalid UTF-8" }
        if outcome == .nulByte || memchr(p, 0, n) != nil { return UTF8Check.nulReason() }
        let shown = UnsafeBufferPointer(start: p, count: Swift.min(n, 40))
        let text = String(decoding: shown, as: UTF8.self) + (n > 40 ? "…" : "")
        if kind == .int, FieldParse.isIntegerSyntax(p, n) {
            return "\(text) is outside the Int64 range [-9223372036854775808, 9223372036854775807]"
        }
        return "cannot parse \"\(text)\" as \(kind.typeName)"
    }

    /// Converts what is stored to kind `k` (unknown → anything, int → float, date → timestamp).
    mutating func widen(to k: CellKind) {
        guard k != kind else { return }
        switch (kind, k) {
        case (.unknown, _):
            switch k {
            case .bool: bools = RawVec(repeating: false, count: count, reserve: reserve)
            case .int, .timestamp: ints = RawVec(repeating: 0, count: count, reserve: reserve)
            case .float: floats = RawVec(repeating: 0, count: count, reserve: reserve)
            case .date: days = RawVec(repeating: 0, count: count, reserve: reserve)
            case .string: codes = RawVec(repeating: 0, count: count, reserve: reserve)
            case .unknown: break
            }
        case (.int, .float):
            floats = RawVec(repeating: 0, count: 0, reserve: Swift.max(reserve, ints.count))
            for i in 0..<ints.count { floats.append(Double(ints[i])) }
            ints.free()
        case (.date, .timestamp):
            ints = RawVec(repeating: 0, count: 0, reserve: Swift.max(reserve, days.count))
            for i in 0..<days.count { ints.append(Int64(days[i]) * CivilDate.microsPerDay) }
            days.free()
        default:
            preconditionFailure("CSV column cannot widen \(kind) to \(k) in place")
        }
        kind = k
    }

    /// Drops rows ≥ n (a skipped bad row).
    mutating func truncate(to n: Int) {
        guard n < count else { return }
        switch kind {
        case .unknown: break
        case .bool: bools.removeLast(count - n)
        case .int, .timestamp: ints.removeLast(count - n)
        case .float: floats.removeLast(count - n)
        case .date: days.removeLast(count - n)
        case .string: codes.removeLast(count - n)
        }
        while let last = nullRows.last, Int(last) >= n { nullRows.removeLast() }
        count = n
    }
}
