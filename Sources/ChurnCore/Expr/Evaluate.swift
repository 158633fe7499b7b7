/// Vectorized evaluation of `Expr`. Each node yields a whole column or a
/// scalar that is broadcast lazily; kernels run over raw arrays, and text
/// comparisons against a literal are decided once per dictionary entry.

/// An intermediate value: a column, or a literal not yet broadcast.
enum Evaluated {
    case column(Column)
    case scalar(CellValue)
}

/// Typed view of one operand for the kernels.
enum Side {
    case int(Operand<Int64>)
    case float(Operand<Double>)
    case bool(Operand<Bool>)
    case date(Operand<Int32>)
    case timestamp(Operand<Int64>)
    case text(codes: [Int32], dictionary: [String])
    case textScalar(String)

    init(_ e: Evaluated) {
        switch e {
        case .scalar(let v):
            switch v {
            case .int(let x): self = .int(.constant(x))
            case .float(let x): self = .float(.constant(x))
            case .bool(let x): self = .bool(.constant(x))
            case .date(let x): self = .date(.constant(x))
            case .timestamp(let x): self = .timestamp(.constant(x))
            case .string(let s): self = .textScalar(s)
            case .null: self = .float(.constant(0))   // callers short-circuit nulls first
            }
        case .column(let c):
            switch c.data {
            case .int64(let v): self = .int(.of(v, 0))
            case .float64(let v): self = .float(.of(v, 0))
            case .bool(let v): self = .bool(.of(v, false))
            case .date(let v): self = .date(.of(v, 0))
            case .timestamp(let v): self = .timestamp(.of(v, 0))
            case .string(let c, let d), .category(let c, let d): self = .text(codes: c, dictionary: d)
            }
        }
    }

    /// Numeric operands (bool counts as 0/1); nil for other kinds.
    var asInt: Operand<Int64>? {
        switch self {
        case .int(let o): return o
        case .bool(let o): return o.map { $0 ? 1 : 0 }
        default: return nil
        }
    }
    var asFloat: Operand<Double>? {
        if case .float(let o) = self { return o }
        return asInt?.map(Double.init)
    }
}

extension Evaluated {
    var validity: Validity? { if case .column(let c) = self { return c.validity }; return nil }
    var isNullScalar: Bool { if case .scalar(.null) = self { return true }; return false }
    var kind: String {
        switch self {
        case .column(let c): return c.dtype.rawValue
        case .scalar(let v): return v.kind
        }
    }
    /// As a column of `n` rows (scalars broadcast, typed as `dtype` when given).
    func column(_ n: Int, dtype: DType? = nil) throws -> Column {
        switch self {
        case .column(let c): return c
        case .scalar(let v): return try Column.constant("literal", v, count: n, dtype: dtype)
        }
    }
}

extension Expr {
    /// Evaluates the expression over all rows of `frame`. The result is named
    /// `outputName`; a pure literal is broadcast to the frame's length.
    public func evaluate(on frame: Frame) throws -> Column {
        switch try eval(frame) {
        case .column(let c): return c.renamed(outputName)
        case .scalar(let v): return try Column.constant(outputName, v, count: frame.nrow)
        }
    }

    /// `segments`: the row ranges window functions run in (set by `over`; the whole column otherwise).
    func eval(_ f: Frame, segments: Segments? = nil) throws -> Evaluated {
        let n = f.nrow
        func eval(_ e: Expr) throws -> Evaluated { try e.eval(f, segments: segments) }
        switch self {
        case .column(let name): return .column(try f.column(name))
        case .literal(let v): return .scalar(v)
        case .unary(let op, let e): return try ExprKernels.unary(op, eval(e), expr: self, n: n)
        case .binary(let op, let a, let b): return try ExprKernels.binary(op, eval(a), eval(b), expr: self, n: n)
        case .isIn(let e, let values): return try ExprKernels.isIn(eval(e), values, expr: self, n: n)
        case .between(let e, let lo, let hi):
            let x = try eval(e)
            let ge = try ExprKernels.binary(.ge, x, eval(lo), expr: self, n: n)
            let le = try ExprKernels.binary(.le, x, eval(hi), expr: self, n: n)
            return try ExprKernels.binary(.and, ge, le, expr: self, n: n)
        case .when(let c, let a, let b):
            return try ExprKernels.when(eval(c), eval(a), eval(b), expr: self, n: n)
        case .daysBetween(let a, let b):
            return try ExprKernels.daysBetween(eval(a), eval(b), expr: self, n: n)
        case .math(let fn, let e): return try ExprFunctionKernels.math(fn, eval(e), expr: self)
        case .round(let e, let d): return try ExprFunctionKernels.round(eval(e), digits: d, expr: self)
        case .clip(let e, let lo, let hi): return try ExprFunctionKernels.clip(eval(e), lower: lo, upper: hi, expr: self)
        case .cast(let e, let t):
            switch try eval(e) {
            case .scalar(let v): return .column(try Column.constant("expr", v, count: n, dtype: v.isNull ? t : nil).cast(to: t))
            case .column(let c): return .column(try c.cast(to: t))
            }
        case .text(let fn, let e): return try ExprFunctionKernels.text(fn, eval(e), expr: self)
        case .datePart(let p, let e): return try ExprFunctionKernels.datePart(p, eval(e), expr: self)
        case .addMonths(let e, let k): return try ExprFunctionKernels.addMonths(eval(e), k, expr: self)
        case .window(let fn, let e):
            return try ExprFunctionKernels.window(fn, eval(e), segments: segments ?? .whole(n), n: n, expr: self)
        case .over(let e, let p, let o, let d):
            return try ExprFunctionKernels.over(e, partitionBy: p, orderBy: o, descending: d, frame: f, expr: self)
        }
    }
}

extension Frame {
    /// Rows where the bool expression is true (null counts as false).
    public func filter(_ predicate: Expr) throws -> Frame {
        let mask = try predicate.evaluate(on: self)
        guard mask.dtype == .bool else {
            throw ExprError("filter: \(predicate) is \(mask.dtype.rawValue), expected bool")
        }
        return try filter(mask: mask)
    }

    /// Adds or replaces columns computed by expressions (evaluated against the
    /// input frame, in order; later names win on clashes).
    public func withColumns(_ exprs: [(name: String, expr: Expr)]) throws -> Frame {
        try withColumns(exprs.map { try $0.expr.evaluate(on: self).renamed($0.name) })
    }
}
