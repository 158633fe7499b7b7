import CLua
import ChurnCore
import LuaRuntime

/// A column expression as Lua holds it (`cl.Expr`), from `cl.col`, `cl.lit`, `cl.when`.
public final class ExprObject: LuaObject {
    public static let luaTypeName = "cl.Expr"
    public let expr: Expr
    public init(_ expr: Expr) { self.expr = expr }
}

/// `cl.col`, `cl.lit`, `cl.when` and the `cl.Expr` operators and methods.
/// Lua turns the results of `<`, `<=`, `>`, `>=` and `==` into booleans, so
/// comparisons are methods (`:gt(0.7)`, `:eq("pro")`); using the operators on
/// an expression raises an error that says so. `&`, `|`, `~` and arithmetic
/// operators build expressions.
enum ExprBinding {
    static func register(_ cl: ModuleBuilder) {
        func binary(_ op: Expr.BinaryOp) -> LuaFunction {
            { c in c.push(object: ExprObject(.binary(op, try value(c, 1), try value(c, 2)))) }
        }
        func compare(_ op: Expr.BinaryOp) -> LuaFunction {
            { c in c.push(object: ExprObject(.binary(op, try c.object(1, ExprObject.self).expr, try value(c, 2)))) }
        }
        func refuse(_ symbol: String, _ method: String) -> LuaFunction {
            { _ in throw LuaScriptError("cannot use '\(symbol)' on a cl.Expr (Lua turns it into a boolean); use :\(method)(v) instead") }
        }
        let methods: [String: LuaFunction] = [
            "eq": compare(.eq), "ne": compare(.ne), "lt": compare(.lt), "le": compare(.le),
            "gt": compare(.gt), "ge": compare(.ge),
            "is_null": { c in c.push(object: ExprObject(try c.object(1, ExprObject.self).expr.isNull())) },
            "is_not_null": { c in c.push(object: ExprObject(try c.object(1, ExprObject.self).expr.isNotNull())) },
            "isin": { c in
                let e = try c.object(1, ExprObject.self).expr
                let t = try c.table(2)
                var values: [CellValue] = []
                for i in 0..<t.length {
                    lua_rawgeti(c.L, 2, lua_Integer(i + 1))
                    defer { lua_settop(c.L, -2) }
                    values.append(try cell(c, -1, arg: 2, what: "isin values"))
                }
                return c.push(object: ExprObject(e.isIn(values)))
            },
            "between": { c in
                c.push(object: ExprObject(try c.object(1, ExprObject.self).expr.between(try value(c, 2), try value(c, 3))))
            },
            "days_until": { c in c.push(object: ExprObject(try c.object(1, ExprObject.self).expr.daysUntil(try value(c, 2)))) },
            "days_since": { c in c.push(object: ExprObject(try c.object(1, ExprObject.self).expr.daysSince(try value(c, 2)))) },
        ]
        cl.state.register(ExprObject.self, LuaClass(
            methods: methods.merging(ExprFunctionsBinding.exprMethods) { _, _ in preconditionFailure("cl.Expr method defined twice") },
            metamethods: [
                "__add": binary(.add), "__sub": binary(.sub), "__mul": binary(.mul), "__div": binary(.div),
                "__mod": binary(.mod), "__idiv": binary(.floorDiv), "__band": binary(.and), "__bor": binary(.or),
                "__unm": { c in c.push(object: ExprObject(.unary(.negate, try c.object(1, ExprObject.self).expr))) },
                "__bnot": { c in c.push(object: ExprObject(.unary(.not, try c.object(1, ExprObject.self).expr))) },
                "__lt": refuse("<", "lt / :gt"), "__le": refuse("<=", "le / :ge"), "__eq": refuse("==", "eq"),
                "__tostring": { c in c.push("cl.Expr " + (try c.object(1, ExprObject.self).expr.description)) },
            ]))

        cl.function("col", "col(name)", "A column expression for filter/mutate: arithmetic (+ - * / // % unary -), :gt/:ge/:lt/:le/:eq/:ne, & | ~ (three-valued), :is_null(), :isin{...}, :between(a, b), :days_until(date), :days_since(date); functions :log :log1p :exp :sqrt :abs :asinh :floor :ceil :round(d) :clip(lo, hi) :fill_null(v) :cast(type); text :lower :upper :strip :len :contains :starts_with :ends_with :replace; dates :year :quarter :month :day :weekday :day_of_year :hour :minute :second :add_months(n); windows :shift(n) :lag :lead :cumsum :rank{method} :row_number and group aggregates :sum :mean :min :max :count :first :last, inside groups with :over(keys, {order_by =}) (aggregates: the group's value on every row, running with order_by). cl.help('expr') lists them.") { c in
            c.push(object: ExprObject(.col(try c.string(1))))
        }
        cl.function("lit", "lit(value [, type])", "A literal expression (number, string, boolean, or nil/cl.null for null); with a type ('float', 'int', 'string', 'bool', 'date', 'timestamp', 'category') the value is cast, so cl.lit(nil, 'float') is a typed null.") { c in
            let v = try value(c, 1)
            try c.noArguments(after: 2)
            if c.isNoneOrNil(2) { return c.push(object: ExprObject(v)) }
            return c.push(object: ExprObject(v.cast(try ExprFunctionsBinding.dtype(c, 2))))
        }
        // cl.null("float"): a typed null expression. cl.null is a light userdata; Lua
        // gives all light userdata one metatable, whose __call accepts only cl.null.
        let L = cl.state.L
        lua_pushlightuserdata(L, LuaColumns.nullSentinel)
        lua_createtable(L, 0, 2)
        cl.state.push("__call")
        cl.state.push(function: "null") { c in
            guard c.luaType(1) == LUA_TLIGHTUSERDATA, lua_touserdata(c.L, 1) == LuaColumns.nullSentinel else {
                throw LuaScriptError("attempt to call a userdata value")
            }
            try c.noArguments(after: 2)
            return c.push(object: ExprObject(Expr.literal(.null).cast(try ExprFunctionsBinding.dtype(c, 2))))
        }
        lua_rawset(L, -3)
        cl.state.push("__tostring")
        cl.state.push(function: "__tostring") { c in c.push("cl.null") }
        lua_rawset(L, -3)
        lua_setmetatable(L, -2)
        lua_settop(L, -2)
        cl.function("when", "when(cond, a, b)", "Row-wise choice: a where cond is true, else b (a null condition counts as false).") { c in
            c.push(object: ExprObject(.when(try value(c, 1), then: try value(c, 2), otherwise: try value(c, 3))))
        }
    }

