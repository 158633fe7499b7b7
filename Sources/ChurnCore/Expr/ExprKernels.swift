import Foundation

/// The typed kernels behind `Expr.evaluate`.
enum ExprKernels {
    static func fail(_ expr: Expr, _ what: String) -> ExprError { ExprError("in \(expr): \(what)") }

    /// Both sides scalar: evaluate on one-row columns and unwrap.
    static func scalarOp(_ a: Evaluated, _ b: Evaluated, _ body: (Evaluated, Evaluated, Int) throws -> Evaluated) throws -> Evaluated {
        let r = try body(.column(a.column(1)), .column(b.column(1)), 1)
        if case .column(let c) = r { return .scalar(c.value(at: 0)) }
        return r
    }

    // MARK: unary

    static func unary(_ op: Expr.UnaryOp, _ x: Evaluated, expr: Expr, n: Int) throws -> Evaluated {
        switch (op, x) {
        case (.isNull, .scalar(let v)): return .scalar(.bool(v.isNull))
        case (.isNotNull, .scalar(let v)): return .scalar(.bool(!v.isNull))
        case (.isNull, .column(let c)), (.isNotNull, .column(let c)):
            let want = op == .isNull
            let flags = (0..<c.count).map { c.isNull($0) == want }
            return .column(Column(name: "expr", data: .bool(flags)))
        case (_, .scalar(.null)): return .scalar(.null)
        case (_, .scalar):
            return try scalarOp(x, .scalar(.null)) { a, _, n in try unary(op, a, expr: expr, n: n) }
        case (.negate, .column(let c)):
            switch c.data {
            case .int64(let v):
                let r = try IntegerOverflow.checked(.constant(0), .of(v, 0), n: v.count, valid: c.validity, expr: expr,
                                                    describe: { _, b in "-(\(b))" }) { $0.subtractingReportingOverflow($1) }
                return .column(Column(name: "expr", data: .int64(r), validity: c.validity))
            case .float64(let v): return .column(Column(name: "expr", data: .float64(v.map { -$0 }), validity: c.validity))
            default: throw fail(expr, "cannot negate a \(c.dtype.rawValue) column")
            }
        case (.not, .column(let c)):
            guard case .bool(let v) = c.data else { throw fail(expr, "~ needs a bool operand, got \(c.dtype.rawValue)") }
            return .column(Column(name: "expr", data: .bool(v.map { !$0 }), validity: c.validity))
        default: throw fail(expr, "unsupported operation")
        }
    }

    // MARK: binary

    static func binary(_ op: Expr.BinaryOp, _ a: Evaluated, _ b: Evaluated, expr: Expr, n: Int) throws -> Evaluated {
        if op == .and || op == .or { return try logic(op, a, b, expr: expr, n: n) }
        if a.isNullScalar || b.isNullScalar { return .scalar(.null) }
        if case .scalar = a, case .scalar = b {
            return try scalarOp(a, b) { x, y, m in try binary(op, x, y, expr: expr, n: m) }
        }
        let sa = Side(a), sb = Side(b)
        var valid = Validity.and(a.validity, b.validity)
        let data: ColumnData
        if op.isComparison {
            guard let flags = try compare(op, sa, sb, n: n, expr: expr) else {
                throw fail(expr, "cannot compare \(a.kind) with \(b.kind)")
            }
            data = .bool(flags)
        } else {
            guard let (d, extraNulls) = try arithmetic(op, sa, sb, n: n, valid: valid, expr: expr) else {
                throw fail(expr, "cannot apply \(op.rawValue) to \(a.kind) and \(b.kind)")
            }
            data = d
            if let extraNulls { valid = Validity.and(valid, Validity(extraNulls.map { !$0 })) }
        }
        return .column(Column(name: "expr", data: data, validity: valid))
    }

