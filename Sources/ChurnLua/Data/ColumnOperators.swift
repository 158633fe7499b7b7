import CLua
import ChurnCore
import LuaRuntime

/// Vector arithmetic on columns, as on pandas Series: `df.a + 1`, `df.a * df.b`,
/// `df.n // 7`, `-df.x` give a new cl.Column (the left column's name), with
/// the expression rules (nulls propagate, ints stay exact, overflow is an error).
/// Comparisons are methods (`df.a:gt(0)`), since Lua turns `<` into a boolean.
enum ColumnOperators {
    static func binary(_ op: Expr.BinaryOp) -> LuaFunction {
        { c in
            func side(_ i: Int32) throws -> (Column?, Expr) {
                if c.isObject(i, ColumnObject.self) { return (try c.object(i, ColumnObject.self).column, .literal(.null)) }
                if c.isObject(i, ExprObject.self) {
                    throw LuaScriptError("cannot mix a cl.Column and a cl.Expr in '\(op.rawValue)'; use cl.col(name) on both sides")
                }
                return (nil, try ExprBinding.value(c, i))
            }
            let (a, av) = try side(1), (b, bv) = try side(2)
            return c.push(column: try c.core { try ColumnExpr.binary(op, a, av, b, bv) })
        }
    }

    static let metamethods: [String: LuaFunction] = [
        "__add": binary(.add), "__sub": binary(.sub), "__mul": binary(.mul), "__div": binary(.div),
        "__mod": binary(.mod), "__idiv": binary(.floorDiv), "__band": binary(.and), "__bor": binary(.or),
        "__unm": { c in
            let col = try c.object(1, ColumnObject.self).column
            return c.push(column: try c.core { try ColumnExpr.apply(col) { .unary(.negate, $0) } })
        },
        "__bnot": { c in
            let col = try c.object(1, ColumnObject.self).column
            return c.push(column: try c.core { try ColumnExpr.apply(col) { .unary(.not, $0) } })
        },
    ]
}