    /// Stack slot `i` as an expression: a cl.Expr, or a literal (integer, number,
    /// string, boolean, nil or cl.null).
    static func value(_ c: LuaCall, _ i: Int32, arg: Int32? = nil) throws -> Expr {
        let idx = lua_absindex(c.L, i)
        if c.isObject(idx, ExprObject.self) { return try c.object(idx, ExprObject.self).expr }
        switch lua_type(c.L, idx) {
        case LUA_TNONE, LUA_TNIL: return .literal(.null)
        case LUA_TBOOLEAN: return .literal(.bool(lua_toboolean(c.L, idx) != 0))
        case LUA_TNUMBER:
            if lua_isinteger(c.L, idx) != 0 { return .literal(.int(Int64(try c.integer(idx)))) }
            return .literal(.float(try c.number(idx)))
        case LUA_TSTRING: return .literal(.string(try c.string(idx)))
        case LUA_TLIGHTUSERDATA where lua_touserdata(c.L, idx) == LuaColumns.nullSentinel: return .literal(.null)
        default:
            throw LuaArgumentError(arg ?? i, "cl.Expr, number, string or boolean expected, got \(c.typeName(idx))")
        }
    }

    /// Stack slot `i` as a plain value (no expressions).
    static func cell(_ c: LuaCall, _ i: Int32, arg: Int32, what: String) throws -> CellValue {
        guard case .literal(let v) = try value(c, i, arg: arg) else {
            throw LuaArgumentError(arg, "\(what) must be numbers, strings or booleans")
        }
        return v
    }
}