    /// Kleene three-valued and/or over bool operands.
    static func logic(_ op: Expr.BinaryOp, _ a: Evaluated, _ b: Evaluated, expr: Expr, n: Int) throws -> Evaluated {
        for e in [a, b] where e.kind != "bool" && !e.isNullScalar {
            throw fail(expr, "\(op.rawValue) needs bool operands, got \(e.kind)")
        }
        if case .scalar = a, case .scalar = b {
            return try scalarOp(a, b) { x, y, m in try logic(op, x, y, expr: expr, n: m) }
        }
        let ca = try a.column(n, dtype: .bool), cb = try b.column(n, dtype: .bool)
        guard case .bool(let x) = ca.data, case .bool(let y) = cb.data else { throw fail(expr, "bool operands expected") }
        let values = op == .and ? map2(.of(x, false), .of(y, false), n) { $0 && $1 } : map2(.of(x, false), .of(y, false), n) { $0 || $1 }
        guard ca.validity != nil || cb.validity != nil else { return .column(Column(name: "expr", data: .bool(values))) }
        var valid = Validity(count: n, allValid: true)
        for i in 0..<n {
            let va = !ca.isNull(i), vb = !cb.isNull(i)
            let known = op == .and ? ((va && vb) || (va && !x[i]) || (vb && !y[i]))
                                   : ((va && vb) || (va && x[i]) || (vb && y[i]))
            if !known { valid.set(i, false) }
        }
        return .column(Column(name: "expr", data: .bool(values), validity: valid))
    }

    // MARK: comparisons

    static func cmp<T: Comparable>(_ op: Expr.BinaryOp, _ a: Operand<T>, _ b: Operand<T>, _ n: Int) -> [Bool] {
        switch op {
        case .lt: return map2(a, b, n) { $0 < $1 }
        case .le: return map2(a, b, n) { $0 <= $1 }
        case .gt: return map2(a, b, n) { $0 > $1 }
        case .ge: return map2(a, b, n) { $0 >= $1 }
        case .eq: return map2(a, b, n) { $0 == $1 }
        default: return map2(a, b, n) { $0 != $1 }
        }
    }

    static func flipped(_ op: Expr.BinaryOp) -> Expr.BinaryOp {
        switch op {
        case .lt: return .gt
        case .le: return .ge
        case .gt: return .lt
        case .ge: return .le
        default: return op
        }
    }

    /// Comparison flags, or nil when the operand kinds cannot be compared.
    static func compare(_ op: Expr.BinaryOp, _ a: Side, _ b: Side, n: Int, expr: Expr) throws -> [Bool]? {
        switch (a, b) {
        case (.text(let c, let d), .textScalar(let s)): return textVsLiteral(op, c, d, s)
        case (.textScalar(let s), .text(let c, let d)): return textVsLiteral(flipped(op), c, d, s)
        case (.text(let c1, let d1), .text(let c2, let d2)):
            var merger = DictionaryMerger()
            let m1 = merger.add(d1), m2 = merger.add(d2)
            let rank = Frame.textRanks(merger.strings)
            return cmp(op, .of(c1.map { rank[Int(m1[Int($0)])] }, 0), .of(c2.map { rank[Int(m2[Int($0)])] }, 0), n)
        case (.bool(let x), .bool(let y)):
            return cmp(op, x.map { $0 ? 1 : 0 as Int8 }, y.map { $0 ? 1 : 0 as Int8 }, n)
        default: break
        }
        if let pair = try timePair(a, b, expr: expr) {
            switch pair {
            case .days(let x, let y): return cmp(op, x, y, n)
            case .micros(let x, let y): return cmp(op, x, y, n)
            }
        }
        if case .float = a {} else if case .float = b {} else if let x = a.asInt, let y = b.asInt { return cmp(op, x, y, n) }
        if let x = a.asFloat, let y = b.asFloat { return cmp(op, x, y, n) }
        return nil
    }

    /// Text column against a literal: decided once per dictionary entry (byte order).
    static func textVsLiteral(_ op: Expr.BinaryOp, _ codes: [Int32], _ dict: [String], _ s: String) -> [Bool] {
        let table = dict.map { e -> Bool in
            let lt = e.utf8.lexicographicallyPrecedes(s.utf8), eq = e == s
            switch op {
            case .lt: return lt
            case .le: return lt || eq
            case .gt: return !lt && !eq
            case .ge: return !lt
            case .eq: return eq
            default: return !eq
            }
        }
        if table.isEmpty { return [Bool](repeating: false, count: codes.count) }
        return table.withUnsafeBufferPointer { t in codes.map { t[Int($0)] } }
    }

