import CLua
import ChurnCore
import LuaRuntime

/// The function methods of column expressions (`cl.col("x"):log()`,
/// `:shift(1):over("user_id", {order_by = "date"})`, …), defined once as
/// "expression in, expression out" and offered both on `cl.Expr` (lazy, for
/// filter/mutate) and on `cl.Column` (`df.x:log()` evaluates at once).
enum ExprFunctionsBinding {
    /// Builds the new expression from `self` (already an Expr) and the arguments from slot 2.
    typealias Builder = (LuaCall, Expr) throws -> Expr

    /// Option ranges: digits of `round`, months of `add_months`, rows of `shift`.
    static let digits = -15...15
    static let months = -1_200_000...1_200_000
    static var rows: ClosedRange<Int> { -OptionLimits.size...OptionLimits.size }

    static func noMore(_ c: LuaCall, after max: Int32) throws { try c.noArguments(after: max) }

    static let builders: [String: Builder] = {
        var b: [String: Builder] = [:]
        for f in Expr.MathFunction.allCases {
            b[f.rawValue] = { c, e in try noMore(c, after: 1); return e.math(f) }
        }
        for p in Expr.DatePart.allCases {
            b[p.rawValue] = { c, e in try noMore(c, after: 1); return e.datePart(p) }
        }
        b["round"] = { c, e in try noMore(c, after: 2); return e.round(try c.optInteger(2, in: digits) ?? 0) }
        b["clip"] = { c, e in
            try noMore(c, after: 3)
            let lo = try c.optNumber(2, in: .any), hi = try c.optNumber(3, in: .any)
            if let lo, let hi, lo > hi { throw LuaArgumentError(2, "lower \(lo) is above upper \(hi)") }
            return e.clip(lower: lo, upper: hi)
        }
        b["fill_null"] = { c, e in try noMore(c, after: 2); return e.fillNull(try ExprBinding.value(c, 2)) }
        b["cast"] = { c, e in try noMore(c, after: 2); return e.cast(try dtype(c, 2)) }
        b["lower"] = { c, e in try noMore(c, after: 1); return e.text(.lower) }
        b["upper"] = { c, e in try noMore(c, after: 1); return e.text(.upper) }
        b["strip"] = { c, e in try noMore(c, after: 1); return e.text(.strip) }
        b["len"] = { c, e in try noMore(c, after: 1); return e.text(.length) }
        b["contains"] = { c, e in try noMore(c, after: 2); return e.text(.contains(try c.string(2))) }
        b["starts_with"] = { c, e in try noMore(c, after: 2); return e.text(.startsWith(try c.string(2))) }
        b["ends_with"] = { c, e in try noMore(c, after: 2); return e.text(.endsWith(try c.string(2))) }
        b["replace"] = { c, e in try noMore(c, after: 3); return e.text(.replace(try c.string(2), try c.string(3))) }
        b["add_months"] = { c, e in try noMore(c, after: 2); return e.addMonths(try c.integer(2, in: months)) }
        b["shift"] = { c, e in try noMore(c, after: 2); return e.window(.shift(try c.optInteger(2, in: rows) ?? 1)) }
        b["lag"] = { c, e in try noMore(c, after: 2); return e.window(.shift(try c.optInteger(2, in: 0...OptionLimits.size) ?? 1)) }
        b["lead"] = { c, e in try noMore(c, after: 2); return e.window(.shift(-(try c.optInteger(2, in: 0...OptionLimits.size) ?? 1))) }
        b["cumsum"] = { c, e in try noMore(c, after: 1); return e.window(.cumsum) }
        b["row_number"] = { c, e in try noMore(c, after: 1); return e.window(.rowNumber) }
        b["rank"] = { c, e in
            try noMore(c, after: 2)
            let o = try c.options(2)
            try o.checkKeys(["method", "descending"])
            let m = try o.string("method") ?? "average"
            guard let method = Expr.RankMethod(rawValue: m) else {
                throw LuaArgumentError(2, "field 'method': one of average, min, max, dense, first expected, got '\(m)'")
            }
            return e.window(.rank(method, descending: try o.bool("descending") ?? false))
        }
        return b
    }()