    // MARK: time

    enum TimePair {
        case days(Operand<Int32>, Operand<Int32>)
        case micros(Operand<Int64>, Operand<Int64>)
    }

    /// Both operands as dates (when both are dates, or a date and a date literal)
    /// or as timestamps; nil when neither side is a date/timestamp.
    static func timePair(_ a: Side, _ b: Side, expr: Expr) throws -> TimePair? {
        func isTime(_ s: Side) -> Bool {
            switch s { case .date, .timestamp: return true; default: return false }
        }
        guard isTime(a) || isTime(b) else { return nil }
        func days(_ s: Side) -> Operand<Int32>? {
            switch s {
            case .date(let o): return o
            case .textScalar(let t): return DateText.parseDate(t).map { .constant($0) }
            default: return nil
            }
        }
        if let x = days(a), let y = days(b) { return .days(x, y) }
        func micros(_ s: Side) throws -> Operand<Int64>? {
            switch s {
            case .timestamp(let o): return o
            case .date(let o): return o.map { Int64($0) * DateText.microsPerDay }
            case .textScalar(let t):
                guard let v = DateText.parseTimestamp(t) else {
                    throw fail(expr, "'\(t)' is not a date or timestamp (use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)")
                }
                return .constant(v)
            default: return nil
            }
        }
        guard let x = try micros(a), let y = try micros(b) else { return nil }
        return .micros(x, y)
    }

    /// second − first in days: int for two dates, float otherwise.
    static func daysBetween(_ a: Evaluated, _ b: Evaluated, expr: Expr, n: Int) throws -> Evaluated {
        if a.isNullScalar || b.isNullScalar { return .scalar(.null) }
        if case .scalar = a, case .scalar = b {
            // Two literals: read text as a date (or timestamp) before making one-row columns.
            func timeValue(_ e: Evaluated) -> Evaluated {
                guard case .scalar(.string(let t)) = e else { return e }
                if let d = DateText.parseDate(t) { return .scalar(.date(d)) }
                return DateText.parseTimestamp(t).map { .scalar(.timestamp($0)) } ?? e
            }
            return try scalarOp(timeValue(a), timeValue(b)) { x, y, m in try daysBetween(x, y, expr: expr, n: m) }
        }
        guard let pair = try timePair(Side(a), Side(b), expr: expr) else {
            throw fail(expr, "day arithmetic needs dates or timestamps, got \(a.kind) and \(b.kind)")
        }
        let valid = Validity.and(a.validity, b.validity)
        switch pair {
        case .days(let x, let y):
            return .column(Column(name: "expr", data: .int64(map2(x, y, n) { Int64($1) - Int64($0) }), validity: valid))
        case .micros(let x, let y):
            let perDay = Double(DateText.microsPerDay)
            return .column(Column(name: "expr", data: .float64(map2(x, y, n) { Double($1 &- $0) / perDay }), validity: valid))
        }
    }

    // MARK: arithmetic

    /// Result data plus rows that became null (integer modulo by zero); nil when unsupported.
    /// Integer results that do not fit Int64 (and dates past Int32 days) are errors naming
    /// the expression and the first such row (see `IntegerOverflow`); `valid` marks the rows
    /// whose result counts (null rows' placeholders may overflow harmlessly).
    static func arithmetic(_ op: Expr.BinaryOp, _ a: Side, _ b: Side, n: Int, valid: Validity?, expr: Expr) throws -> (ColumnData, [Bool]?)? {
        // Dates shift by whole days; differences of dates/timestamps are in days.
        if case .date(let d) = a, op == .add || op == .sub, let k = b.asInt {
            let days = try IntegerOverflow.checked(d.map { Int64($0) }, k, n: n, valid: valid, expr: expr,
                                                   describe: { x, y in "date \(DateText.format(days: Int32(x))) \(op.rawValue) \(y) days" },
                                                   range: "the date range (Int32 days since 1970-01-01)") { x, y in
                IntegerOverflow.days(op == .add ? x.addingReportingOverflow(y) : x.subtractingReportingOverflow(y))
            }
            return (.date(days.map { Int32(truncatingIfNeeded: $0) }), nil)
        }
        if case .date(let d) = b, op == .add, let k = a.asInt {
            let days = try IntegerOverflow.checked(k, d.map { Int64($0) }, n: n, valid: valid, expr: expr,
                                                   describe: { x, y in "\(x) days + date \(DateText.format(days: Int32(y)))" },
                                                   range: "the date range (Int32 days since 1970-01-01)") { x, y in
                IntegerOverflow.days(x.addingReportingOverflow(y))
            }
            return (.date(days.map { Int32(truncatingIfNeeded: $0) }), nil)
        }
        if op == .sub, let pair = try timePair(a, b, expr: expr) {
            switch pair {
            case .days(let x, let y): return (.int64(map2(x, y, n) { Int64($0) - Int64($1) }), nil)
            case .micros(let x, let y):
                let perDay = Double(DateText.microsPerDay)
                return (.float64(map2(x, y, n) { Double($0 &- $1) / perDay }), nil)
            }
        }
        var anyFloat = false
        if case .float = a { anyFloat = true }
        if case .float = b { anyFloat = true }
        if !anyFloat, let x = a.asInt, let y = b.asInt {
            switch op {
            case .add, .sub, .mul:
                let f: (Int64, Int64) -> (partialValue: Int64, overflow: Bool) =
                    op == .add ? { $0.addingReportingOverflow($1) } : op == .sub ? { $0.subtractingReportingOverflow($1) } : { $0.multipliedReportingOverflow(by: $1) }
                return (.int64(try IntegerOverflow.checked(x, y, n: n, valid: valid, expr: expr,
                                                           describe: { "\($0) \(op.rawValue) \($1)" }, f)), nil)
            case .div: return (.float64(map2(x, y, n) { Double($0) / Double($1) }), nil)
            case .floorDiv:
                // Floor division (Python's //); by zero → null, like %.
                let r = try IntegerOverflow.checked(x, y, n: n, valid: valid, expr: expr, describe: { "\($0) // \($1)" }) { p, q in
                    if q == 0 { return (0, false) }
                    let (t, o) = p.dividedReportingOverflow(by: q)
                    if o { return (0, true) }
                    return ((p % q != 0 && (p < 0) != (q < 0)) ? t - 1 : t, false)
                }
                let zero = map2(x, y, n) { _, q in q == 0 }
                return (.int64(r), zero.contains(true) ? zero : nil)
            default:
                // Floor modulo (sign of the divisor, as Lua and Python); by zero → null.
                let r: [Int64] = map2(x, y, n) { p, q in
                    if q == 0 { return 0 }
                    var m = p.remainderReportingOverflow(dividingBy: q).partialValue
                    if m != 0 && (m < 0) != (q < 0) { m += q }
                    return m
                }
                let zero = map2(x, y, n) { _, q in q == 0 }
                return (.int64(r), zero.contains(true) ? zero : nil)
            }
        }
        if let x = a.asFloat, let y = b.asFloat {
            switch op {
            case .add: return (.float64(map2(x, y, n) { $0 + $1 }), nil)
            case .sub: return (.float64(map2(x, y, n) { $0 - $1 }), nil)
            case .mul: return (.float64(map2(x, y, n) { $0 * $1 }), nil)
            case .div: return (.float64(map2(x, y, n) { $0 / $1 }), nil)
            case .floorDiv: return (.float64(map2(x, y, n) { ($0 / $1).rounded(.down) }), nil)
            default: return (.float64(map2(x, y, n) { $0 - ($0 / $1).rounded(.down) * $1 }), nil)
            }
        }
        return nil
    }

    // MARK: membership and choice