    /// Group aggregates (`cl.col("x"):sum():over("user_id")`): on `cl.Expr` only,
    /// since `cl.Column` has its own `sum`, `mean`, … returning one number.
    static let aggregates: [String: Builder] = {
        var b: [String: Builder] = [:]
        for a in Expr.Aggregate.allCases {
            b[a.rawValue] = { c, e in try noMore(c, after: 1); return e.window(.aggregate(a)) }
        }
        return b
    }()

    /// `over` needs the frame's other columns, so it exists on `cl.Expr` only.
    static let over: Builder = { c, e in
        try noMore(c, after: 3)
        let partition: [String]
        switch c.luaType(2) {
        case LUA_TSTRING: partition = [try c.string(2)]
        case LUA_TTABLE: partition = try c.table(2).arrayOfStrings()
        case LUA_TNIL, LUA_TNONE: partition = []
        default: throw LuaArgumentError(2, "a column name or an array of names expected, got \(c.typeName(2))")
        }
        let o = try c.options(3)
        try o.checkKeys(["order_by", "descending"])
        return e.over(partition, orderBy: try o.strings("order_by") ?? [], descending: try o.bool("descending") ?? false)
    }

    static func dtype(_ c: LuaCall, _ i: Int32) throws -> DType {
        let name = try c.string(i)
        guard let t = DType(rawValue: name) else {
            throw LuaArgumentError(i, "type must be one of \(DType.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
        }
        return t
    }

    /// Methods of `cl.Expr`.
    static var exprMethods: [String: LuaFunction] {
        var out: [String: LuaFunction] = [:]
        for (name, build) in builders.merging(aggregates.merging(["over": over]) { a, _ in a }, uniquingKeysWith: { a, _ in a }) {
            out[name] = { c in c.push(object: ExprObject(try build(c, try c.object(1, ExprObject.self).expr))) }
        }
        return out
    }

    /// The same functions on `cl.Column`, evaluated at once; comparisons too (`df.x:gt(0)`).
    static var columnMethods: [String: LuaFunction] {
        var out: [String: LuaFunction] = [:]
        var all = builders
        for (name, op) in [("eq", Expr.BinaryOp.eq), ("ne", .ne), ("lt", .lt), ("le", .le), ("gt", .gt), ("ge", .ge)] {
            all[name] = { c, e in try noMore(c, after: 2); return .binary(op, e, try ExprBinding.value(c, 2)) }
        }
        all["is_not_null"] = { c, e in try noMore(c, after: 1); return e.isNotNull() }
        for (name, build) in all {
            out[name] = { c in
                let col = try c.object(1, ColumnObject.self).column
                return c.push(column: try c.core { try ColumnExpr.apply(col) { try build(c, $0) } })
            }
        }
        return out
    }
}

/// Evaluating an expression of one or two columns outside a frame (`df.x:log()`, `df.a * df.b`).
enum ColumnExpr {
    /// `body` gets the column as an expression; the result keeps the column's name.
    static func apply(_ col: Column, _ body: (Expr) throws -> Expr) throws -> Column {
        let f = try Frame([col])
        return try body(.col(col.name)).evaluate(on: f).renamed(col.name)
    }

    /// `a op b` where each side is a column or a literal; columns must have equal length.
    static func binary(_ op: Expr.BinaryOp, _ a: Column?, _ av: Expr, _ b: Column?, _ bv: Expr) throws -> Column {
        var cols: [Column] = []
        if let a { cols.append(a) }
        // Real names in messages; a second column of the same name (df.a * df.a) is told apart.
        let bName = b.map { b in a?.name == b.name ? b.name + "\u{2032}" : b.name }
        if let b, let bName {
            if let a, a.count != b.count { throw ExprError("columns '\(a.name)' (\(a.count) rows) and '\(b.name)' (\(b.count) rows) differ in length") }
            cols.append(b.renamed(bName))
        }
        let f = try Frame(cols)
        let e = Expr.binary(op, a.map { .col($0.name) } ?? av, bName.map { .col($0) } ?? bv)
        return try e.evaluate(on: f).renamed(a?.name ?? b?.name ?? "expr")
    }
}