    static func isIn(_ x: Evaluated, _ values: [CellValue], expr: Expr, n: Int) throws -> Evaluated {
        if case .scalar = x { return try scalarOp(x, .scalar(.null)) { c, _, m in try isIn(c, values, expr: expr, n: m) } }
        guard case .column(let c) = x else { return .scalar(.null) }
        let vals = values.filter { !$0.isNull }
        func mismatch(_ v: CellValue) -> ExprError {
            fail(expr, "isin value '\(v)' (\(v.kind)) does not match \(c.dtype.rawValue) column")
        }
        let flags: [Bool]
        switch c.data {
        case .string(let codes, let d), .category(let codes, let d):
            var set = Set<String>()
            for v in vals { guard case .string(let s) = v else { throw mismatch(v) }; set.insert(s) }
            let table = d.map { set.contains($0) }
            flags = codes.map { table.isEmpty ? false : table[Int($0)] }
        case .int64, .float64:
            var set = Set<Double>()
            for v in vals {
                guard let d = v.number, !(v == .bool(true) || v == .bool(false)) else { throw mismatch(v) }
                set.insert(d)
            }
            flags = c.toDoubles()!.map { set.contains($0) }
        case .bool(let b):
            var set = Set<Bool>()
            for v in vals { guard case .bool(let t) = v else { throw mismatch(v) }; set.insert(t) }
            flags = b.map { set.contains($0) }
        case .date(let d):
            var set = Set<Int32>()
            for v in vals { guard let t = v.asDate() else { throw mismatch(v) }; set.insert(t) }
            flags = d.map { set.contains($0) }
        case .timestamp(let t):
            var set = Set<Int64>()
            for v in vals { guard let u = v.asTimestamp() else { throw mismatch(v) }; set.insert(u) }
            flags = t.map { set.contains($0) }
        }
        return .column(Column(name: "expr", data: .bool(flags), validity: c.validity))
    }

    static func when(_ cond: Evaluated, _ a: Evaluated, _ b: Evaluated, expr: Expr, n: Int) throws -> Evaluated {
        switch cond {
        case .scalar(.bool(let t)): return t ? a : b
        case .scalar(.null): return b
        case .scalar(let v): throw fail(expr, "when: condition must be bool, got \(v.kind)")
        case .column(let c):
            guard case .bool(let flags) = c.data else { throw fail(expr, "when: condition must be bool, got \(c.dtype.rawValue)") }
            let (ca, cb) = try unify(a, b, n: n, expr: expr)
            let both = try Column.concat([ca, cb], name: "expr")
            var idx = [Int](repeating: 0, count: n)
            for i in 0..<n { idx[i] = flags[i] && !c.isNull(i) ? i : n + i }
            return .column(both.take(idx))
        }
    }

    /// Both branches as `n`-row columns of one type (int with float → float;
    /// a literal takes the other branch's type).
    static func unify(_ a: Evaluated, _ b: Evaluated, n: Int, expr: Expr) throws -> (Column, Column) {
        func build(_ e: Evaluated, like other: Evaluated) throws -> Column {
            if case .column(let c) = e { return c }
            if case .column(let o) = other {
                if case .scalar(.float) = e, o.dtype == .int64 { return try e.column(n) }
                do { return try e.column(n, dtype: o.dtype) } catch { throw fail(expr, "when: branches are \(e.kind) and \(o.dtype.rawValue)") }
            }
            if e.isNullScalar, case .scalar(let v) = other, !v.isNull { return try Column.constant("literal", .null, count: n, dtype: try other.column(1).dtype) }
            return try e.column(n)
        }
        var ca = try build(a, like: b), cb = try build(b, like: a)
        if ca.dtype != cb.dtype && !(ca.data.isText && cb.data.isText) {
            if ca.data.isNumeric && cb.data.isNumeric {
                ca = try ca.asFloat64(); cb = try cb.asFloat64()
            } else {
                throw fail(expr, "when: branches are \(ca.dtype.rawValue) and \(cb.dtype.rawValue)")
            }
        }
        return (ca, cb)
    }
}
